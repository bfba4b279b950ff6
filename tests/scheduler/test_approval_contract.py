"""Issue 17 — an approval means exactly what the reviewer saw, and nothing gets around it.

Points 1 (the version seen), 2 (four eyes), 3 (the repeat is approved), 4 (series dates follow the series' review),
5 (the review page tells the truth) and 10 (bad ids, confirmations), each at the service and at the HTTP level;
two signed-in clients in one test where two people act at once.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.permissions import Role
from scheduler import ical, recurrence
from scheduler.content import occurrence_status, projected_status
from scheduler.engine.series import series_materialize_next
from scheduler.models import Post, ReviewEvent
from scheduler.rules import TransitionError
from scheduler.selectors import calendar as cal
from scheduler.services import approval as approval_svc
from scheduler.services import compose as compose_svc
from scheduler.services.calendar import calendar_move
from scheduler.services.lifecycle import StaleReviewError
from tests.factories import UserFactory
from tests.scheduler.calendar_support import local
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory
from tests.scheduler.post_fixtures import NOW
from tests.scheduler.review_support import seen

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
S = Post.Status
CHANGELIST = "admin:scheduler_post_changelist"


def signed_in(user) -> Client:  # noqa: ANN001
    """A second (third…) browser: its own client and session."""
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def app_url(name: str, post: Post) -> str:
    return reverse(f"scheduler:{name}", kwargs={"ws": post.workspace.slug, "pk": post.pk})


def page_seen(html: str) -> str:
    return re.search(r'name="seen_hash" value="([0-9a-f]{64})"', html).group(1)


@pytest.fixture
def second_editor(workspace):
    return UserFactory(username="erin-editor", role=Role.EDITOR, workspaces=[workspace])


@pytest.fixture
def submitted(workspace, account, social):
    """submitted(caption, rrule=…) → a post the social manager composed and sent for review."""

    def make(caption: str = "Autumn menu #coffee", rrule: str = "", at=None) -> Post:  # noqa: ANN001
        post = compose_svc.post_create(user=social, workspace=workspace, account=account, kind="feed",
                                       caption=caption, asset_ids=[MediaAssetFactory(workspace=workspace).pk],
                                       publish_at=at or NOW + timedelta(days=1), rrule=rrule)
        return approval_svc.post_submit(user=social, post=post)

    return make


def edit(user, post: Post, **fields) -> Post:  # noqa: ANN001, ANN003
    fresh = Post.objects.get(pk=post.pk)
    return compose_svc.post_update(user=user, post=fresh, expected_version=fresh.version, **fields)


def composer_edit(client: Client, post: Post, caption: str) -> None:
    """The author changes the caption in the app's composer (a plain form post)."""
    post = Post.objects.get(pk=post.pk)
    when = post.publish_at.astimezone(post.workspace.tzinfo).strftime("%Y-%m-%dT%H:%M")
    items = list(post.items.order_by("position"))
    response = client.post(app_url("post_edit", post), {
        "account": post.account_id, "kind": post.kind, "caption": caption, "when": "at", "publish_at": when,
        "expected_version": post.version, "item_asset": [i.asset_id for i in items],
        "item_alt": [i.alt_text for i in items], "intent": "draft"})
    assert response.status_code == 302, response.content.decode()[:2000]


# --- 1. an approval covers the version the reviewer saw -------------------------------------------------------


@pytest.mark.parametrize("decide", [
    lambda user, post, seen_hash: approval_svc.post_approve(user=user, post=post, seen_hash=seen_hash),
    lambda user, post, seen_hash: approval_svc.post_reject(user=user, post=post, note="No", seen_hash=seen_hash),
    lambda user, post, seen_hash: approval_svc.post_request_changes(user=user, post=post, note="Hm",
                                                                    seen_hash=seen_hash),
], ids=["approve", "reject", "request_changes"])
def test_a_decision_on_a_version_that_changed_is_refused_with_the_diff(editor, social, submitted, decide):
    post = submitted("Autumn menu #coffee")
    on_screen = seen(post)
    edit(social, post, caption="Autumn menu, now with pumpkin #coffee")  # stays in review
    with pytest.raises(StaleReviewError) as refused:
        decide(editor, Post.objects.get(pk=post.pk), on_screen)
    assert "changed since you opened it" in refused.value.message
    assert refused.value.diff == [{"key": "caption", "label": "Caption", "before": "Autumn menu #coffee",
                                   "after": "Autumn menu, now with pumpkin #coffee"}]
    fresh = Post.objects.get(pk=post.pk)
    assert fresh.status == S.IN_REVIEW and not ReviewEvent.objects.filter(
        post=post, action__in=["approved", "rejected", "changes_requested"]).exists()
    decide(editor, fresh, seen(post))  # the version now on screen: decided
    assert Post.objects.get(pk=post.pk).status != S.IN_REVIEW


