"""The token refresh schedule with time travel: due tokens renew, failures alert, expired ones need a reconnect."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_q.models import Schedule

from accounts.crypto import EncryptionKeyError
from accounts.models import InstagramAccount, Notification
from accounts.services.instagram import instagram_account_handle_error, instagram_token
from accounts.tasks import SCHEDULE_NAME, refresh_instagram_tokens
from instagram.errors import TokenInvalid
from tests.factories import InstagramAccountFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


@pytest.fixture
def sandbox(sandbox, settings):
    settings.INSTAGRAM_TOKEN_REFRESH_DAYS = 10
    return sandbox


@pytest.fixture
def connected_account(sandbox, workspace, admin_user):
    remote = sandbox.create_account("acme_ig")
    now = timezone.now()
    return InstagramAccountFactory(workspace=workspace, ig_user_id=remote["ig_user_id"], username="acme_ig",
                                   access_token=remote["access_token"], refreshed_at=now,
                                   expires_at=now + timedelta(seconds=remote["expires_in"]))


def test_schedule_is_installed():
    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    assert schedule.func == "accounts.tasks.refresh_instagram_tokens" and schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 60


def test_fresh_token_is_left_alone(connected_account):
    assert refresh_instagram_tokens() == {"refreshed": 0, "failed": 0, "expired": 0}


def test_token_near_expiry_is_refreshed(connected_account):
    old_token = connected_account.access_token
    with time_machine.travel(timezone.now() + timedelta(days=55)):
        assert refresh_instagram_tokens()["refreshed"] == 1
        connected_account.refresh_from_db()
        assert connected_account.access_token != old_token and connected_account.status == InstagramAccount.Status.ACTIVE
        assert connected_account.expires_at - timezone.now() > timedelta(days=59)
        assert refresh_instagram_tokens()["refreshed"] == 0  # renewed: no longer due


def test_failed_refresh_alerts_admins(sandbox, connected_account, admin_user, django_capture_on_commit_callbacks):
    sandbox.inject_fault("refresh_access_token", code=2, is_transient=True, message="Service temporarily unavailable")
    with time_machine.travel(timezone.now() + timedelta(days=55)), django_capture_on_commit_callbacks(execute=True):
        assert refresh_instagram_tokens()["failed"] == 1
        refresh_instagram_tokens()  # an hour later: still failing, but no second banner
    connected_account.refresh_from_db()
    assert connected_account.status == InstagramAccount.Status.EXPIRING and "refresh failed" in connected_account.last_error
    [banner] = Notification.objects.filter(user=admin_user, is_banner=True)
    assert "@acme_ig" in banner.title and banner.url == f"/w/{connected_account.workspace.slug}/instagram/"
    assert len(mail.outbox) == 1 and "@acme_ig" in mail.outbox[0].subject


def test_token_rejected_with_190_needs_reconnect(sandbox, connected_account):
    sandbox.inject_fault("refresh_access_token", code=190, subcode=460)
    with time_machine.travel(timezone.now() + timedelta(days=55)):
        refresh_instagram_tokens()
    connected_account.refresh_from_db()
    assert connected_account.status == InstagramAccount.Status.RECONNECT


def test_expired_token_becomes_reconnect_needed(connected_account, admin_user):
    with time_machine.travel(timezone.now() + timedelta(days=61)):
        assert refresh_instagram_tokens()["expired"] == 1
    connected_account.refresh_from_db()
    assert connected_account.status == InstagramAccount.Status.RECONNECT
    assert Notification.objects.filter(user=admin_user, is_banner=True, title__contains="Reconnect").exists()


def test_any_190_marks_reconnect(connected_account):
    instagram_account_handle_error(account=connected_account, exc=TokenInvalid("Session has expired", code=190, subcode=463))
    connected_account.refresh_from_db()
    assert connected_account.status == InstagramAccount.Status.RECONNECT


def test_ciphertext_is_never_sent(sandbox, connected_account):
    connected_account.access_token = "gAAAAA" + "x" * 100  # what the field returns when the key is wrong
    with pytest.raises(EncryptionKeyError, match="could not be decrypted"):
        instagram_token(connected_account)
    tokens_before = len(sandbox.sandbox.tokens)
    connected_account.save()
    with time_machine.travel(timezone.now() + timedelta(days=55)):
        refresh_instagram_tokens()
    connected_account.refresh_from_db()
    assert "could not be decrypted" in connected_account.last_error and len(sandbox.sandbox.tokens) == tokens_before
