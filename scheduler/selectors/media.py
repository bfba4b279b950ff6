"""Reads of the media library: a filtered, sorted page of assets with keyset (cursor) pagination.

Keyset pagination keeps page 200 as cheap as page 1: each page asks for rows *after* the last row of the
previous page along the sort key plus the id as a tie-breaker, which the composite indexes serve directly,
instead of OFFSET scanning and discarding everything before it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.dateparse import parse_datetime

from accounts import localtime
from accounts.models import Workspace
from scheduler.models import MediaAsset, PostMedia

PAGE_SIZE = 40

# sort name → (label, field, descending)
SORTS: dict[str, tuple[str, str, bool]] = {
    "newest": ("Newest first", "created_at", True),
    "oldest": ("Oldest first", "created_at", False),
    "title": ("Title A–Z", "title", False),
    "largest": ("Largest first", "size_bytes", True),
}
USES = MediaAsset.USES


@dataclass
class LibraryFilters:
    q: str = ""
    kind: str = ""  # image | video
    suitable: str = ""  # a use: feed | carousel | story | reel
    unsuitable: str = ""  # a use the asset cannot serve
    used: str = ""  # used | unused
    uploader: int | None = None
    since: date | None = None
    until: date | None = None
    sort: str = "newest"
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params: Any) -> LibraryFilters:
        """Read filters from request.GET; unknown values are dropped (and named), never a 500."""
        f = cls(q=(params.get("q") or "").strip()[:200])
        kind = params.get("kind") or ""
        f.kind = kind if kind in MediaAsset.Kind.values else ""
        for name in ("suitable", "unsuitable"):
            use = params.get(name) or ""
            setattr(f, name, use if use in USES else "")
        used = params.get("used") or ""
        f.used = used if used in ("used", "unused") else ""
        uploader = params.get("uploader") or ""
        f.uploader = int(uploader) if uploader.isdigit() else None
        for name, attr in (("from", "since"), ("to", "until")):
            raw = params.get(name) or ""
            if raw:
                try:
                    setattr(f, attr, date.fromisoformat(raw))
                except ValueError:
                    f.errors.append(f"“{raw}” is not a date (use YYYY-MM-DD).")
        sort = params.get("sort") or "newest"
        f.sort = sort if sort in SORTS else "newest"
        return f

    def as_query(self) -> dict[str, str]:
        out = {"q": self.q, "kind": self.kind, "suitable": self.suitable, "unsuitable": self.unsuitable,
               "used": self.used, "uploader": str(self.uploader or ""),
               "from": self.since.isoformat() if self.since else "", "to": self.until.isoformat() if self.until else "",
               "sort": self.sort if self.sort != "newest" else ""}
        return {k: v for k, v in out.items() if v}

    @property
    def active(self) -> bool:
        return bool(set(self.as_query()) - {"sort"})


@dataclass
class LibraryPage:
    assets: list[MediaAsset]
    next_cursor: str | None


def _encode_cursor(value: Any, pk: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort_field: str) -> tuple[Any, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        pk = int(pk)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        return None
    if sort_field == "created_at":
        value = parse_datetime(str(value)) if value else None
        if value is None:
            return None
    elif sort_field == "size_bytes":
        if not isinstance(value, int):
            return None
    elif not isinstance(value, str):
        return None
    return value, pk


def used_subquery() -> Exists:
    return Exists(PostMedia.objects.filter(asset_id=OuterRef("pk")))


def library_queryset(*, workspace: Workspace, filters: LibraryFilters) -> QuerySet[MediaAsset]:
    """The workspace's assets matching `filters`, annotated with `in_use` (any post) — unsorted."""
    qs = MediaAsset.objects.filter(workspace=workspace)
    f = filters
    if f.q:
        for word in f.q.split()[:8]:
            qs = qs.filter(
                Q(title__icontains=word) | Q(original_name__icontains=word) | Q(tags__icontains=word.lstrip("#"))
                | Q(alt_text__icontains=word) | Q(description__icontains=word)
            )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.suitable:
        qs = qs.filter(**{f"suitability__{f.suitable}__ok": True})
    if f.unsuitable:
        qs = qs.filter(**{f"suitability__{f.unsuitable}__ok": False})
    if f.uploader:
        qs = qs.filter(uploaded_by_id=f.uploader)
    tz = workspace.tzinfo
    if f.since:
        qs = qs.filter(created_at__gte=localtime.day_start(f.since, tz))
    if f.until:
        qs = qs.filter(created_at__lt=localtime.day_start(f.until + timedelta(days=1), tz))
    qs = qs.annotate(in_use=used_subquery())
    if f.used == "used":
        qs = qs.filter(in_use=True)
    elif f.used == "unused":
        qs = qs.filter(in_use=False)
    return qs


