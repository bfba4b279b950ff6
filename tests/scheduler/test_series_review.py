"""A series occurrence inherits the series' review, never gains one: skipping, cancelling or moving a date of a
draft series creates no approved post; an approved series passes its approval on until its content changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from scheduler.engine.dispatcher import dispatch_run
from scheduler.models import Post
from scheduler.services import approval as approval_svc
from scheduler.services import compose as compose_svc
from scheduler.services import series as series_svc
from scheduler.services import timing as timing_svc
from tests.scheduler.post_factories import MediaAssetFactory
from tests.scheduler.post_fixtures import NOW

pytestmark = pytest.mark.django_db
S = Post.Status


def weekly(workspace, account, social, status=S.DRAFT):
    return compose_svc.post_create(user=social, workspace=workspace, account=account, kind="feed", caption="Unreviewed",
                           asset_ids=[MediaAssetFactory(workspace=workspace).pk], publish_at=NOW + timedelta(days=1),
                           rrule="FREQ=WEEKLY;COUNT=5")


@pytest.mark.parametrize("how", ["skip", "cancel"])
def test_skipping_or_cancelling_a_draft_series_never_creates_an_approved_occurrence(frozen_now, workspace, account,
                                                                                    social, how):
    root = weekly(workspace, account, social)
    if how == "skip":
        nxt = series_svc.post_skip_occurrence(user=social, post=root)
    else:
        timing_svc.post_cancel(user=social, post=root)
        nxt = Post.objects.get(series_root=root)
    assert nxt.status == S.DRAFT and not nxt.approved_hash
    with time_machine.travel(nxt.publish_at + timedelta(minutes=1), tick=False):
        dispatch_run()
    nxt.refresh_from_db()
    assert nxt.status == S.DRAFT and not nxt.attempts.exists()  # the engine never published it


def test_an_approved_series_passes_its_approval_on_until_its_content_changes(frozen_now, workspace, account, social,
                                                                             editor):
    root = weekly(workspace, account, social)
    approval_svc.post_submit(user=social, post=root)
    approval_svc.post_approve(user=editor, post=root)
    nxt = series_svc.post_skip_occurrence(user=social, post=Post.objects.get(pk=root.pk))
    assert nxt.status == S.APPROVED and nxt.approved_hash == root.approved_hash
    assert list(nxt.items.values_list("asset_id", flat=True)) == list(root.items.values_list("asset_id", flat=True))
    # A content edit of the series after approval: the next occurrence goes through the desk again.
    root2 = weekly(workspace, account, social)
    approval_svc.post_submit(user=social, post=root2)
    approval_svc.post_approve(user=editor, post=root2)
    root2 = Post.objects.get(pk=root2.pk)
    compose_svc.post_update(user=social, post=root2, expected_version=root2.version, caption="Changed after approval")
    root2.refresh_from_db()
    assert root2.status == S.IN_REVIEW
    nxt2 = series_svc.post_skip_occurrence(user=social, post=root2)
    assert nxt2.status == S.DRAFT and nxt2.caption == "Changed after approval"


def test_moving_a_date_of_a_skipped_draft_series_on_the_calendar_creates_no_approved_post(frozen_now, workspace, account,
                                                                                          social, editor):
    """The calendar's series split / single-date move copies the series too: same rule as the engine."""
    from scheduler.services.calendar import series_move_date

    for approve in (False, True):
        root = weekly(workspace, account, social)
        if approve:
            approval_svc.post_submit(user=social, post=root)
            approval_svc.post_approve(user=editor, post=root)
        root = Post.objects.get(pk=root.pk)
        series_svc.post_skip_occurrence(user=social, post=root)  # the root is cancelled now; that must not approve anything
        root = Post.objects.get(pk=root.pk)
        fourth = root.publish_at + timedelta(days=21)
        before = set(Post.objects.values_list("pk", flat=True))
        single = series_move_date(user=social, post=root, occurrence_utc=fourth,
                                  publish_at=fourth + timedelta(hours=2), expected_version=root.version)
        created = Post.objects.exclude(pk__in=before)
        expected = S.APPROVED if approve else S.DRAFT
        assert single.status == expected and set(created.values_list("status", flat=True)) == {expected}, approve
