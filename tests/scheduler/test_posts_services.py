"""Post lifecycle services: every transition writes its ReviewEvent; edits, versions, queue, series."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from scheduler import rules
from scheduler.models import Post, PostingSlot, ReviewEvent
from scheduler.services import approval as approval_svc
from scheduler.services import compose as compose_svc
from scheduler.services import lifecycle as lifecycle_svc
from scheduler.services import series as series_svc
from scheduler.services import slots as slots_svc
from scheduler.services import timing as timing_svc
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory
from tests.scheduler.post_fixtures import NOW

S = Post.Status
pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def image(workspace):
    return MediaAssetFactory(workspace=workspace)


def make(workspace, account, status=S.DRAFT, **kw):
    return PostFactory(workspace=workspace, account=account, status=status, **kw)


def last_event(post):
    return ReviewEvent.objects.filter(post=post).latest("id")


def test_create_makes_a_draft_with_media_and_event(social, workspace, account, image):
    when = NOW + timedelta(days=1)
    post = compose_svc.post_create(user=social, workspace=workspace, account=account, kind="feed", caption="Hello #coffee",
                           asset_ids=[image.pk], publish_at=when, collaborators=["@friend"])
    assert post.status == S.DRAFT and post.author == social and post.publish_at == when
    assert list(post.items.values_list("asset_id", flat=True)) == [image.pk]
    assert post.collaborators == ["friend"]
    ev = last_event(post)
    assert (ev.action, ev.from_status, ev.to_status, ev.actor) == ("created", "", S.DRAFT, social)


@pytest.mark.parametrize(
    ("action", "start", "end", "user_fixture", "kwargs"),
    [
        (approval_svc.post_submit, S.DRAFT, S.IN_REVIEW, "social", {}),
        (approval_svc.post_approve, S.IN_REVIEW, S.APPROVED, "editor", {}),
        (approval_svc.post_reject, S.IN_REVIEW, S.DRAFT, "editor", {"note": "Wrong product"}),
        (approval_svc.post_request_changes, S.IN_REVIEW, S.DRAFT, "editor", {"note": "Shorter caption"}),
        (timing_svc.post_cancel, S.APPROVED, S.CANCELLED, "social", {}),
    ],
)
def test_transitions_write_review_events(request, workspace, account, action, start, end, user_fixture, kwargs):
    user = request.getfixturevalue(user_fixture)
    post = make(workspace, account, start)
    version = post.version
    action(user=user, post=post, **kwargs)
    post.refresh_from_db()
    assert post.status == end and post.version == version + 1
    ev = last_event(post)
    assert (ev.from_status, ev.to_status, ev.actor) == (start, end, user)
    assert ev.note == kwargs.get("note", "")  # the reviewer's note, or none


def test_reject_and_request_changes_need_a_note(editor, workspace, account):
    post = make(workspace, account, S.IN_REVIEW)
    for fn in (approval_svc.post_reject, approval_svc.post_request_changes):
        with pytest.raises(ValidationError, match="a note is required"):
            fn(user=editor, post=post, note="  ")
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW


def test_wrong_state_is_refused(editor, workspace, account):
    post = make(workspace, account, S.DRAFT)
    with pytest.raises(rules.TransitionError, match="Can't approve a post that is draft"):
        approval_svc.post_approve(user=editor, post=post)


def test_content_edit_of_approved_post_goes_back_to_review(social, workspace, account):
    post = make(workspace, account, S.APPROVED, publish_at=NOW + timedelta(hours=5))
    compose_svc.post_update(user=social, post=post, expected_version=post.version, caption="New words")
    post.refresh_from_db()
    assert post.status == S.IN_REVIEW and post.caption == "New words" and post.version == 2
    ev = last_event(post)
    assert (ev.from_status, ev.to_status) == (S.APPROVED, S.IN_REVIEW)
    assert "needs review again" in ev.note


def test_media_edit_of_approved_post_goes_back_to_review(social, workspace, account):
    post = make(workspace, account, S.APPROVED)
    other = MediaAssetFactory(workspace=workspace)
    compose_svc.post_update(user=social, post=post, expected_version=post.version, asset_ids=[other.pk])
    post.refresh_from_db()
    assert post.status == S.IN_REVIEW
    assert list(post.items.values_list("asset_id", flat=True)) == [other.pk]


def test_time_move_keeps_approved(social, workspace, account):
    post = make(workspace, account, S.APPROVED, publish_at=NOW + timedelta(hours=5), deferred_reason="cap")
    new_time = NOW + timedelta(days=2)
    compose_svc.post_update(user=social, post=post, expected_version=post.version, publish_at=new_time)
    post.refresh_from_db()
    assert post.status == S.APPROVED and post.publish_at == new_time and post.deferred_reason == ""
    assert last_event(post).action == "moved"


def test_editor_may_edit_caption_only(editor, workspace, account):
    post = make(workspace, account, S.IN_REVIEW)
    compose_svc.post_update(user=editor, post=post, expected_version=post.version, caption="Fixed typo")
    with pytest.raises(PermissionDenied):
        compose_svc.post_update(user=editor, post=post, expected_version=post.version, first_comment="hi")
    post.refresh_from_db()
    assert (post.caption, post.first_comment) == ("Fixed typo", "")


def test_stale_version_conflicts(social, workspace, account):
    post = make(workspace, account, S.DRAFT)
    stale = Post.objects.get(pk=post.pk)
    compose_svc.post_update(user=social, post=post, expected_version=1, caption="First edit")
    with pytest.raises(lifecycle_svc.ConflictError, match="Someone else changed this post"):
        compose_svc.post_update(user=social, post=stale, expected_version=1, caption="Second edit")
    assert Post.objects.get(pk=post.pk).caption == "First edit"


def test_compare_and_set_loses_even_with_a_fresh_looking_object(social, workspace, account):
    """Two edits that both read version 1: the row's version decides, not the caller's object."""
    post = make(workspace, account, S.DRAFT)
    a, b = Post.objects.get(pk=post.pk), Post.objects.get(pk=post.pk)
    compose_svc.post_update(user=social, post=a, expected_version=1, caption="A")
    b.version = 1  # the in-memory check passes; the UPDATE … WHERE version=1 must not
    with pytest.raises(lifecycle_svc.ConflictError):
        compose_svc.post_update(user=social, post=b, expected_version=1, caption="B")
    assert Post.objects.get(pk=post.pk).caption == "A"


def test_reschedule_failed_post_retries_and_clears_deferral(social, workspace, account):
    post = make(workspace, account, S.FAILED, retry_count=3, next_attempt_at=NOW, deferred_reason="Daily cap")
    when = NOW + timedelta(hours=3)
    timing_svc.post_reschedule(user=social, post=post, publish_at=when, expected_version=post.version)
    post.refresh_from_db()
    assert (post.status, post.publish_at, post.next_attempt_at, post.deferred_reason) == (S.APPROVED, when, None, "")
    assert last_event(post).action == "rescheduled"


def test_reschedule_into_the_past_is_refused_in_local_time(social, workspace, account):
    post = make(workspace, account, S.APPROVED)
    with pytest.raises(ValidationError, match=r"2027-05-03 09:00 \(Europe/Berlin\) is in the past"):
        timing_svc.post_reschedule(user=social, post=post, publish_at=NOW - timedelta(hours=1), expected_version=1)


def test_publish_now(social, workspace, account, django_capture_on_commit_callbacks):
    post = make(workspace, account, S.APPROVED, publish_at=NOW + timedelta(days=3), next_attempt_at=NOW)
    with django_capture_on_commit_callbacks() as callbacks:
        timing_svc.post_publish_now(user=social, post=post)
    post.refresh_from_db()
    assert post.status == S.APPROVED and post.publish_at == NOW and post.next_attempt_at is None
    assert last_event(post).action == "publish_now"
    assert len(callbacks) == 1


def test_add_to_queue_picks_the_next_free_slot(social, workspace, account):
    # Monday 10:00 Berlin now; slots Monday 09:00 (past), 12:00 (taken), 15:00 (free).
    slots_svc.posting_slots_set(user=social, account=account, weekday=0, times=[time(9), time(12), time(15)])
    assert PostingSlot.objects.filter(account=account).count() == 3
    make(workspace, account, S.APPROVED, publish_at=datetime(2027, 5, 3, 10, 0, tzinfo=UTC))  # 12:00 Berlin
    make(workspace, account, S.DRAFT, publish_at=datetime(2027, 5, 3, 13, 0, tzinfo=UTC))  # drafts don't hold slots
    post = make(workspace, account, S.APPROVED)
    timing_svc.post_add_to_queue(user=social, post=post)
    post.refresh_from_db()
    assert post.publish_at == datetime(2027, 5, 3, 13, 0, tzinfo=UTC)  # 15:00 Berlin
    assert last_event(post).action == "queued"


def test_add_to_queue_without_slots_says_so(social, workspace, account):
    post = make(workspace, account, S.DRAFT)
    with pytest.raises(ValidationError, match="has no posting slots"):
        timing_svc.post_add_to_queue(user=social, post=post)


def test_posting_slots_limit(social, account):
    with pytest.raises(ValidationError, match="at most 25"):
        slots_svc.posting_slots_set(user=social, account=account, weekday=1, times=[time(h, m) for h in range(13)
                                                                                for m in (0, 30)])


def test_skip_occurrence_materializes_the_next(social, workspace, account):
    first = NOW + timedelta(days=1)
    post = make(workspace, account, S.APPROVED, publish_at=first, occurrence_at=first, rrule="FREQ=WEEKLY")
    nxt = series_svc.post_skip_occurrence(user=social, post=post)
    post.refresh_from_db()
    assert post.status == S.CANCELLED and last_event(post).action == "skipped"
    assert nxt is not None and nxt.publish_at == first + timedelta(days=7) and nxt.series_root_id == post.pk


def test_skip_refuses_one_off_posts(social, workspace, account):
    with pytest.raises(rules.TransitionError, match="Only a date of a repeating post"):
        series_svc.post_skip_occurrence(user=social, post=make(workspace, account, S.APPROVED))


def test_series_stop_cancels_pending_dates(social, workspace, account):
    first = NOW + timedelta(days=1)
    root = make(workspace, account, S.APPROVED, publish_at=first, occurrence_at=first, rrule="FREQ=DAILY")
    series_svc.series_stop(user=social, post=root)
    root.refresh_from_db()
    assert root.series_stopped and root.status == S.CANCELLED
    assert set(ReviewEvent.objects.filter(post=root).values_list("action", flat=True)) == {
        "series_stopped", "cancelled"}
    with pytest.raises(rules.TransitionError, match="already stopped"):
        series_svc.series_stop(user=social, post=root)


def test_policy_social_cannot_approve(social, workspace, account):
    with pytest.raises(PermissionDenied):
        approval_svc.post_approve(user=social, post=make(workspace, account, S.IN_REVIEW))


def test_policy_editor_cannot_compose(editor, workspace, account, image):
    with pytest.raises(PermissionDenied):
        compose_svc.post_create(user=editor, workspace=workspace, account=account, kind="feed", caption="x",
                        asset_ids=[image.pk])


def test_policy_client_and_outsider(client_user, outsider, workspace, account):
    post = make(workspace, account, S.DRAFT)
    with pytest.raises(PermissionDenied):
        approval_svc.post_submit(user=client_user, post=post)
    with pytest.raises(Http404):
        approval_svc.post_submit(user=outsider, post=post)


def test_reject_tells_the_author(social, editor, workspace, account):
    from accounts.models import Notification

    post = make(workspace, account, S.IN_REVIEW, author=social)
    approval_svc.post_reject(user=editor, post=post, note="Logo is cut off")
    note = Notification.objects.get(user=social, kind="post_review")
    assert note.title.startswith("Rejected") and "Logo is cut off" in note.body