def library_page(
    *, workspace: Workspace, filters: LibraryFilters, cursor: str | None = None, page_size: int = PAGE_SIZE
) -> LibraryPage:
    """One page of the grid in one query (in-use annotated); `next_cursor` is None at the end."""
    _, sort_field, desc = SORTS[filters.sort]
    qs = library_queryset(workspace=workspace, filters=filters)
    if cursor:
        decoded = _decode_cursor(cursor, sort_field)
        if decoded is not None:
            value, pk = decoded
            op = "lt" if desc else "gt"
            # (field, id) after (value, pk), written so the leading range is index-usable on both databases.
            qs = qs.filter(Q(**{f"{sort_field}__{op}e": value}) & (Q(**{f"{sort_field}__{op}": value}) | Q(**{f"pk__{op}": pk})))
    prefix = "-" if desc else ""
    rows = list(qs.order_by(f"{prefix}{sort_field}", f"{prefix}pk")[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = _encode_cursor(getattr(rows[-1], sort_field), rows[-1].pk) if more and rows else None
    return LibraryPage(rows, next_cursor)


SUMMARY_CACHE_SECONDS = 60


def _summary_key(workspace_id: int) -> str:
    return f"library-summary:{workspace_id}"


def library_summary_forget(workspace_id: int) -> None:
    """Called by the services that add or remove assets, so this process shows the new count at once."""
    cache.delete(_summary_key(workspace_id))


def library_summary(*, workspace: Workspace) -> tuple[int, list[tuple[int, str]]]:
    """(number of assets, everyone who uploaded some), cached for a minute (other processes may show a count up
    to a minute old; the grid itself is never cached)."""
    key = _summary_key(workspace.pk)
    summary = cache.get(key)
    if summary is None:
        summary = _library_summary(workspace)
        cache.set(key, summary, SUMMARY_CACHE_SECONDS)
    return summary


def _library_summary(workspace: Workspace) -> tuple[int, list[tuple[int, str]]]:
    """One query for the header count and the uploader filter.

    Counting per uploader on the (workspace, uploaded_by) index first and joining the few users afterwards
    keeps this a covering-index scan; grouping the joined rows instead costs ~30 ms at 20,000 assets.
    """
    from accounts.models import User

    assets, users = MediaAsset._meta.db_table, User._meta.db_table
    sql = (
        f"SELECT c.uploaded_by_id, c.n, u.username, u.first_name, u.last_name FROM "  # noqa: S608 (no user input)
        f"(SELECT uploaded_by_id, COUNT(*) AS n FROM {assets} WHERE workspace_id = %s GROUP BY uploaded_by_id) c "
        f"LEFT JOIN {users} u ON u.id = c.uploaded_by_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace.pk])
        rows = cursor.fetchall()
    total, uploaders = 0, []
    for uid, n, username, first, last in rows:
        total += n
        if uid and username:
            uploaders.append((uid, f"{first} {last}".strip() or username))
    return total, sorted(uploaders, key=lambda u: u[1].lower())


def asset_detail(*, workspace: Workspace, pk: int) -> MediaAsset | None:
    """One asset with the posts that use it (for the panel and delete's explanation)."""
    items = PostMedia.objects.select_related("post").order_by("post__publish_at", "post_id")
    return (
        MediaAsset.objects.filter(workspace=workspace, pk=pk)
        .select_related("uploaded_by")
        .annotate(in_use=used_subquery())
        .prefetch_related(Prefetch("post_items", queryset=items))
        .first()
    )
