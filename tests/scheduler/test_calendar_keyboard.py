"""Issue 23, keyboard and no-JS path of the calendar: a refused Move keeps what was typed and says what is wrong in
words; a move that goes through returns to the moved card, not the page top; the skip link and roving focus markup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.scheduler.calendar_support import local, post_at, series_at

NOW = datetime(2027, 3, 10, 11, 47, tzinfo=UTC)  # 12:47 in Europe/Berlin
pytestmark = pytest.mark.usefixtures("frozen_at_module_now")  # tests/scheduler/calendar_support.py


def test_a_refused_move_keeps_the_typed_time_and_says_what_to_pick(login, social, workspace):
    post = series_at(workspace, local(workspace, "2027-03-20 10:00"))
    c = login(social)
    move = reverse("scheduler:calendar_move", kwargs={"ws": workspace.slug, "pk": post.pk})
    r = c.post(move, {"at": "2027-03-10T09:15", "version": post.version, "scope": "following", "view": "week",
                      "date": "2027-03-08"})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'value="2027-03-10T09:15"' in html  # what the user typed, not the post's time
    assert "Pick a time after 12:47 today." in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="move-at-error"' in html
    assert 'value="following" checked' in html  # the chosen scope is kept too
    post.refresh_from_db()
    assert post.publish_at == local(workspace, "2027-03-20 10:00")


def test_a_move_without_javascript_returns_to_the_moved_card(login, social, workspace):
    post = post_at(workspace, local(workspace, "2027-03-20 10:00"))
    c = login(social)
    move = reverse("scheduler:calendar_move", kwargs={"ws": workspace.slug, "pk": post.pk})
    r = c.post(move, {"at": "2027-03-21T10:00", "version": post.version, "view": "month", "date": "2027-03-01"})
    assert r.status_code == 302 and r["Location"].endswith(f"#card-p{post.pk}")
    post.refresh_from_db()
    assert post.publish_at == local(workspace, "2027-03-21 10:00")


def test_the_calendar_has_a_skip_link_and_one_tab_stop_in_the_grid(login, social, workspace):
    post_at(workspace, local(workspace, "2027-03-20 10:00"))
    post_at(workspace, local(workspace, "2027-03-22 10:00"))
    html = login(social).get(reverse("scheduler:calendar", kwargs={"ws": workspace.slug}),
                             {"view": "month", "date": "2027-03-01"}).content.decode()
    assert 'href="#calendar-grid"' in html and 'id="calendar-grid"' in html
    assert html.count('tabindex="0"') == 1  # roving focus: one day cell is in the tab order, the others are -1


def test_on_a_sunday_the_week_view_shows_the_coming_week_too(login, social, workspace):
    coming = post_at(workspace, local(workspace, "2027-03-18 10:00"))
    c = login(social)
    url = reverse("scheduler:calendar", kwargs={"ws": workspace.slug})
    sunday = c.get(url, {"view": "week", "date": "2027-03-14"}).content.decode()  # 14 March 2027 is a Sunday
    assert "14 Mar – 21 Mar 2027" in sunday
    assert f'id="card-p{coming.pk}"' in sunday and 'data-date="2027-03-14"' in sunday
    monday = c.get(url, {"view": "week", "date": "2027-03-15"}).content.decode()
    assert "15 Mar – 21 Mar 2027" in monday  # other days: Monday to Sunday as before