def test_the_first_of_two_approvals_is_bound_to_the_version_seen(workspace, editor, social, submitted):
    workspace.required_approvals = 2
    workspace.save()
    post = submitted()
    on_screen = seen(post)
    edit(social, post, caption="Changed under the first reviewer")
    with pytest.raises(StaleReviewError):
        approval_svc.post_approve(user=editor, post=Post.objects.get(pk=post.pk), seen_hash=on_screen)
    assert Post.objects.get(pk=post.pk).first_approval_by is None


def test_two_browsers_the_stale_review_page_is_refused_then_the_new_version_approved(editor, social, submitted):
    post = submitted("Autumn menu #coffee")
    desk = signed_in(editor)
    author = signed_in(social)
    change = reverse("admin:scheduler_post_change", args=[post.pk])
    stale = page_seen(desk.get(change).content.decode())
    composer_edit(author, post, "Autumn menu — pumpkin spice is back #coffee")

    answer = desk.post(reverse("admin:scheduler_post_review", args=[post.pk]),
                       {"decision": "approve", "seen_hash": stale, "note": ""})
    assert answer.status_code == 302 and answer["Location"] == change
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW
    page = desk.get(change).content.decode()
    assert "This post changed since you opened it" in page
    assert "Autumn menu #coffee" in page and "pumpkin spice is back" in page  # what was seen, what is there now
    fresh = page_seen(page)
    assert fresh != stale
    desk.post(reverse("admin:scheduler_post_review", args=[post.pk]), {"decision": "approve", "seen_hash": fresh})
    post.refresh_from_db()
    assert post.status == S.APPROVED
    assert ReviewEvent.objects.get(post=post, action="approved").content["caption"].startswith("Autumn menu — pumpkin")


