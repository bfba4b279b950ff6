"""Issue 18 in Chromium: a browser in Los Angeles drags cards of a Berlin workspace across both daylight-saving changes,
forward and back; the server's policy decides what the wall time means, and the page says so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_support import sign_in
from tests.scheduler.calendar_support import local, post_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/wt/screens/i18")


def cal_url(ws, view: str, day: str) -> str:  # noqa: ANN001
    return reverse("scheduler:calendar", kwargs={"ws": ws.slug}) + f"?view={view}&date={day}"


@pytest.fixture
def la_page(browser_page, live_server, social):
    """A browser context set to America/Los_Angeles (the workspace is Europe/Berlin), signed in as social."""
    context = browser_page.context.browser.new_context(viewport={"width": 1400, "height": 1000},
                                                       base_url=live_server.url, timezone_id="America/Los_Angeles")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, Client(), social, live_server.url)
    yield page
    context.close()


def shot(page, name: str) -> None:  # noqa: ANN001
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_month_drag_into_the_spring_gap_and_back(la_page, workspace):
    page = la_page
    post = post_at(workspace, local(workspace, "2027-03-26 02:30"), caption="Night roast")  # Friday, CET
    page.goto(cal_url(workspace, "month", "2027-03-01"))
    expect(page.locator("#tz-note")).to_contain_text("America/Los_Angeles")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/Los_Angeles"

    page.drag_and_drop(f"#card-p{post.pk}", 'td[data-date="2027-03-28"]')  # Sunday: 02:00–02:59 does not exist
    expect(page.locator("#calendar-flash")).to_contain_text(
        "02:30 does not exist on 28 March in Europe/Berlin; it will publish at 03:30")
    post.refresh_from_db()
    assert post.publish_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST
    expect(page.locator(f'td[data-date="2027-03-28"] #card-p{post.pk} time')).to_have_text("03:30")
    shot(page, "month-spring-gap")

    page.drag_and_drop(f"#card-p{post.pk}", 'td[data-date="2027-03-25"]')  # back over the change: keeps 03:30
    expect(page.locator("#calendar-flash")).to_contain_text("Moved to Thu 25 Mar 2027, 03:30")
    post.refresh_from_db()
    assert post.publish_at == datetime(2027, 3, 25, 2, 30, tzinfo=UTC)  # 03:30 CET


def test_week_drag_onto_the_second_pass_of_the_fall_back_hour_and_back(la_page, workspace):
    page = la_page
    post = post_at(workspace, local(workspace, "2027-10-28 10:30"), caption="Autumn blend")  # Thursday, CEST
    page.goto(cal_url(workspace, "week", "2027-10-28"))
    repeated = page.locator('td[data-date="2027-10-31"][data-hour="2"]')
    expect(repeated.locator(".cal-fold-label")).to_have_text(["02:00 CEST (first)", "02:00 CET (second)"])
    assert page.locator('td.cal-gap').count() == 0  # this week has no missing hour

    second = 'td[data-date="2027-10-31"][data-hour="2"] .cal-fold[data-fold="1"]'
    page.locator(second).scroll_into_view_if_needed()  # the week opens scrolled to the working day
    page.drag_and_drop(f"#card-p{post.pk}", second)
    expect(page.locator("#calendar-flash")).to_contain_text("it will publish at 02:30 CET (second)")
    post.refresh_from_db()
    assert post.publish_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # the week drag kept the card's :30
    card = page.locator(f'td[data-date="2027-10-31"][data-hour="2"] .cal-fold[data-fold="1"] #card-p{post.pk}')
    expect(card.locator("time")).to_have_text("02:30 CET")
    other = post_at(workspace, local(workspace, "2027-10-31 02:30"), caption="First pass")  # 02:30 CEST
    page.reload()
    expect(page.locator(f"#card-p{other.pk} time")).to_have_text("02:30 CEST")  # two 02:30s, told apart
    titles = [page.locator(f"#card-p{p.pk} time").get_attribute("title") for p in (other, post)]
    assert "02:30 CEST Europe/Berlin" in titles[0] and "02:30 CET Europe/Berlin" in titles[1]
    assert all("your time (America/Los_Angeles)" in t for t in titles)  # and the browser's own zone below
    shot(page, "week-fall-back")

    page.locator('td[data-date="2027-10-29"][data-hour="15"]').scroll_into_view_if_needed()
    page.drag_and_drop(f"#card-p{post.pk}", 'td[data-date="2027-10-29"][data-hour="15"]')  # back over the change
    expect(page.locator("#calendar-flash")).to_contain_text("Moved to Fri 29 Oct 2027, 15:30")
    post.refresh_from_db()
    assert post.publish_at == datetime(2027, 10, 29, 13, 30, tzinfo=UTC)  # 15:30 CEST


def test_composer_says_it_as_you_type_and_keeps_the_chosen_pass(la_page, workspace, account):
    page = la_page
    page.goto(reverse("scheduler:post_create", kwargs={"ws": workspace.slug}) + "?at=2027-06-01T10:00")
    page.locator("#composer").wait_for()
    when = page.locator("input[name=publish_at]")
    when.fill("2027-03-28T02:30")
    expect(page.locator("#time-note-slot")).to_contain_text(
        "02:30 does not exist on 28 March in Europe/Berlin; it will publish at 03:30")
    when.fill("2027-10-31T02:30")
    expect(page.locator("#time-note-slot")).to_contain_text("02:30 happens twice on 31 October")
    expect(page.locator("input[name=publish_at_fold][value='0']")).to_be_checked()  # the first, by default
    page.get_by_label("02:30 CET (second)").check()
    expect(page.locator("#time-note-slot")).to_contain_text("it will publish at 02:30 CET (second)")
    expect(page.locator("input[name=publish_at_fold][value='1']")).to_be_checked()  # the answer came back chosen
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.locator("#when-section").screenshot(path=str(SHOTS / "composer-twice.png"))
