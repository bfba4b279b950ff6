"""The calendar as an iCalendar feed (RFC 5545) for Google Calendar / Outlook subscriptions.

Events carry TZID times in the workspace's timezone with a matching VTIMEZONE, so a subscriber in any zone sees
the right instant across daylight-saving changes. Future dates of series are listed one by one (their stored
posts and the dates drawn from the rule), each linking back to its post.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import icalendar
from django.utils import timezone

from accounts.models import Workspace
from scheduler.selectors import calendar as cal

PAST_DAYS = 30
FUTURE_DAYS = 180
EVENT_MINUTES = 15


@lru_cache(maxsize=64)
def _vtimezone(tz: str, year: int) -> icalendar.Timezone:
    # Generating the transitions is the slow part; a feed only needs the years it can show.
    return icalendar.Timezone.from_tzid(tz, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))


def feed(*, user, workspace: Workspace, base_url: str, account_id: int | None = None,  # noqa: ANN001
         now: datetime | None = None) -> bytes:
    """The .ics body of what `user` may see in `workspace` (optionally one account) from 30 days back."""
    now = now or timezone.now()
    zone = workspace.tzinfo
    today = now.astimezone(zone).date()
    win = cal.Window("agenda", today, today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS),
                     today, today, "")
    lo, hi = win.bounds_utc(zone)
    posts = cal.calendar_posts(user=user, workspace=workspace, start_utc=lo, end_utc=hi,
                               filters=cal.Filters(account=account_id))
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Pressroom//Editorial calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Pressroom · {workspace.name}")
    calendar.add("x-wr-timezone", workspace.timezone)
    calendar.add_component(_vtimezone(workspace.timezone, today.year))
    stamp = now.astimezone(UTC)
    detail = f"{base_url.rstrip('/')}/w/{workspace.slug}/posts/{{}}/"
    for post in posts:
        dates = []
        if post.publish_at and lo <= post.publish_at < hi:
            dates.append((post.publish_at, post.status, f"post-{post.pk}"))
        if post.rrule and not post.series_stopped and post.publish_at:
            status = cal.S.APPROVED if post.status not in (cal.S.DRAFT, cal.S.IN_REVIEW) else post.status
            dates += [(t, status, f"series-{post.pk}-{t:%Y%m%dT%H%M%SZ}")
                      for t in cal.virtual_dates(post, workspace.timezone, lo, hi)]
        for instant, status, uid in dates:
            start = instant.astimezone(zone)
            event = icalendar.Event()
            event.add("uid", f"{uid}@{workspace.slug}.pressroom")
            event.add("dtstamp", stamp)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
            title = str(post)
            event.add("summary", f"@{post.account.username} · {post.get_kind_display()}: {title}")
            event.add("description", f"{cal.S(status).label}. {post.caption[:500]}")
            event.add("url", detail.format(post.pk))
            event.add("status", "CANCELLED" if status == cal.S.CANCELLED else (
                "CONFIRMED" if status in (cal.S.APPROVED, cal.S.PUBLISHING, cal.S.PUBLISHED) else "TENTATIVE"))
            event.add("categories", [cal.S(status).label])
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    return calendar.to_ical()