def test_two_browsers_on_the_app_post_page(editor, social, submitted):
    post = submitted("Latte art Friday #coffee")
    reviewer, author = signed_in(editor), signed_in(social)
    stale = page_seen(reviewer.get(app_url("post_detail", post)).content.decode())
    composer_edit(author, post, "Latte art Saturday #coffee")
    answer = reviewer.post(app_url("post_approve", post), {"seen_hash": stale}, HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert answer.status_code == 422 and "changed since you opened it" in html
    assert "Latte art Friday" in html and "Latte art Saturday" in html
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW
    # Without JavaScript the refusal and the diff come back on the post page after the redirect.
    answer = reviewer.post(app_url("post_approve", post), {"seen_hash": stale}, follow=True)
    assert "Latte art Friday" in answer.content.decode() and "What you saw" in answer.content.decode()
    reviewer.post(app_url("post_approve", post), {"seen_hash": page_seen(answer.content.decode())})
    assert Post.objects.get(pk=post.pk).status == S.APPROVED


def test_bulk_approve_skips_the_posts_that_changed_and_says_why(editor, social, submitted):
    one, two = submitted("First post #a"), submitted("Second post #b")
    desk, author = signed_in(editor), signed_in(social)
    listing = desk.get(reverse(CHANGELIST)).content.decode()
    rows = dict(re.findall(r'name="seen_(\d+)" value="([0-9a-f]{64})"', listing))
    assert set(rows) == {str(one.pk), str(two.pk)}
    composer_edit(author, two, "Second post, rewritten #b")
    answer = desk.post(reverse(CHANGELIST), {"action": "approve_selected", "_selected_action": [one.pk, two.pk],
                                             **{f"seen_{k}": v for k, v in rows.items()}}, follow=True)
    body = answer.content.decode()
    assert "Approved 1 post." in body and "Skipped 1 post" in body
    assert "changed since you opened it" in body and "(caption)" in body
    assert Post.objects.get(pk=one.pk).status == S.APPROVED and Post.objects.get(pk=two.pk).status == S.IN_REVIEW
    # A forged bulk decision that says nothing about what it saw decides nothing.
    desk.post(reverse(CHANGELIST), {"action": "approve_selected", "_selected_action": [two.pk]})
    assert Post.objects.get(pk=two.pk).status == S.IN_REVIEW


# --- 2. four eyes means four eyes ------------------------------------------------------------------------------


def test_whoever_changed_the_content_may_not_approve_it(workspace, editor, second_editor, social, submitted):
    assert workspace.forbid_self_approval
    post = submitted("Their words #coffee")
    edit(editor, post, caption="My words now #coffee")  # an editor rewrites someone else's caption
    with pytest.raises(TransitionError, match="You changed this post's content since it was last approved"):
        approval_svc.post_approve(user=editor, post=Post.objects.get(pk=post.pk), seen_hash=seen(post))
    approval_svc.post_approve(user=second_editor, post=Post.objects.get(pk=post.pk), seen_hash=seen(post))
    assert Post.objects.get(pk=post.pk).status == S.APPROVED
    # After an approval the slate is clean: the next round's writers are the ones who change it next.
    edit(second_editor, post, caption="Fixed a typo #coffee")
    post = Post.objects.get(pk=post.pk)
    assert post.status == S.IN_REVIEW
    approval_svc.post_approve(user=editor, post=post, seen_hash=seen(post))  # the editor did not write this round
    assert Post.objects.get(pk=post.pk).status == S.APPROVED


def test_two_approvals_come_from_two_people_neither_of_whom_wrote_it(workspace, editor, second_editor, social,
                                                                    submitted):
    workspace.required_approvals = 2
    workspace.forbid_self_approval = False  # two approvals imply four eyes whatever this says
    workspace.save()
    third = UserFactory(username="ezra-editor", role=Role.EDITOR, workspaces=[workspace])
    post = submitted("Two of us #coffee")
    edit(third, post, caption="Two of us, edited #coffee")
    with pytest.raises(TransitionError, match="changed this post's content"):
        approval_svc.post_approve(user=third, post=Post.objects.get(pk=post.pk), seen_hash=seen(post))
    approval_svc.post_approve(user=editor, post=Post.objects.get(pk=post.pk), seen_hash=seen(post))
    with pytest.raises(TransitionError, match="You gave the first approval"):
        approval_svc.post_approve(user=editor, post=Post.objects.get(pk=post.pk), seen_hash=seen(post))
    approval_svc.post_approve(user=second_editor, post=Post.objects.get(pk=post.pk), seen_hash=seen(post))
    assert Post.objects.get(pk=post.pk).status == S.APPROVED


def test_two_browsers_an_editor_who_fixed_the_caption_cannot_approve_it(editor, second_editor, social, submitted):
    post = submitted("Pumkin spice #coffee")
    fixer, other = signed_in(editor), signed_in(second_editor)
    change = reverse("admin:scheduler_post_change", args=[post.pk])
    fixer.post(change, {"caption": "Pumpkin spice #coffee", "expected_version": Post.objects.get(pk=post.pk).version,
                        "_continue": "1"})
    assert Post.objects.get(pk=post.pk).caption == "Pumpkin spice #coffee"
    page = fixer.get(change).content.decode()
    assert "You changed this post&#x27;s content since it was last approved" in page and 'value="approve"' not in page
    fixer.post(reverse("admin:scheduler_post_review", args=[post.pk]),
               {"decision": "approve", "seen_hash": page_seen(page)})
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW
    page = other.get(change).content.decode()
    other.post(reverse("admin:scheduler_post_review", args=[post.pk]),
               {"decision": "approve", "seen_hash": page_seen(page)})
    assert Post.objects.get(pk=post.pk).status == S.APPROVED


# --- 3. the repeat rule is part of what is approved -------------------------------------------------------------

START = NOW + timedelta(days=1)  # Tuesday 4 May 2027, 10:00 Berlin

# (old rule, new rule, is it an extension?) — from the words, not from the code.
EXTENSIONS = [
    ("", "FREQ=DAILY;COUNT=200", True),  # a one-off starts repeating
    ("FREQ=DAILY;COUNT=10", "FREQ=DAILY;COUNT=20", True),  # more dates
    ("FREQ=WEEKLY;UNTIL=20270601T000000Z", "FREQ=WEEKLY;UNTIL=20271201T000000Z", True),  # later UNTIL
    ("FREQ=WEEKLY;COUNT=10", "FREQ=DAILY;COUNT=10", False),  # denser but ends sooner: no date past the approved end
    ("FREQ=WEEKLY", "FREQ=DAILY", True),  # higher frequency
    ("FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU,TH", True),  # more days
    ("FREQ=DAILY;COUNT=10", "FREQ=DAILY", True),  # COUNT removed
    ("FREQ=WEEKLY;UNTIL=20270601T000000Z", "FREQ=WEEKLY", True),  # UNTIL removed
    ("FREQ=DAILY;COUNT=20", "FREQ=DAILY;COUNT=5", False),  # shortened
    ("FREQ=WEEKLY", "FREQ=WEEKLY;COUNT=3", False),  # given an end
    ("FREQ=DAILY", "FREQ=WEEKLY", False),  # less often
    ("FREQ=WEEKLY", "", False),  # stopped
]


@pytest.mark.parametrize(("old", "new", "extends"), EXTENSIONS)
def test_which_rule_changes_extend_a_repeat(old, new, extends):
    assert recurrence.is_extension(old_rule=old, new_rule=new, old_start_utc=START, new_start_utc=START,
                                   tz="Europe/Berlin") is extends


def test_moving_a_series_is_not_extending_it():
    assert not recurrence.is_extension(old_rule="FREQ=WEEKLY;COUNT=5", new_rule="FREQ=WEEKLY;COUNT=5;BYDAY=WE",
                                       old_start_utc=START, new_start_utc=START + timedelta(days=1),
                                       tz="Europe/Berlin")


def test_an_approved_post_turned_into_a_long_series_goes_back_to_review(editor, social, submitted):
    post = submitted("One-off #coffee")
    approval_svc.post_approve(user=editor, post=post, seen_hash=seen(post))
    edit(social, post, rrule="FREQ=DAILY;COUNT=200")
    post = Post.objects.get(pk=post.pk)
    assert post.status == S.IN_REVIEW
    note = ReviewEvent.objects.filter(post=post).latest("id").note
    assert "adds dates that were not approved" in note
    # Its future dates are no longer approved either: they follow the series, now in review.
    assert projected_status(post) == S.IN_REVIEW
    approval_svc.post_approve(user=editor, post=post, seen_hash=seen(post))
    edit(social, post, rrule="FREQ=DAILY;COUNT=20")  # shortened: still approved
    assert Post.objects.get(pk=post.pk).status == S.APPROVED
    edit(social, post, rrule="")  # stopped repeating: still approved
    assert Post.objects.get(pk=post.pk).status == S.APPROVED


def test_the_review_page_shows_the_repeat_change_in_the_diff(login, editor, social, submitted):
    post = submitted("One-off #coffee")
    approval_svc.post_approve(user=editor, post=post, seen_hash=seen(post))
    author = signed_in(social)
    when = post.publish_at.astimezone(post.workspace.tzinfo).strftime("%Y-%m-%dT%H:%M")
    item = post.items.get()
    response = author.post(app_url("post_edit", post), {
        "account": post.account_id, "kind": "feed", "caption": post.caption, "when": "at", "publish_at": when,
        "expected_version": Post.objects.get(pk=post.pk).version, "item_asset": [item.asset_id], "item_alt": [""],
        "repeat": "custom", "rrule": "FREQ=DAILY;COUNT=200", "intent": "draft"})
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW
    page = login(editor).get(reverse("admin:scheduler_post_change", args=[post.pk])).content.decode()
    diff = page.split("Changed since it was approved")[1].split("</table>")[0]
    assert "Repeats" in diff and "Does not repeat" in diff and "Every day at 10:00, 200 times" in diff


# --- 4. a series' dates follow its review -------------------------------------------------------------------


def test_moving_one_date_of_a_series_in_review_makes_no_review_items(workspace, editor, social, submitted):
    root = submitted("Tip of the week", rrule="FREQ=WEEKLY;COUNT=6", at=local(workspace, "2027-05-04 10:00"))
    single = calendar_move(user=social, post=root, publish_at=local(workspace, "2027-05-20 09:00"),
                           expected_version=Post.objects.get(pk=root.pk).version, scope="this",
                           occurrence_utc=local(workspace, "2027-05-18 10:00"))
    pieces = Post.objects.filter(caption="Tip of the week")
    assert pieces.count() == 3 and set(pieces.values_list("status", flat=True)) == {S.IN_REVIEW}
    assert list(pieces.filter(review_follows__isnull=True).values_list("pk", flat=True)) == [root.pk]
    approval_svc.post_approve(user=editor, post=Post.objects.get(pk=root.pk), seen_hash=seen(root))
    assert set(pieces.values_list("status", flat=True)) == {S.APPROVED}  # approved with the series
    rest = pieces.exclude(pk__in=[root.pk, single.pk]).get()
    assert projected_status(rest) == S.APPROVED  # and the dates still drawn from its rule
    # A split-off date whose content changes has a review of its own, saying why.
    edit(social, single, caption="Tip of the week — special edition")
    single.refresh_from_db()
    assert single.status == S.IN_REVIEW and single.review_follows_id is None
    assert "Content changed after approval" in ReviewEvent.objects.filter(post=single).latest("id").note


def test_moving_a_date_of_an_approved_series_keeps_it_approved(workspace, editor, social, submitted):
    root = submitted("Weekly tip", rrule="FREQ=WEEKLY", at=local(workspace, "2027-05-04 10:00"))
    approval_svc.post_approve(user=editor, post=root, seen_hash=seen(root))
    moved = calendar_move(user=social, post=Post.objects.get(pk=root.pk),
                          publish_at=local(workspace, "2027-05-26 09:00"),
                          expected_version=Post.objects.get(pk=root.pk).version, scope="following",
                          occurrence_utc=local(workspace, "2027-05-25 10:00"))
    assert moved.status == S.APPROVED and Post.objects.get(pk=root.pk).status == S.APPROVED


def test_moving_a_stored_date_and_the_following_ones_keeps_them_with_the_series(workspace, editor, social,
                                                                              submitted):
    root = submitted("Stored tip", rrule="FREQ=WEEKLY;COUNT=6", at=local(workspace, "2027-05-04 10:00"))
    stored = series_materialize_next(post=root)  # the engine stored the next date while the series waits
    assert stored.status == S.IN_REVIEW
    moved = calendar_move(user=social, post=stored, publish_at=local(workspace, "2027-05-12 09:00"),
                          expected_version=stored.version, scope="following")
    assert moved.pk == stored.pk and moved.review_follows_id == root.pk
    queue = set(Post.objects.filter(status=S.IN_REVIEW, review_follows__isnull=True).values_list("pk", flat=True))
    assert queue == {root.pk}
    approval_svc.post_approve(user=editor, post=Post.objects.get(pk=root.pk), seen_hash=seen(root))
    assert Post.objects.get(pk=stored.pk).status == S.APPROVED


def test_rejecting_and_resubmitting_the_series_takes_its_dates_along(workspace, editor, social, submitted):
    root = submitted("Tip", rrule="FREQ=WEEKLY;COUNT=6", at=local(workspace, "2027-05-04 10:00"))
    calendar_move(user=social, post=root, publish_at=local(workspace, "2027-05-20 09:00"),
                  expected_version=Post.objects.get(pk=root.pk).version, scope="this",
                  occurrence_utc=local(workspace, "2027-05-18 10:00"))
    approval_svc.post_reject(user=editor, post=Post.objects.get(pk=root.pk), note="Not yet", seen_hash=seen(root))
    assert set(Post.objects.filter(caption="Tip").values_list("status", flat=True)) == {S.DRAFT}
    approval_svc.post_submit(user=social, post=Post.objects.get(pk=root.pk))
    assert set(Post.objects.filter(caption="Tip").values_list("status", flat=True)) == {S.IN_REVIEW}


def test_two_browsers_a_date_dragged_while_in_review_is_approved_with_its_series(workspace, editor, social,
                                                                                 submitted):
    root = submitted("Series tip", rrule="FREQ=WEEKLY;COUNT=6", at=local(workspace, "2027-05-04 10:00"))
    planner, desk = signed_in(social), signed_in(editor)
    occurrence = int(local(workspace, "2027-05-18 10:00").timestamp())
    answer = planner.post(reverse("scheduler:calendar_move", kwargs={"ws": workspace.slug, "pk": root.pk}),
                          {"at": "2027-05-20T09:00", "version": Post.objects.get(pk=root.pk).version,
                           "scope": "this", "occurrence": occurrence})
    assert answer.status_code == 302
    queue = desk.get(reverse(CHANGELIST))
    assert [p.pk for p in queue.context["cl"].result_list] == [root.pk]  # one submission, one review item
    page = desk.get(reverse("admin:scheduler_post_change", args=[root.pk])).content.decode()
    desk.post(reverse("admin:scheduler_post_review", args=[root.pk]),
              {"decision": "approve", "seen_hash": page_seen(page)})
    assert set(Post.objects.filter(caption="Series tip").values_list("status", flat=True)) == {S.APPROVED}


def test_calendar_feed_and_publisher_agree_on_a_series_date(workspace, editor, social, account):
    """A MANUAL series edited after approval: the calendar, the feed and the next stored date all say "draft"."""
    root = PostFactory(workspace=workspace, account=account, status=S.MANUAL, manual_reason="music",
                       publish_at=local(workspace, "2027-05-04 10:00"), occurrence_at=local(workspace, "2027-05-04 10:00"),
                       rrule="FREQ=WEEKLY", caption="Music Monday", author=social)
    edit(social, root, caption="Music Monday, new track")
    root = Post.objects.get(pk=root.pk)
    assert root.status == S.MANUAL and root.approved_hash != root.content_hash
    expected = S.DRAFT  # not the approved content: it needs review again before any date goes out
    assert occurrence_status(status=root.status, content_hash=root.content_hash,
                             approved_hash=root.approved_hash) == expected
    assert projected_status(root) == expected
    board = cal.build(user=social, workspace=workspace, view="month", anchor=local(workspace, "2027-05-10 10:00").date(),
                      filters=cal.Filters())
    assert {e.status for e in board.entries if e.virtual} == {expected}
    body = ical.feed(user=social, workspace=workspace, base_url="http://testserver").decode()
    series_events = [e for e in body.split("BEGIN:VEVENT")[1:] if f"UID:series-{root.pk}-" in e]
    assert series_events and all("DESCRIPTION:Draft." in e and "STATUS:TENTATIVE" in e for e in series_events)
    assert series_materialize_next(post=root).status == expected


# --- 5. the review page tells the whole truth ----------------------------------------------------------------


def test_the_review_page_tells_the_whole_truth(login, workspace, editor, social, account):
    wide = MediaAssetFactory(workspace=workspace, width=1600, height=900, thumbnail="thumbs/w.jpg")
    tall = MediaAssetFactory(workspace=workspace, width=1080, height=1350, thumbnail="thumbs/t.jpg")
    post = compose_svc.post_create(user=social, workspace=workspace, account=account, kind="carousel",
                                   caption="Two shapes #coffee", asset_ids=[wide.pk, tall.pk],
                                   publish_at=local(workspace, "2027-05-10 10:00"), rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20271231T220000Z")
    approval_svc.post_submit(user=social, post=post)
    calendar_move(user=social, post=Post.objects.get(pk=post.pk), publish_at=local(workspace, "2027-05-19 11:00"),
                  expected_version=Post.objects.get(pk=post.pk).version, scope="this",
                  occurrence_utc=local(workspace, "2027-05-17 10:00"))
    page = login(editor).get(reverse("admin:scheduler_post_change", args=[post.pk])).content.decode()
    # The repeat in words, with its next dates, every time in the workspace's zone.
    # The repeat in words (its rule now ends where the moved date was cut out), the dates that follow its review.
    assert "Every Monday at 10:00 until 17 May 2027" in page
    assert "Next dates (Europe/Berlin)" in page and "Mon 10 May 2027, 10:00" in page
    follows = page.split("Decided with it")[1].split("</ul>")[0]
    assert "Wed 19 May 2027, 11:00 (Europe/Berlin)" in follows
    assert "Mon 24 May 2027, 10:00 (Europe/Berlin) — Every Monday at 10:00 until 31 Dec 2027" in follows
    assert "Mon 10 May 2027, 10:00 (Europe/Berlin)" in page  # Details: the time with its zone, not bare UTC
    history = page.split('class="review-history"')[1].split("</ol>")[0]
    assert "(Europe/Berlin)" in history
    assert "submitted it for review" in history and "moved one date of the series" in history
    assert "Draft → In review" in history
    for internal in ("seriesdatemoved", "in_review", "series_date_moved"):
        assert internal not in history
    # The media's real shape (1600×900 → 16:9), and the composer's own crop warning.
    assert "aspect-ratio: 1.7778 / 1" in page
    crop = "Instagram crops every carousel item to the first one&#x27;s shape; item 2 has another shape."
    assert crop in page
    composer = login(social).get(app_url("post_edit", post)).content.decode()
    assert crop in composer


# --- 10. bad ids are 404; irreversible buttons ask first ---------------------------------------------------------


def test_bad_ids_are_404_not_500(login, editor):
    client = login(editor)
    assert client.post("/admin/scheduler/post/abc/review/", {"decision": "approve"}).status_code == 404
    assert client.get("/admin/scheduler/post/abc/change/").status_code == 404
    assert client.post("/admin/scheduler/post/99999/review/", {"decision": "approve"}).status_code == 404


@pytest.mark.parametrize(("slug", "status", "done"), [
    ("cancel", S.APPROVED, S.CANCELLED), ("publish-now", S.APPROVED, S.APPROVED),
    ("stop-series", S.APPROVED, S.CANCELLED), ("reject", S.IN_REVIEW, S.DRAFT),
])
def test_irreversible_actions_ask_first_without_javascript(login, editor, social, workspace, account, slug, status,
                                                           done):
    user = editor if slug == "reject" else social
    post = PostFactory(workspace=workspace, account=account, status=status, author=social,
                       publish_at=NOW + timedelta(days=2), occurrence_at=NOW + timedelta(days=2), rrule="FREQ=WEEKLY")
    client = login(user)
    detail = client.get(app_url("post_detail", post)).content.decode()
    assert re.search(rf'/posts/{post.pk}/{slug}"[^>]*>.*?data-confirm="[^"]+"', detail, re.S)
    assert "js/confirm.js" in detail and "<script>" not in detail
    url = reverse(f"scheduler:post_{slug.replace('-', '_')}", kwargs={"ws": workspace.slug, "pk": post.pk})
    fields = {"note": "Not this one", "seen_hash": seen(post)}
    asked = client.post(url, fields)
    assert asked.status_code == 200 and 'name="confirmed" value="1"' in asked.content.decode()
    assert 'name="note" value="Not this one"' in asked.content.decode()  # nothing typed is lost
    assert Post.objects.get(pk=post.pk).status == status and Post.objects.get(pk=post.pk).version == post.version
    client.post(url, {**fields, "confirmed": "1"})
    assert Post.objects.get(pk=post.pk).status == done
    assert Post.objects.get(pk=post.pk).version > post.version


def test_reject_on_the_review_desk_asks_first(login, editor, submitted):
    post = submitted()
    client = login(editor)
    page = client.get(reverse("admin:scheduler_post_change", args=[post.pk])).content.decode()
    assert 'value="reject"' in page and "data-confirm=" in page and "js/confirm.js" in page
    url = reverse("admin:scheduler_post_review", args=[post.pk])
    asked = client.post(url, {"decision": "reject", "note": "Off brand", "seen_hash": page_seen(page)})
    assert asked.status_code == 200 and "Reject this post?" in asked.content.decode()
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW
    client.post(url, {"decision": "reject", "note": "Off brand", "seen_hash": page_seen(page), "confirmed": "1"})
    assert Post.objects.get(pk=post.pk).status == S.DRAFT


def test_publish_now_on_manual_content_says_where_it_goes(login, social, workspace, account):
    manual = PostFactory(workspace=workspace, account=account, status=S.APPROVED, manual_reason="music",
                         publish_at=NOW + timedelta(days=1))
    plain = PostFactory(workspace=workspace, account=account, status=S.APPROVED, publish_at=NOW + timedelta(days=1))
    client = login(social)
    page = client.get(app_url("post_detail", manual)).content.decode()
    assert "Send to the manual queue" in page and ">Publish now<" not in page
    assert ">Publish now<" in client.get(app_url("post_detail", plain)).content.decode()
    answer = client.post(app_url("post_publish_now", manual), {"confirmed": "1"}, follow=True)
    assert "Sent to the manual queue" in answer.content.decode()
