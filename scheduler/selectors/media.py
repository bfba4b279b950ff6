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
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.dateparse import parse_datetime

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
        qs = qs.filter(created_at__gte=datetime.combine(f.since, time(), tz))
    if f.until:
        qs = qs.filter(created_at__lt=datetime.combine(f.until + timedelta(days=1), time(), tz))
    qs = qs.annotate(in_use=used_subquery())
    if f.used == "used":
        qs = qs.filter(in_use=True)
    elif f.used == "unused":
        qs = qs.filter(in_use=False)
    return qs


def library_page(
    *, workspace: Workspace, filters: LibraryFilters, cursor: str | None = None, page_size: int = PAGE_SIZE
) -> LibraryPage:
    """One page of the grid in one query (uploader joined, in-use annotated); `next_cursor` is None at the end."""
    _, sort_field, desc = SORTS[filters.sort]
    qs = library_queryset(workspace=workspace, filters=filters).select_related("uploaded_by")
    if cursor:
        decoded = _decode_cursor(cursor, sort_field)
        if decoded is not None:
            value, pk = decoded
            op = "lt" if desc else "gt"
            qs = qs.filter(Q(**{f"{sort_field}__{op}": value}) | Q(**{sort_field: value, f"pk__{op}": pk}))
    prefix = "-" if desc else ""
    rows = list(qs.order_by(f"{prefix}{sort_field}", f"{prefix}pk")[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = _encode_cursor(getattr(rows[-1], sort_field), rows[-1].pk) if more and rows else None
    return LibraryPage(rows, next_cursor)


def library_summary(*, workspace: Workspace) -> tuple[int, list[tuple[int, str]]]:
    """(number of assets, everyone who uploaded some) in one grouped query, for the header and the filter."""
    rows = (
        MediaAsset.objects.filter(workspace=workspace).order_by()
        .values("uploaded_by_id", "uploaded_by__username", "uploaded_by__first_name", "uploaded_by__last_name")
        .annotate(n=Count("id"))
    )
    total, uploaders = 0, []
    for row in rows:
        total += row["n"]
        if row["uploaded_by_id"]:
            full = f"{row['uploaded_by__first_name']} {row['uploaded_by__last_name']}".strip()
            uploaders.append((row["uploaded_by_id"], full or row["uploaded_by__username"]))
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
