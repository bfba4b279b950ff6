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
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import icalendar
from django.db import connection
from django.db.models import Count, F, Max, Q, Sum, Value
from django.db.models.functions import StrIndex
from django.utils import timezone

from accounts import localtime
from accounts.models import Workspace
from accounts.permissions import Action, can, role_of
from scheduler.content import occurrence_status
from scheduler.models import Post
from scheduler.selectors import calendar as cal
from scheduler.selectors.calendar_cells import db_instant

PAST_DAYS = 14
FUTURE_DAYS = 120
EVENT_MINUTES = 15
# Longer than any transaction that writes posts takes to commit, plus any clock difference between the app's hosts
# (see `etag`).
RECENT = timedelta(minutes=5)
RECENT_ROWS = 200  # more written within RECENT of the newest write: a bulk write, see `etag`


def _window(workspace: Workspace, now: datetime) -> tuple[datetime, datetime]:
    today = localtime.today(workspace.tzinfo, now)
    win = cal.Window("agenda", today, today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS),
                     today, today, "")
    return win.bounds_utc(workspace.tzinfo)


def etag(*, user, workspace: Workspace, base_url: str, account_id: int | None = None,  # noqa: ANN001
         now: datetime | None = None) -> str:
    """The feed's ETag without rendering it, from a few index entries whatever the window holds:

    - the workspace's latest writes: every write to a post moves its `updated_at` (Post's queryset and `save()` see
      to it, inserts included), so the newest one, and every post written within `RECENT` of it with its version
      and status, change whenever a post does — even one whose transaction committed after a newer one's (its
      `updated_at` is older than the newest, but within `RECENT` of it);
    - the workspace's count of deleted posts (a deletion moves no `updated_at`; Post's deletes count themselves);
    - the window's first day (a post enters or leaves the window as the days pass), what the owner may see (a
      client's feed differs from a manager's, so the two never share a tag), the account and the site's address.

    After a bulk write (more than RECENT_ROWS posts within RECENT of the newest, e.g. an import) it also sums the
    window's versions and statuses, as it did before (about 10 ms at 50,000 posts)."""
    now = now or timezone.now()
    lo, hi = _window(workspace, now)
    posts = Post.objects.filter(workspace=workspace)
    written = posts.filter(updated_at__isnull=False)  # the partial index post_last_change's condition: its reads
    row: dict[str, Any] = written.aggregate(changed=Max("updated_at"))  # one index entry
    row["deleted"] = workspace.posts_deleted  # the workspace as this request read it (the feed's token lookup)
    recent = []
    if row["changed"] is not None:
        recent = list(written.filter(updated_at__gte=row["changed"] - RECENT).order_by("-updated_at", "-id")
                      .values_list("id", "updated_at", "version", "status")[: RECENT_ROWS + 1])
    row["recent"] = recent
    if len(recent) > RECENT_ROWS:
        if account_id:
            posts = posts.filter(account_id=account_id)
        # The engine changes a status without a version: a sum of id x the status's place in one string of them
        # all (no status is part of another) moves with any status change.
        places = Value(",".join(Post.Status.values))
        row.update(posts.filter(publish_at__gte=lo, publish_at__lt=hi).aggregate(
            n=Count("id"), ids=Sum("id"), versions=Sum("version"),
            statuses=Sum(StrIndex(places, F("status")) * F("id"))))
        roots = posts.filter(series_stopped=False, publish_at__lt=lo).exclude(rrule="").aggregate(
            n=Count("id"), ids=Sum("id"), versions=Sum("version"))
        row.update({f"root_{k}": v for k, v in roots.items()})
    # What the owner may see now (their role in this workspace, and whether it shows drafts): a role change gives a
    # new tag, so the next fetch follows the role (issue 17).
    seen = (role_of(user, workspace), can(user, Action.VIEW_ALL_POSTS, workspace), getattr(user, "pk", None))
    key = repr((sorted(row.items()), lo, seen, account_id, base_url, workspace.timezone, workspace.name))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def feed(*, user, workspace: Workspace, base_url: str, account_id: int | None = None,  # noqa: ANN001
         now: datetime | None = None) -> bytes:
    """The whole .ics body at once (tests, small feeds); the view streams `stream()`."""
    return b"".join(stream(user=user, workspace=workspace, base_url=base_url, account_id=account_id, now=now))


STREAM_EVENTS = 1000  # posts read (and their events sent) per chunk of the response


