"""Connecting Instagram accounts: the OAuth flow against the live sandbox, upsert, errors, access."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.core import signing
from django.db import connection

from accounts.models import InstagramAccount
from accounts.permissions import Role
from accounts.views.instagram import STATE_SALT
from tests.factories import InstagramAccountFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def connect(client, workspace, *, decision="allow", username="acme_ig", extra=""):
    """Drive the whole flow: our connect view → sandbox consent → our callback. Returns the final response."""
    start = client.post(f"/w/{workspace.slug}/instagram/connect", {"login": "instagram"})
    assert start.status_code == 302 and "/oauth/authorize?" in start["Location"]
    consent = requests.get(f"{start['Location']}&sandbox_auto={decision}&sandbox_username={username}{extra}",
                           allow_redirects=False, timeout=10)
    back = urlsplit(consent.headers["Location"])
    assert back.path == "/instagram/callback"
    return client.get(f"{back.path}?{back.query}", follow=True)


def test_connect_stores_encrypted_long_lived_token(sandbox, workspace, admin_user, login):
    response = connect(login(admin_user), workspace)
    assert "Instagram account @acme_ig connected" in response.content.decode()
    account = InstagramAccount.objects.get(workspace=workspace)
    assert (account.username, account.status, account.login_api) == ("acme_ig", "active", "instagram")
    assert "instagram_business_content_publish" in account.scopes and account.connected_by == admin_user
    token_row = sandbox.sandbox.tokens[account.access_token]
    assert token_row["kind"] == "long" and token_row["user_id"] == account.ig_user_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM accounts_instagramaccount WHERE id = %s", [account.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("gAAAAA") and account.access_token not in raw
    assert account.access_token not in response.content.decode()


def test_reconnect_updates_and_other_workspace_stays_separate(sandbox, workspace, other_workspace, login):
    admin = UserFactory(role=Role.ADMIN, workspaces=[workspace, other_workspace])
    client = login(admin)
    connect(client, workspace)
    first = InstagramAccount.objects.get(workspace=workspace)
    response = connect(client, workspace)
    assert "reconnected" in response.content.decode()
    again = InstagramAccount.objects.get(workspace=workspace)
    assert again.pk == first.pk and again.access_token != first.access_token
    connect(client, other_workspace)
    assert InstagramAccount.objects.filter(ig_user_id=first.ig_user_id).count() == 2


def test_denied_consent(sandbox, workspace, admin_user, login):
    response = connect(login(admin_user), workspace, decision="deny")
    assert "declined" in response.content.decode()
    assert not InstagramAccount.objects.exists()


def test_missing_publish_scope(sandbox, workspace, admin_user, login):
    response = connect(login(admin_user), workspace, extra="&sandbox_scopes=instagram_business_basic")
    assert "instagram_business_content_publish" in response.content.decode()
    assert not InstagramAccount.objects.exists()


def test_forged_or_foreign_state_is_refused(sandbox, workspace, admin_user, login, django_user_model):
    client = login(admin_user)
    response = client.get("/instagram/callback?code=x&state=forged", follow=True)
    assert "could not be verified" in response.content.decode()
    other = UserFactory(role=Role.ADMIN, workspaces=[workspace])
    state = signing.dumps({"u": other.pk, "w": workspace.pk, "l": "instagram", "n": "n"}, salt=STATE_SALT)
    response = client.get(f"/instagram/callback?code=x&state={state}", follow=True)
    assert "another session" in response.content.decode()


def test_only_administrators_manage_accounts(workspace, editor, social, outsider, login):
    for user in (editor, social):
        assert login(user).get(f"/w/{workspace.slug}/instagram/").status_code == 403
        assert login(user).post(f"/w/{workspace.slug}/instagram/connect").status_code == 403
    assert login(outsider).get(f"/w/{workspace.slug}/instagram/").status_code == 404


def test_accounts_page_shows_health_with_bounded_queries(workspace, admin_user, login, django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    for i in range(5):
        InstagramAccountFactory(workspace=workspace, username=f"brand{i}", expires_at=timezone.now() + timedelta(days=9, hours=1))
    InstagramAccountFactory(workspace=workspace, username="broken", status=InstagramAccount.Status.RECONNECT,
                            last_error="Session has expired")
    client = login(admin_user)
    client.get(f"/w/{workspace.slug}/instagram/")
    with django_assert_max_num_queries(12):
        page = client.get(f"/w/{workspace.slug}/instagram/").content.decode()
    assert "in 9 days" in page and "Reconnect needed" in page and "Session has expired" in page
    assert "IGQWtest-token" not in page


def test_demo_sandbox_account_is_connected_and_idempotent(sandbox, workspace):
    from accounts.services.instagram import demo_sandbox_account_connect, graph_client_for

    account = demo_sandbox_account_connect(workspace=workspace, username="acme_demo")
    assert demo_sandbox_account_connect(workspace=workspace, username="acme_demo").access_token == account.access_token
    assert graph_client_for(account).me()["username"] == "acme_demo"
    sandbox.reset()  # a sandbox without a state file forgets its tokens on restart
    renewed = demo_sandbox_account_connect(workspace=workspace, username="acme_demo")
    assert renewed.pk == account.pk and InstagramAccount.objects.filter(workspace=workspace).count() == 1
    assert graph_client_for(renewed).me()["username"] == "acme_demo"


def test_accounts_page_shows_the_real_callback_uri(login, admin_user, workspace):
    from django.urls import reverse

    page = login(admin_user).get(reverse("accounts:instagram_accounts", kwargs={"ws": workspace.slug}))
    callback = "http://testserver" + reverse("accounts:instagram_callback")
    assert callback == "http://testserver/instagram/callback"
    assert f"<code>{callback}</code>" in page.content.decode()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "https://<your host>/instagram/callback`" in readme
