"""No token, code or secret in any log line of a connect + refresh + publish-like sequence."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
import time_machine
from django.utils import timezone

from accounts.models import InstagramAccount
from accounts.services.instagram import graph_client_for
from accounts.tasks import refresh_instagram_tokens

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def test_connect_refresh_publish_logs_no_secret(sandbox, workspace, admin_user, login, caplog):
    caplog.set_level(logging.DEBUG)
    client = login(admin_user)
    start = client.post(f"/w/{workspace.slug}/instagram/connect", {"login": "instagram"})
    consent = requests.get(start["Location"] + "&sandbox_auto=allow", allow_redirects=False, timeout=10)
    back = urlsplit(consent.headers["Location"])
    code = back.query.split("code=")[1].split("&")[0]
    client.get(f"{back.path}?{back.query}")
    with time_machine.travel(timezone.now() + timedelta(days=55)):
        assert refresh_instagram_tokens()["refreshed"] == 1
    account = InstagramAccount.objects.get()
    api = graph_client_for(account)
    api.media_publish(account.ig_user_id, api.create_image_container(account.ig_user_id, sandbox.image_url()))
    sandbox.inject_fault("profile", code=190, subcode=463, message="expired", once=True)
    with pytest.raises(Exception):  # noqa: B017 - any error; only its logging matters here
        api.me()
    page = client.get(f"/w/{workspace.slug}/instagram/").content.decode()

    assert "GET /" in caplog.text or "POST /" in caplog.text  # request lines were captured
    secrets = [*sandbox.sandbox.tokens, code, "sandbox-secret"]
    assert len(sandbox.sandbox.tokens) == 3  # short-lived, long-lived, refreshed
    for secret in secrets:
        assert secret not in caplog.text and secret not in page
