"""Two-factor sign-in (issue 20): who must pass it, enrolment, codes, recovery codes, throttling of wrong codes."""

from __future__ import annotations

import re

import pyotp
import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.permissions import Role
from tests.accounts.totp_support import next_accepted_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def sign_in(client, user):  # noqa: ANN001, ANN201
    return client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})


def enrol(client):  # noqa: ANN001, ANN201
    page = client.get(reverse("accounts:two_factor_setup"))
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page.content.decode()).group(1)
    done = client.post(reverse("accounts:two_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    return secret, codes, done


def test_an_administrator_must_enrol_then_gets_recovery_codes_once(client, required, admin_user, workspace):
    dashboard = reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})
    sign_in(client, admin_user)
    first = client.get(dashboard)
    assert first.status_code == 302 and first["Location"].startswith(reverse("accounts:two_factor_setup"))
    page = client.get(reverse("accounts:two_factor_setup"))
    assert "<svg" in page.content.decode()
    secret, codes, done = enrol(client)
    assert done.status_code == 200 and len(codes) == 10 and "shown only this once" in done.content.decode()
    assert client.get(dashboard).status_code == 200
    # Signed out and in again: the code step, and the codes are not shown again.
    client.post(reverse("accounts:logout"))
    sign_in(client, admin_user)
    assert client.get(dashboard)["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert client.get(reverse("accounts:two_factor_setup"))["Location"] == reverse("accounts:two_factor_verify")
    code = next_accepted_code(secret, admin_user.username)  # a later step: the enrolment code cannot be replayed
    assert client.post(reverse("accounts:two_factor_verify") + f"?next={dashboard}", {"code": code}).status_code == 302
    assert client.get(dashboard).status_code == 200


def test_a_recovery_code_signs_in_once(client, required, admin_user, workspace):
    sign_in(client, admin_user)
    _, codes, _ = enrol(client)
    for attempt in ("first", "second"):
        client.post(reverse("accounts:logout"))
        sign_in(client, admin_user)
        answer = client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]})
        if attempt == "first":
            assert answer.status_code == 302
        else:
            assert answer.status_code == 422 and "not right" in answer.content.decode()


def test_wrong_codes_are_counted_and_lock_the_code_step(client, required, admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, admin_user)
    enrol(client)
    client.post(reverse("accounts:logout"))
    sign_in(client, admin_user)
    verify = reverse("accounts:two_factor_verify")
    assert client.post(verify, {"code": "000000"}).status_code == 422
    assert AccessAttempt.objects.get(username=f"2fa:{admin_user.username}").failures_since_start == 1
    client.post(verify, {"code": "000001"})
    locked = client.post(verify, {"code": "000002"})
    assert locked.status_code == 429 and "Too many" in locked.content.decode()
    # Signed out; a correct password does not clear the code counter.
    assert client.get(verify).status_code == 302
    sign_in(client, admin_user)
    assert client.get(verify).status_code == 429


def test_who_must_pass_the_code_step(client, required, social, editor, workspace):
    dashboard = reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})
    sign_in(client, social)
    assert client.get(dashboard).status_code == 200  # not an Administrator, no admin
    client.post(reverse("accounts:logout"))
    sign_in(client, editor)
    assert client.get(dashboard).status_code == 200
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 302 and admin["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_a_workspace_may_require_it_of_everyone_even_when_the_setting_is_off(client, settings, social, workspace):
    settings.TWO_FACTOR_REQUIRED = False
    workspace.require_two_factor = True
    workspace.save()
    sign_in(client, social)
    answer = client.get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug}))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_off_by_default_in_the_demo_setting(client, settings, admin_user, workspace):
    settings.TWO_FACTOR_REQUIRED = False
    sign_in(client, admin_user)
    assert client.get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_feeds_need_no_code_step(client, required, admin_user, workspace):
    from scheduler.models import CalendarFeedToken

    token = CalendarFeedToken.objects.create(user=admin_user, workspace=workspace)
    sign_in(client, UserFactory(role=Role.ADMIN, workspaces=[workspace]))
    assert client.get(reverse("scheduler:calendar_feed", kwargs={"token": token.token})).status_code == 200
