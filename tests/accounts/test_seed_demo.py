from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.management.commands.seed_demo import DEMO_PASSWORD, USERS
from accounts.models import Membership, User, Workspace


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_every_login_works(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert Workspace.objects.count() == 2
    assert User.objects.count() == len(USERS)
    assert Membership.objects.count() == sum(len(slugs) for _, _, slugs in USERS)
    for username, _role, slugs in USERS:
        assert username in out
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{username} could not sign in"
        landing = client.get(reverse("home"), follow=True)
        assert landing.status_code == 200
        assert landing.request["PATH_INFO"].startswith(f"/w/{slugs[0]}/") or landing.request["PATH_INFO"].startswith("/w/")
        client.post(reverse("logout"))