def stream(*, user, workspace: Workspace, base_url: str, account_id: int | None = None,  # noqa: ANN001
           now: datetime | None = None) -> Iterator[bytes]:
    """The .ics body of what `user` may see in `workspace` (optionally one account), PAST_DAYS back to FUTURE_DAYS
    ahead, in chunks: rows are read with iterator() and each chunk of events is sent as it is made, so memory stays
    flat and the cost grows with the events of the window only."""
    now = now or timezone.now()
    zone = workspace.tzinfo
    lo, hi = _window(workspace, now)
    # Plain rows, not model instances: building thousands of Post objects was a third of the feed's time. The live
    # series roots (a few, with their last stored date) apart from the thousands of other posts, which need neither;
    # those are read as the cursor gives them (no per-row converters), through Django's chunked cursor (server-side
    # on PostgreSQL), so memory stays flat.
    posts = cal.calendar_posts(user=user, workspace=workspace, start_utc=lo, end_utc=hi,
                               filters=cal.Filters(account=account_id), with_media=False)
    live_root = Q(series_stopped=False, publish_at__lt=hi) & ~Q(rrule="")
    roots = [SimpleNamespace(**row) for row in posts.filter(live_root).values(*_ROW)]
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Pressroom//Editorial calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Pressroom · {workspace.name}")
    calendar.add("x-wr-timezone", workspace.timezone)
    head, tail = calendar.to_ical().rsplit(b"END:VCALENDAR", 1)
    yield head
    stamp = icalendar.vDatetime(now.astimezone(UTC)).to_ical()
    # Clients see the calendar, not the post page (its history holds internal review notes): link the day.
    full = can(user, Action.VIEW_ALL_POSTS, workspace)
    detail = f"{base_url.rstrip('/')}/w/{workspace.slug}/posts/{{}}/"
    day_link = f"{base_url.rstrip('/')}/w/{workspace.slug}/calendar/?view=day&date={{}}"
    host = f"@{workspace.slug}.pressroom".encode()
    # DTSTART, DTEND and the day link of an instant, made once per distinct instant (posts share their minutes).
    times: dict[Any, tuple[datetime, bytes, bytes, bytes]] = {}

    def when(value: Any) -> tuple[datetime, bytes, bytes, bytes]:
        got = times.get(value)
        if got is None:
            instant = db_instant(value).astimezone(UTC)
            end = instant + timedelta(minutes=EVENT_MINUTES)  # on the instant: 15 minutes, whatever the clock does
            link = b"" if full else _fold(b"URL:" + day_link.format(instant.astimezone(zone).date().isoformat()).encode())
            got = times[value] = (instant, _utc(instant), _utc(end), link)
        return got

    chunk: list[bytes] = []

    def events(pk: int, caption: str, kind_code: str, username: str, dates: list[tuple[Any, str, bytes]]) -> None:
        caption = caption or ""
        first = caption.strip()
        title = first.splitlines()[0][:60] if first else ""
        kind = _KINDS.get(kind_code, kind_code)
        summary = _fold(b"SUMMARY:" + _text(f"@{username} · {kind}: {title or f'{kind} #{pk}'}"))
        url = _fold(b"URL:" + detail.format(pk).encode()) if full else b""  # a URI value is its text (vUri)
        short = caption[:500]
        described: dict[str, bytes] = {}  # a series' dates share their text
        for value, status, uid in dates:
            description = described.get(status)
            if description is None:
                description = described[status] = _fold(b"DESCRIPTION:" + _text(f"{_LABELS[status]}. {short}"))
            _, start, end, link = when(value)
            chunk.append(_EVENT % (_fold(b"UID:" + uid + host), stamp, start, end, summary, description, url or link,
                                   _STATUS.get(status, b"TENTATIVE")))

    for post in roots:
        dates: list[tuple[Any, str, bytes]] = []
        if post.publish_at and lo <= post.publish_at < hi:
            dates.append((post.publish_at, post.status, b"post-%d" % post.id))
        if not post.series_stopped and post.publish_at:
            status = occurrence_status(status=post.status, content_hash=post.content_hash,
                                       approved_hash=post.approved_hash)  # the calendar's and publisher's rule
            dates += [(t, status, f"series-{post.id}-{t:%Y%m%dT%H%M%SZ}".encode())
                      for t in cal.virtual_dates(post, workspace.timezone, lo, hi)]
        if dates:
            events(post.id, post.caption, post.kind, post.account__username, dates)
    sql, params = posts.exclude(live_root).values_list(*_PLAIN).query.get_compiler(using=posts.db).as_sql()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(STREAM_EVENTS):
            for pk, at, status, caption, kind, username in rows:
                events(pk, caption, kind, username, [(at, status, b"post-%d" % pk)])
            yield b"".join(chunk)
            chunk.clear()
    yield b"".join(chunk) + b"END:VCALENDAR" + tail


# One VEVENT: UID, DTSTAMP, DTSTART, DTEND, SUMMARY, DESCRIPTION, URL, STATUS (each line already folded).
_EVENT = (b"BEGIN:VEVENT\r\n%s\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\n%s\r\n%s\r\n%s\r\nSTATUS:%s\r\n"
          b"TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n")
_ROW = ("id", "publish_at", "status", "rrule", "series_stopped", "occurrence_at", "last_occurrence_at", "caption",
        "kind", "account__username", "content_hash", "approved_hash")
_PLAIN = ("id", "publish_at", "status", "caption", "kind", "account__username")
_KINDS = dict(Post.Kind.choices)
_LABELS = dict(Post.Status.choices)
_STATUS = {cal.S.APPROVED: b"CONFIRMED", cal.S.PUBLISHING: b"CONFIRMED", cal.S.PUBLISHED: b"CONFIRMED",
           cal.S.CANCELLED: b"CANCELLED"}


def _text(value: str) -> bytes:
    """RFC 5545 §3.3.11 TEXT escaping, the same as icalendar's vText in the same order (a literal \\N is a line
    break; CRLF, CR and LF each become one \\n), without building a vText (its parameters object cost more than the
    escaping, thousands of times a feed). Each replace only where its character occurs: most captions have none."""
    if "\\" in value:
        value = value.replace("\\N", "\n").replace("\\", "\\\\")
    if ";" in value:
        value = value.replace(";", "\\;")
    if "," in value:
        value = value.replace(",", "\\,")
    if "\r" in value or "\n" in value:
        value = value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return value.encode()


def _utc(instant: datetime) -> bytes:
    """20270327T090000Z (RFC 5545 §3.3.5 form 2) for an aware instant, from isoformat() (cheaper than strftime)."""
    iso = instant.astimezone(UTC).isoformat()
    return f"{iso[0:4]}{iso[5:7]}{iso[8:10]}T{iso[11:13]}{iso[14:16]}{iso[17:19]}Z".encode()


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
