"""The review desk in the admin (issue 13): queue, review page, decisions, content-bound approval, expiry, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.permissions import Role
from scheduler.engine.dispatcher import dispatch_run
from scheduler.models import Post, ReviewEvent
from scheduler.services import approval as approval_svc
from scheduler.services import compose as compose_svc
from scheduler.services import timing as timing_svc
from scheduler.services.review_expiry import reviews_expire
from tests.factories import InstagramAccountFactory, UserFactory
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory
from tests.scheduler.review_support import seen, seen_fields

pytestmark = pytest.mark.django_db
S = Post.Status
CHANGELIST = "admin:scheduler_post_changelist"


@pytest.fixture
def submit(workspace, account, social):
    """submit(caption=…) → a post composed by the social manager and sent for review (through the services)."""

    def _submit(caption: str = "Autumn menu #coffee", hours: float = 24, author=None) -> Post:
        author = author or social
        post = compose_svc.post_create(user=author, workspace=workspace, account=account, kind="feed", caption=caption,
                               asset_ids=[MediaAssetFactory(workspace=workspace, thumbnail="thumbs/t.jpg").pk],
                               publish_at=timezone.now() + timedelta(hours=hours))
        return approval_svc.post_submit(user=author, post=post)

    return _submit


def review(client, post, decision, note="", **extra):
    extra.setdefault("seen_hash", seen(post))
    extra.setdefault("confirmed", "1")  # the Reject dialog, answered "yes"
    return client.post(reverse("admin:scheduler_post_review", args=[post.pk]),
                       {"decision": decision, "note": note, **extra})


def test_editor_approves_three_posts_with_the_bulk_action(login, editor, social, submit,
                                                          django_capture_on_commit_callbacks):
    posts = [submit(f"Post {i}") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = login(editor).post(reverse(CHANGELIST), {"action": "approve_selected",
                                                            "_selected_action": [p.pk for p in posts],
                                                            **seen_fields(*posts)}, follow=True)
    assert "Approved 3 posts" in response.content.decode()
    for post in posts:
        post.refresh_from_db()
        assert post.status == S.APPROVED and post.approved_hash == post.content_hash != ""
        event = ReviewEvent.objects.get(post=post, action="approved")
        assert event.actor == editor and event.content["caption"] == post.caption
    assert Notification.objects.filter(user=social, kind="post_review", title__startswith="Approved").count() == 3
    assert len(mail.outbox) == 3 and all(m.to == [social.email] for m in mail.outbox)


@pytest.mark.parametrize("action", ["request_changes", "reject_selected"])
def test_bulk_request_changes_and_reject_need_a_note(login, editor, submit, action):
    post = submit()
    client = login(editor)
    page = client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [post.pk], "apply": "1",
                                             "note": "  "})
    assert page.status_code == 200 and "Write a note for the author" in page.content.decode()
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW
    client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [post.pk], "apply": "1",
                                      "note": "Logo is cut off", **seen_fields(post)})
    assert Post.objects.get(pk=post.pk).status == S.DRAFT
    assert ReviewEvent.objects.filter(post=post, note="Logo is cut off").exists()


@pytest.mark.parametrize("decision", ["request_changes", "reject", "approve_comment"])
def test_review_page_decisions_without_a_note_are_refused_with_the_reason(login, editor, submit, decision):
    post = submit()
    client = login(editor)
    response = review(client, post, decision, note="")
    assert response["Location"] == reverse("admin:scheduler_post_change", args=[post.pk])
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW
    text = client.get(response["Location"]).content.decode()
    expected = "Write the comment" if decision == "approve_comment" else "a note is required"
    assert expected in text


def test_approve_with_comment_notifies_the_author_and_shows_in_history(login, editor, social, submit,
                                                                      django_capture_on_commit_callbacks):
    post = submit()
    with django_capture_on_commit_callbacks(execute=True):
        response = review(login(editor), post, "approve_comment", note="Lovely, but tag the roaster next time.")
    assert response.status_code == 302 and response["Location"] == reverse(CHANGELIST)
    post.refresh_from_db()
    assert post.status == S.APPROVED
    note = Notification.objects.get(user=social, kind="post_review")
    assert note.title.startswith("Approved with a comment") and "tag the roaster" in note.body
    assert mail.outbox and "tag the roaster" in mail.outbox[0].body
    detail = login(social).get(reverse("scheduler:post_detail", kwargs={"ws": post.workspace.slug, "pk": post.pk}))
    assert "tag the roaster" in detail.content.decode()


def test_social_managers_cannot_approve_in_the_admin(login, social, submit):
    post = submit()
    client = login(social)
    assert client.get(reverse(CHANGELIST)).status_code == 302  # no admin access at all
    forged = review(client, post, "approve")
    assert forged.status_code == 302 and "login" in forged["Location"]
    forged = client.post(reverse(CHANGELIST), {"action": "approve_selected", "_selected_action": [post.pk]})
    assert forged.status_code == 302 and "login" in forged["Location"]
    app = client.post(reverse("scheduler:post_approve", kwargs={"ws": post.workspace.slug, "pk": post.pk}))
    assert app.status_code == 403
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW


def test_an_editor_of_a_cannot_list_open_filter_or_act_on_posts_of_b(login, editor, submit, other_workspace):
    mine = submit("Mine #a")
    b_account = InstagramAccountFactory(workspace=other_workspace, username="bluebirdbooks")
    theirs = PostFactory(workspace=other_workspace, account=b_account, status=S.IN_REVIEW, caption="Theirs #b")
    client = login(editor)
    listing = client.get(reverse(CHANGELIST), {"queue": "all"})
    html = listing.content.decode()
    assert list(listing.context["cl"].result_list) == [mine]
    assert "bluebirdbooks" not in html and "Bluebird" not in html  # not in rows, nor in filter choices
    forged_filter = client.get(reverse(CHANGELIST), {"account__id__exact": b_account.pk, "queue": "all"})
    assert theirs not in forged_filter.context["cl"].result_list
    for name in ("admin:scheduler_post_change", "admin:scheduler_post_history"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert review(client, theirs, "approve").status_code == 404
    client.post(reverse(CHANGELIST) + "?queue=all", {"action": "approve_selected",
                                                     "_selected_action": [theirs.pk, mine.pk],
                                                     **seen_fields(theirs, mine)})
    assert Post.objects.get(pk=theirs.pk).status == S.IN_REVIEW  # forged id: nothing happened
    assert Post.objects.get(pk=mine.pk).status == S.APPROVED


def test_self_approval_is_blocked_when_the_workspace_forbids_it(login, workspace, submit):
    both = UserFactory(username="ed-writes", role=Role.EDITOR, workspaces=[workspace])
    post = PostFactory(workspace=workspace, status=S.IN_REVIEW, author=both,  # editors do not compose: a factory
                       publish_at=timezone.now() + timedelta(days=1))
    client = login(both)
    page = client.get(reverse("admin:scheduler_post_change", args=[post.pk])).content.decode()
    assert "another editor has to approve it" in page and 'value="approve"' not in page
    review(client, post, "approve")
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW
    workspace.forbid_self_approval = False
    workspace.save()
    review(client, post, "approve")
    assert Post.objects.get(pk=post.pk).status == S.APPROVED


def test_an_expired_review_never_publishes_is_flagged_and_needs_a_new_time(login, editor, social, submit,
                                                                           django_capture_on_commit_callbacks):
    post = submit(hours=2)
    later = timezone.now() + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert reviews_expire() == [post.pk]
        assert reviews_expire() == []  # flagged once
        dispatch_run()
        post.refresh_from_db()
        assert post.status == S.IN_REVIEW and post.review_expired_at == later and not post.attempts.exists()
        told = set(Notification.objects.filter(kind="review_expired").values_list("user__username", flat=True))
        assert told == {social.username, editor.username} and len(mail.outbox) == 1  # one mail, both addressed
        client = login(editor)
        listing = client.get(reverse(CHANGELIST), {"queue": "expired"})
        assert list(listing.context["cl"].result_list) == [post]
        assert "Expired (1)" in client.get(reverse("admin:index")).content.decode()
        review(client, post, "approve")
        assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW  # its time has passed: refused
        new_time = timezone.localtime(later + timedelta(days=1), post.workspace.tzinfo).strftime("%Y-%m-%dT%H:%M")
        review(client, post, "approve", publish_at=new_time)
        post.refresh_from_db()
        assert post.status == S.APPROVED and post.review_expired_at is None and post.publish_at > later


def test_content_edit_after_approval_sends_it_back_and_the_desk_shows_the_diff(login, editor, social, submit):
    post = submit("Old caption #coffee")
    approval_svc.post_approve(user=editor, post=post)
    post.refresh_from_db()
    # Moving the time keeps the approval …
    timing_svc.post_reschedule(user=social, post=post, publish_at=post.publish_at + timedelta(hours=1))
    post.refresh_from_db()
    assert post.status == S.APPROVED
    # … a caption change does not.
    compose_svc.post_update(user=social, post=post, expected_version=post.version, caption="New caption #coffee")
    post.refresh_from_db()
    assert post.status == S.IN_REVIEW and post.content_hash != post.approved_hash
    client = login(editor)
    assert list(client.get(reverse(CHANGELIST), {"queue": "changed"}).context["cl"].result_list) == [post]
    page = client.get(reverse("admin:scheduler_post_change", args=[post.pk]))
    diff = page.context["diff"]
    assert [(d["label"], d["before"], d["after"]) for d in diff] == [
        ("Caption", "Old caption #coffee", "New caption #coffee")]
    assert "Changed since it was approved" in page.content.decode()


def test_editor_caption_fix_is_an_event_the_author_is_told_about(login, editor, social, submit):
    post = submit("Typo caption")
    client = login(editor)
    response = client.post(reverse("admin:scheduler_post_change", args=[post.pk]),
                           {"caption": "Fixed caption", "expected_version": Post.objects.get(pk=post.pk).version})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.caption == "Fixed caption" and post.status == S.IN_REVIEW
    assert ReviewEvent.objects.filter(post=post, action="edited", actor=editor).exists()
    assert Notification.objects.filter(user=social, title__contains="edited your post").exists()


def test_changelist_defaults_to_the_review_queue_oldest_first_with_local_times(login, editor, submit, account):
    with time_machine.travel(timezone.now() - timedelta(hours=5)):
        oldest = submit("Waiting longest")
    newer = submit("Waiting less", hours=3)
    PostFactory(workspace=account.workspace, account=account, status=S.DRAFT, caption="Draft, not in queue")
    page = login(editor).get(reverse(CHANGELIST))
    assert list(page.context["cl"].result_list) == [oldest, newer]
    html = page.content.decode()
    assert "in 3 h" in html and "5 h ago" in html and ("CET" in html or "CEST" in html)
    assert "Draft, not in queue" not in html and 'class="desk-thumb"' in html


def test_changelist_query_count_is_the_same_for_10_and_100_posts(login, editor, workspace, account):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(editor)

    def count(n: int) -> int:
        for _ in range(n - Post.objects.count()):
            post = PostFactory(workspace=workspace, account=account, status=S.IN_REVIEW,
                               publish_at=timezone.now() + timedelta(days=1))
            ReviewEvent.objects.create(post=post, action="submitted", from_status=S.DRAFT, to_status=S.IN_REVIEW)
        client.get(reverse(CHANGELIST))  # warm the session and per-request caches alike
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(CHANGELIST), {"queue": "all"})
        assert response.status_code == 200 and response.context["cl"].result_count == n
        return len(ctx.captured_queries)

    assert count(10) == count(100)


def test_admin_index_counts_awaiting_and_expired(login, editor, submit, workspace):
    submit()
    submit()
    PostFactory(workspace=workspace, status=S.IN_REVIEW, author=editor)  # own post: waits for someone else
    html = login(editor).get(reverse("admin:index")).content.decode()
    assert "Awaiting your review (2)" in html and "Expired (0)" in html
    assert reverse(CHANGELIST) + "?queue=review" in html


def test_media_asset_admin_is_scoped_and_shows_suitability(login, admin_user, workspace, other_workspace):
    mine = MediaAssetFactory(workspace=workspace, title="Ours")
    theirs = MediaAssetFactory(workspace=other_workspace, title="Theirs")
    client = login(admin_user)
    listing = client.get(reverse("admin:scheduler_mediaasset_changelist"))
    assert list(listing.context["cl"].result_list) == [mine] and "desk-fit-ok" in listing.content.decode()
    assert client.get(reverse("admin:scheduler_mediaasset_change", args=[theirs.pk])).status_code == 404


def test_task_admin_is_for_superusers_only(login, admin_user, editor):
    url = reverse("admin:django_q_schedule_changelist")
    assert login(UserFactory(username="root", is_superuser=True, is_staff=True)).get(url).status_code == 200
    assert login(admin_user).get(url).status_code == 403  # a workspace's Administrator: issue 17
    assert login(editor).get(url).status_code == 403


def test_two_approvals_by_different_editors_when_the_workspace_requires_them(login, workspace, editor, social, submit):
    workspace.required_approvals = 2
    workspace.save()
    second = UserFactory(username="erin-editor", role=Role.EDITOR, workspaces=[workspace])
    post = submit("Needs four eyes #coffee")
    review(login(editor), post, "approve")
    post.refresh_from_db()
    assert post.status == S.IN_REVIEW and post.first_approval_by == editor
    page = login(editor).get(reverse("admin:scheduler_post_change", args=[post.pk])).content.decode()
    assert "1 of 2 approvals" in page and "needs a second editor" in page and 'value="approve"' not in page
    review(login(editor), post, "approve")  # the same editor twice: refused
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW
    assert Notification.objects.filter(user=second, title__startswith="Second approval needed").exists()
    # A content change voids the first approval: it counts for the content it was given to.
    compose_svc.post_update(user=social, post=Post.objects.get(pk=post.pk), expected_version=post.version,
                    caption="Changed meanwhile #coffee")
    review(login(second), post, "approve")
    post.refresh_from_db()
    assert post.status == S.IN_REVIEW and post.first_approval_by == second  # a new first approval
    review(login(editor), post, "approve")
    post.refresh_from_db()
    assert post.status == S.APPROVED and post.approved_hash == post.content_hash
    assert list(ReviewEvent.objects.filter(post=post, action__startswith="approved").values_list(
        "action", "actor__username")) == [("approved_first", "eddie-editor"), ("approved_first", "erin-editor"),
                                          ("approved", "eddie-editor")]


def test_clients_have_no_admin_access(login, client_user, submit):
    post = submit()
    client = login(client_user)
    for url in (reverse("admin:index"), reverse(CHANGELIST),
                reverse("admin:scheduler_post_change", args=[post.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert review(client, post, "approve").status_code == 302
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW


# (forbid self-approval, approvals required, how the editor touched the post) → counted as awaiting *their* review?
# Written from issue 17's four-eyes rule, not read from the code: whoever wrote the content since the last approval
# cannot approve it, so it does not wait for them.
AWAITING_CASES = [
    (True, 1, "none", True),
    (True, 1, "author", False),
    (True, 1, "edited", False),
    (True, 1, "edited before the last approval", True),
    (False, 1, "author", True),
    (False, 1, "edited", True),
    (False, 2, "author", False),  # two approvals: four eyes even without the setting
    (False, 2, "edited", False),
]


@pytest.mark.parametrize(("forbid", "required", "touch", "counted"), AWAITING_CASES)
def test_awaiting_your_review_leaves_out_what_you_wrote(login, editor, social, workspace, forbid, required, touch,
                                                        counted):
    workspace.forbid_self_approval, workspace.required_approvals = forbid, required
    workspace.save()
    post = PostFactory(workspace=workspace, status=S.IN_REVIEW, author=editor if touch == "author" else social,
                       publish_at=timezone.now() + timedelta(days=1))
    A = ReviewEvent.Action
    if touch.startswith("edited"):
        ReviewEvent.objects.create(post=post, actor=editor, action=A.EDITED, from_status=S.DRAFT, to_status=S.DRAFT)
    if touch == "edited before the last approval":
        ReviewEvent.objects.create(post=post, actor=social, action=A.APPROVED, from_status=S.IN_REVIEW,
                                   to_status=S.APPROVED)
        ReviewEvent.objects.create(post=post, actor=social, action=A.EDITED, from_status=S.APPROVED,
                                   to_status=S.IN_REVIEW)
    html = login(editor).get(reverse("admin:index")).content.decode()
    assert f"Awaiting your review ({1 if counted else 0})" in html
