"""The calendar as an iCalendar feed (RFC 5545) for Google Calendar / Outlook subscriptions.

The calendar, its properties and the VTIMEZONE are icalendar components; the VEVENT lines are assembled from
icalendar's value encoders (vText, vDatetime, vUri) and folded here, because icalendar's Component path costs
about 0.3 ms an event, and a busy workspace's feed has thousands. Events carry UTC times (``...Z``, RFC 5545
§3.3.5 form 2) computed from the stored instant, DTEND included: a local time with a TZID cannot say which of two
equal wall times (a fall-back night) is meant, and an end computed on the wall clock is off by the change. Future dates of series are listed one by one (their stored posts and the dates drawn from the rule),
each linking back to its post.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import icalendar
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from accounts import localtime
from accounts.models import Workspace
from accounts.permissions import Action, can, role_of
from scheduler.content import occurrence_status
from scheduler.models import Post, PublishAttempt
from scheduler.selectors import calendar as cal

PAST_DAYS = 14
FUTURE_DAYS = 120
EVENT_MINUTES = 15
CACHE_SECONDS = 300  # as long as the Cache-Control the feed sends; a change to the posts ends it sooner


def fingerprint(*, workspace: Workspace) -> str:
    """Changes whenever a post of the workspace is added, removed, edited, moved or changes status.

    Services bump `version`/`updated_at`; the engine changes `status` (counted per status) and writes attempts.
    """
    counts = {f"n_{value}": Count("id", filter=Q(status=value)) for value in Post.Status.values}
    row = Post.objects.filter(workspace=workspace).aggregate(
        changed=Max("updated_at"), versions=Sum("version"), **counts)
    attempts = PublishAttempt.objects.filter(post__workspace=workspace).aggregate(last=Max("id"))["last"]
    return hashlib.sha256(repr((sorted(row.items()), attempts)).encode()).hexdigest()[:24]


def cached_feed(*, token: str, user, workspace: Workspace, base_url: str,  # noqa: ANN001
                account_id: int | None = None) -> bytes:
    """`feed()`, cached per token, account, what the owner may see, local hour and the workspace's post fingerprint.

    What the owner may see (their role now, and whether it shows drafts) is part of the key, so a role change takes
    effect on the next fetch instead of when the cached body expires.
    """
    hour = timezone.now().astimezone(workspace.tzinfo).strftime("%Y%m%d%H")
    visibility = (role_of(user, workspace), can(user, Action.VIEW_ALL_POSTS, workspace))
    key = f"ics:{token}:{account_id}:{visibility}:{hour}:{fingerprint(workspace=workspace)}:{base_url}"
    key = "ics:" + hashlib.sha256(key.encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = feed(user=user, workspace=workspace, base_url=base_url, account_id=account_id)
        cache.set(key, body, CACHE_SECONDS)
    return body


def feed(*, user, workspace: Workspace, base_url: str, account_id: int | None = None,  # noqa: ANN001
         now: datetime | None = None) -> bytes:
    """The .ics body of what `user` may see in `workspace` (optionally one account), 14 days back to 120 ahead."""
    now = now or timezone.now()
    zone = workspace.tzinfo
    today = localtime.today(zone, now)
    win = cal.Window("agenda", today, today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS),
                     today, today, "")
    lo, hi = win.bounds_utc(zone)
    # Plain rows, not model instances: building thousands of Post objects was a third of the feed's time.
    rows = cal.calendar_posts(user=user, workspace=workspace, start_utc=lo, end_utc=hi,
                              filters=cal.Filters(account=account_id), with_media=False).values(*_ROW)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Pressroom//Editorial calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Pressroom · {workspace.name}")
    calendar.add("x-wr-timezone", workspace.timezone)
    stamp = icalendar.vDatetime(now.astimezone(UTC)).to_ical()
    # Clients see the calendar, not the post page (its history holds internal review notes): link the day.
    full = can(user, Action.VIEW_ALL_POSTS, workspace)
    detail = f"{base_url.rstrip('/')}/w/{workspace.slug}/posts/{{}}/"
    day_link = f"{base_url.rstrip('/')}/w/{workspace.slug}/calendar/?view=day&date={{}}"
    events: list[bytes] = []
    for row in rows:
        post = SimpleNamespace(**row)
        dates = []
        if post.publish_at and lo <= post.publish_at < hi:
            dates.append((post.publish_at, post.status, f"post-{post.id}"))
        if post.rrule and not post.series_stopped and post.publish_at:
            status = occurrence_status(status=post.status, content_hash=post.content_hash,
                                       approved_hash=post.approved_hash)  # the calendar's and publisher's rule
            dates += [(t, status, f"series-{post.id}-{t:%Y%m%dT%H%M%SZ}")
                      for t in cal.virtual_dates(post, workspace.timezone, lo, hi)]
        if not dates:
            continue
        title = (post.caption or "").strip().splitlines()[0][:60] if (post.caption or "").strip() else ""
        kind = _KINDS.get(post.kind, post.kind)
        summary = _text(f"@{post.account__username} · {kind}: {title or f'{kind} #{post.id}'}")
        url = icalendar.vUri(detail.format(post.id)).to_ical() if full else b""
        caption = post.caption[:500]
        for instant, status, uid in dates:
            start = instant.astimezone(UTC)
            end = start + timedelta(minutes=EVENT_MINUTES)  # on the instant: 15 minutes, whatever the clock does
            events += [
                b"BEGIN:VEVENT",
                _fold(b"UID:" + _text(f"{uid}@{workspace.slug}.pressroom")),
                b"DTSTAMP:" + stamp,
                b"DTSTART:" + start.strftime("%Y%m%dT%H%M%SZ").encode(),
                b"DTEND:" + end.strftime("%Y%m%dT%H%M%SZ").encode(),
                _fold(b"SUMMARY:" + summary),
                _fold(b"DESCRIPTION:" + _text(f"{cal.S(status).label}. {caption}")),
                _fold(b"URL:" + (url or icalendar.vUri(day_link.format(instant.astimezone(zone).date().isoformat())).to_ical())),
                b"STATUS:" + _STATUS.get(status, b"TENTATIVE"),
                b"TRANSP:TRANSPARENT",
                b"END:VEVENT",
            ]
    head, tail = calendar.to_ical().rsplit(b"END:VCALENDAR", 1)
    return head + b"\r\n".join(events) + (b"\r\n" if events else b"") + b"END:VCALENDAR" + tail


_ROW = ("id", "publish_at", "status", "rrule", "series_stopped", "occurrence_at", "last_occurrence_at", "caption",
        "kind", "account__username", "content_hash", "approved_hash")
_KINDS = dict(Post.Kind.choices)
_STATUS = {cal.S.APPROVED: b"CONFIRMED", cal.S.PUBLISHING: b"CONFIRMED", cal.S.PUBLISHED: b"CONFIRMED",
           cal.S.CANCELLED: b"CANCELLED"}


def _text(value: str) -> bytes:
    return icalendar.vText(value).to_ical()


def _fold(line: bytes) -> bytes:
    """RFC 5545 §3.1: lines longer than 75 octets continue on the next line after CRLF + space (UTF-8 safe)."""
    if len(line) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(line):
        end = min(start + limit, len(line))
        while end < len(line) and (line[end] & 0xC0) == 0x80:  # never split a multi-byte character
            end -= 1
        parts.append(line[start:end])
        start, limit = end, 74
    return b"\r\n ".join(parts)
