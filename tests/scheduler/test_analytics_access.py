"""Who may open the analytics routes: an independent table (not read from the views' decorators)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ALL = {"admin": 200, "editor": 200, "social": 200, "client": 200}
EXPECTED = {
    "scheduler:analytics": ALL,
    "scheduler:best_time": ALL,
    "scheduler:best_time_slots": {"admin": 200, "editor": 403, "social": 200, "client": 403},
    "scheduler:report": ALL,
    "scheduler:report_csv": ALL,
    "scheduler:report_email": {"admin": 200, "editor": 403, "social": 403, "client": 403},
}


@pytest.mark.parametrize("persona", ["admin", "editor", "social", "client"], indirect=True)
@pytest.mark.parametrize("route", sorted(EXPECTED))
def test_each_role_gets_the_tabled_answer(route, persona, request, login, account):
    name = {v: k for k, v in request.getfixturevalue("persona_names").items()}[persona]
    response = login(persona).get(reverse(route, kwargs={"ws": account.workspace.slug}))
    assert response.status_code == EXPECTED[route][name]


@pytest.mark.parametrize("route", sorted(EXPECTED))
def test_outsiders_get_404_and_strangers_the_sign_in(route, login, client, outsider, account):
    path = reverse(route, kwargs={"ws": account.workspace.slug})
    assert client.get(path).status_code == 302
    assert login(outsider).get(path).status_code == 404


@pytest.fixture
def persona_names(admin_user, editor, social, client_user):
    return {"admin": admin_user, "editor": editor, "social": social, "client": client_user}
