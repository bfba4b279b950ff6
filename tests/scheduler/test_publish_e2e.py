"""End to end over real HTTP: upload → compose → review → dispatch → the sandbox downloads the media
from the app's signed URL (served by a live server) → published exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import InstagramAccount
from scheduler.engine.dispatcher import dispatch_run
from scheduler.models import Post
from scheduler.services.approval import post_approve, post_submit
from scheduler.services.compose import post_create, post_update
from scheduler.services.media import media_upload
from tests.scheduler.media_fixtures import image_bytes, upload

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def test_upload_compose_approve_publish_over_http(live_server, sandbox, settings, tmp_path, workspace, social, editor):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = live_server.url
    remote = sandbox.create_account("acme_live")
    account = InstagramAccount.objects.create(
        workspace=workspace, ig_user_id=remote["ig_user_id"], username=remote["username"],
        access_token=remote["access_token"], expires_at=timezone.now() + timedelta(days=60),
    )
    asset = media_upload(user=social, workspace=workspace, uploaded_file=upload("cup.png", image_bytes(1600, 2000, "PNG"))).asset
    post = post_create(user=social, workspace=workspace, account=account, kind=Post.Kind.FEED,
                       caption="Autumn blend is here #coffee", asset_ids=[asset.pk],
                       publish_at=timezone.now() + timedelta(minutes=1), first_comment="Order via the link in bio")
    post_submit(user=social, post=post)
    post.refresh_from_db()
    post_approve(user=editor, post=post)
    post.refresh_from_db()
    # Moving the time of an approved post keeps it approved; it is now due.
    post_update(user=social, post=post, expected_version=post.version, publish_at=timezone.now() + timedelta(seconds=1))
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - timedelta(seconds=1))

    assert dispatch_run(budget_seconds=30) == {"published": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and post.permalink
    ledger = sandbox.ledger(account.ig_user_id)
    assert len(ledger) == 1 and ledger[0]["caption"] == "Autumn blend is here #coffee"
    history = list(post.review_events.values_list("action", flat=True))
    assert history[:3] == ["created", "submitted", "approved"]
