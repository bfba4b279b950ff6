"""Issue 23 by keyboard only: the calendar's skip link and roving focus lead to a card, Enter opens its actions, a
Move returns focus to the moved card; the lightbox takes focus and gives it back; dialogs keep Tab inside."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduler.models import Post
from tests.archive.factories import make_profile
from tests.browser_support import sign_in
from tests.factories import InstagramAccountFactory
from tests.scheduler.post_factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE = "() => { const a = document.activeElement; return a ? (a.id || a.className || a.tagName) : ''; }"


def test_keyboard_reaches_a_card_moves_it_and_focus_returns_to_it(browser_page, live_server, client, social,
                                                                    workspace):
    zone = workspace.tzinfo
    day = (timezone.now().astimezone(zone) + timedelta(days=1)).date()
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    post = PostFactory(workspace=workspace, account=account, status=Post.Status.APPROVED,
                       publish_at=datetime.combine(day, time(20, 0), tzinfo=zone))
    page = browser_page
    sign_in(page, client, social, live_server.url)
    page.goto(reverse("scheduler:calendar", kwargs={"ws": workspace.slug}) + f"?view=month&date={day:%Y-%m-%d}")
    page.focus("a.skip-link[href='#calendar-grid']")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "calendar-grid"
    page.keyboard.press("Tab")  # the one cell in the tab order
    assert page.evaluate("() => document.activeElement.matches('td.cal-day')")
    for _ in range(45):  # arrow keys walk the days until the post's
        if page.evaluate("() => document.activeElement.dataset.date") == f"{day:%Y-%m-%d}":
            break
        page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.dataset.date") == f"{day:%Y-%m-%d}"
    assert page.locator("#calendar-grid [tabindex='0']").count() == 1
    page.keyboard.press("Enter")  # into the day's posts
    assert page.evaluate("() => document.activeElement.id") == f"card-p{post.pk}"
    page.keyboard.press("Enter")  # the card's actions
    assert page.evaluate("() => document.activeElement.className") == "cal-move"
    page.keyboard.press("Enter")  # the Move dialog
    page.locator("#move-at").wait_for()
    assert page.evaluate("() => document.activeElement.id") == "move-at"
    page.fill("#move-at", f"{day:%Y-%m-%d}T21:00")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#card-p{post.pk}")
    page.wait_for_function(f"() => document.activeElement && document.activeElement.id === 'card-p{post.pk}'")
    post.refresh_from_db()
    assert post.publish_at == datetime.combine(day, time(21, 0), tzinfo=zone)


def test_the_lightbox_takes_focus_keeps_it_and_gives_it_back(browser_page, live_server, client, client_user,
                                                             workspace, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    profile = make_profile(workspace, posts=4)
    page = browser_page
    sign_in(page, client, client_user, live_server.url)
    page.goto(reverse("archive:gallery", kwargs={"ws": workspace.slug, "pk": profile.pk}))
    tiles = page.locator("#tile-grid .tile-link")
    tiles.first.focus()
    page.keyboard.press("Enter")
    page.locator("#lightbox").wait_for(state="visible")
    assert page.evaluate("() => document.activeElement.id") == "lb-close"
    for _ in range(8):  # Tab never leaves the modal lightbox
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement.closest('#lightbox')"), page.evaluate(ACTIVE)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('lightbox').dataset.index === '1'")
    page.keyboard.press("Escape")
    page.locator("#lightbox").wait_for(state="hidden")
    # Back on the tile of the post last shown (the second, after one ArrowRight); the focus moves after the close.
    page.wait_for_function("() => document.activeElement === document.querySelectorAll('#tile-grid .tile-link')[1]")


def test_the_confirm_dialog_keeps_tab_inside_and_returns_to_its_button(browser_page, live_server, client, editor,
                                                                       workspace):
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    post = PostFactory(workspace=workspace, account=account, status=Post.Status.IN_REVIEW,
                       publish_at=timezone.now() + timedelta(days=2))
    page = browser_page
    sign_in(page, client, editor, live_server.url)
    page.goto(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}))
    page.fill("textarea[name=note]", "Not this week.")
    page.locator("button[data-confirm]").first.focus()
    page.keyboard.press("Enter")
    page.locator("dialog.confirm-dialog").wait_for(state="visible")
    for _ in range(5):
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement.closest('dialog.confirm-dialog')"), page.evaluate(ACTIVE)
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('button[data-confirm]')")
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW


def test_dragging_a_published_card_says_why_it_cannot_move(browser_page, live_server, client, social, workspace):
    zone = workspace.tzinfo
    day = (timezone.now().astimezone(zone) - timedelta(days=1)).date()
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    post = PostFactory(workspace=workspace, account=account, status=Post.Status.PUBLISHED,
                       publish_at=datetime.combine(day, time(9, 0), tzinfo=zone))
    page = browser_page
    sign_in(page, client, social, live_server.url)
    page.goto(reverse("scheduler:calendar", kwargs={"ws": workspace.slug}) + f"?view=agenda&date={day:%Y-%m-%d}")
    page.drag_and_drop(f"#card-p{post.pk}", ".cal-agenda-day >> nth=-1")
    page.wait_for_function("() => document.querySelector('#calendar-flash').textContent.includes('already published')")
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and post.publish_at == datetime.combine(day, time(9, 0), tzinfo=zone)


def test_review_desk_sort_arrow_matches_the_order_and_waiting_since_is_not_clipped(browser_page, live_server, client,
                                                                                   editor, social, workspace):
    from scheduler.services import approval as approval_svc

    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    first = PostFactory(workspace=workspace, account=account, status=Post.Status.DRAFT, author=social,
                        caption="Waiting longest", publish_at=timezone.now() + timedelta(days=5))
    approval_svc.post_submit(user=social, post=first)
    second = PostFactory(workspace=workspace, account=account, status=Post.Status.DRAFT, author=social,
                         caption="Waiting shortest", publish_at=timezone.now() + timedelta(days=1))
    approval_svc.post_submit(user=social, post=second)
    page = browser_page
    sign_in(page, client, editor, live_server.url)
    page.goto(reverse("admin:scheduler_post_changelist") + "?status__exact=in_review")
    rows = page.locator("#result_list tbody tr")
    assert "Waiting longest" in rows.nth(0).inner_text() and "Waiting shortest" in rows.nth(1).inner_text()
    # The arrow is on "Waiting since", ascending (oldest first), not on a column the list is not sorted by.
    assert page.locator("#result_list thead th.column-waiting.sorted.ascending").count() == 1
    assert page.locator("#result_list thead th.column-waiting .sortpriority").inner_text().strip() == "1"
    assert page.locator("#result_list thead th.sorted.descending").count() == 0
    # At 1400 px the column is whole: its header and cells end inside the results box, without a scrollbar.
    assert page.evaluate("() => { const r = document.querySelector('#changelist .results');"
                         " return r.scrollWidth <= r.clientWidth; }")
    assert page.evaluate("() => { const th = document.querySelector('#result_list th.column-waiting');"
                         " return th.getBoundingClientRect().right <= window.innerWidth; }")
