"""Named reads of the archive: profiles, the gallery page (filters + keyset cursor), runs, snapshots, files."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime

from accounts import localtime
from accounts.models import InstagramAccount, Workspace
from archive.models import ArchivedMedia, ArchivedPost, ArchivedProfile, ArchiveRun

PAGE_SIZE = 48
TYPES = [("IMAGE", "Photos"), ("VIDEO", "Videos"), ("CAROUSEL_ALBUM", "Carousels")]


@dataclass
class GalleryFilters:
    q: str = ""
    type: str = ""
    since: date | None = None
    until: date | None = None
    deleted: bool = False
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params: Any) -> GalleryFilters:
        """From request.GET; an unknown value is dropped (and named), never a 500."""
        f = cls(q=(params.get("q") or "").strip()[:200], deleted=params.get("deleted") == "1")
        kind = params.get("type") or ""
        f.type = kind if kind in dict(TYPES) else ""
        for name, attr in (("from", "since"), ("to", "until")):
            raw = (params.get(name) or "").strip()
            if raw:
                try:
                    setattr(f, attr, date.fromisoformat(raw))
                except ValueError:
                    f.errors.append(f"“{raw[:20]}” is not a date (use YYYY-MM-DD).")
        if f.since and f.until and f.since > f.until:
            f.errors.append("The “from” date is after the “to” date; they were swapped.")
            f.since, f.until = f.until, f.since
        return f

    @property
    def active(self) -> bool:
        return bool(self.q or self.type or self.since or self.until or self.deleted)

    def as_query(self) -> dict[str, str]:
        out = {"q": self.q, "type": self.type, "from": self.since.isoformat() if self.since else "",
               "to": self.until.isoformat() if self.until else "", "deleted": "1" if self.deleted else ""}
        return {k: v for k, v in out.items() if v}

    def apply(self, qs: QuerySet[ArchivedPost], tz: Any) -> QuerySet[ArchivedPost]:
        if self.type:
            qs = qs.filter(media_type=self.type)
        if self.q:
            qs = qs.filter(caption__icontains=self.q)
        # Dates are the workspace's calendar days, turned into UTC bounds.
        if self.since:
            qs = qs.filter(taken_at__gte=localtime.day_start(self.since, tz))
        if self.until:
            qs = qs.filter(taken_at__lt=localtime.day_start(self.until + timedelta(days=1), tz))
        if self.deleted:
            qs = qs.filter(deleted_on_instagram=True)
        return qs


def _active_runs() -> Prefetch:
    return Prefetch("runs", queryset=ArchiveRun.objects.filter(state__in=ArchiveRun.ACTIVE_STATES), to_attr="active_runs")


def profile_list(*, workspace: Workspace) -> list[ArchivedProfile]:
    return list(
        ArchivedProfile.objects.filter(workspace=workspace)
        .annotate(post_total=Count("posts", distinct=True),
                  deleted_total=Count("posts", filter=Q(posts__deleted_on_instagram=True), distinct=True))
        .prefetch_related(_active_runs())
        .order_by("username")
    )


def profile_detail(*, workspace: Workspace, pk: int) -> ArchivedProfile:
    profile = get_object_or_404(
        ArchivedProfile.objects.select_related("account").prefetch_related(_active_runs()), workspace=workspace, pk=pk
    )
    profile.workspace = workspace  # already loaded by the policy check
    return profile


def profile_stats(*, profile: ArchivedProfile) -> dict[str, int]:
    posts = ArchivedPost.objects.filter(profile=profile).aggregate(
        total=Count("id"), deleted=Count("id", filter=Q(deleted_on_instagram=True)))
    media = ArchivedMedia.objects.filter(post__profile=profile).aggregate(
        total=Count("id"), stored=Count("id", filter=Q(state="done")), failed=Count("id", filter=Q(state="failed")))
    return {"posts": posts["total"], "deleted": posts["deleted"], "media": media["total"], "stored": media["stored"],
            "failed": media["failed"]}


def own_accounts_not_archived(*, workspace: Workspace) -> list[InstagramAccount]:
    archived = ArchivedProfile.objects.filter(workspace=workspace).values("ig_user_id")
    return list(InstagramAccount.objects.filter(workspace=workspace).exclude(ig_user_id__in=archived)
                .exclude(status=InstagramAccount.Status.DISCONNECTED).order_by("username"))


@dataclass
class GalleryPage:
    posts: list[ArchivedPost]
    next_cursor: str | None


def _encode(post: ArchivedPost) -> str:
    return base64.urlsafe_b64encode(f"{post.taken_at.isoformat()}|{post.pk}".encode()).decode()


def _decode(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        stamp, _, pk = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        when = parse_datetime(stamp)
        return (when, int(pk)) if when else None
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def _media_prefetch() -> Prefetch:
    return Prefetch("media", queryset=ArchivedMedia.objects.only(
        "id", "post_id", "order", "kind", "state", "thumbnail", "file", "mime_type", "error", "size_bytes"
    ).order_by("order"))


def gallery_posts(*, profile: ArchivedProfile, filters: GalleryFilters) -> QuerySet[ArchivedPost]:
    qs = ArchivedPost.objects.filter(profile=profile)
    return filters.apply(qs, profile.workspace.tzinfo)


def gallery_page(*, profile: ArchivedProfile, filters: GalleryFilters, cursor: str | None,
                 size: int = PAGE_SIZE) -> GalleryPage:
    """Newest first, keyset-paginated on (taken_at, id): page 50 costs what page 1 costs."""
    qs = gallery_posts(profile=profile, filters=filters)
    after = _decode(cursor)
    if after:
        qs = qs.filter(Q(taken_at__lt=after[0]) | Q(taken_at=after[0], id__lt=after[1]))
    posts = list(qs.order_by("-taken_at", "-id").prefetch_related(_media_prefetch())[: size + 1])
    more = len(posts) > size
    posts = posts[:size]
    return GalleryPage(posts, _encode(posts[-1]) if more and posts else None)


def gallery_count(*, profile: ArchivedProfile, filters: GalleryFilters) -> int:
    return gallery_posts(profile=profile, filters=filters).count()


def export_posts(*, profile: ArchivedProfile, filters: GalleryFilters) -> Iterator[ArchivedPost]:
    """Every selected post with its media, oldest first, fetched in chunks (an export never loads them all)."""
    qs = gallery_posts(profile=profile, filters=filters).order_by("taken_at", "id")
    return qs.prefetch_related(Prefetch("media", queryset=ArchivedMedia.objects.order_by("order"))).iterator(
        chunk_size=200)


def post_detail(*, workspace: Workspace, pk: int) -> ArchivedPost:
    return get_object_or_404(ArchivedPost.objects.select_related("profile").prefetch_related(_media_prefetch()),
                             workspace=workspace, pk=pk)


def media_file(*, workspace: Workspace, pk: int) -> ArchivedMedia:
    return get_object_or_404(ArchivedMedia.objects.select_related("post"), workspace=workspace, pk=pk)


def run_detail(*, workspace: Workspace, pk: int) -> ArchiveRun:
    return get_object_or_404(ArchiveRun.objects.select_related("profile", "profile__workspace"),
                             profile__workspace=workspace, pk=pk)


def recent_runs(*, profile: ArchivedProfile, limit: int = 8) -> list[ArchiveRun]:
    return list(profile.runs.order_by("-created_at", "-id")[:limit])


def deleted_posts(*, profile: ArchivedProfile, limit: int = 100) -> list[ArchivedPost]:
    return list(ArchivedPost.objects.filter(profile=profile, deleted_on_instagram=True)
                .prefetch_related(_media_prefetch()).order_by("-deleted_detected_at", "-taken_at")[:limit])


def snapshot_series(*, profile: ArchivedProfile) -> list[tuple[datetime, int | None, int | None]]:
    """(time, followers, media count), one point per day (the day's last), for the chart."""
    by_day: dict[date, tuple[datetime, int | None, int | None]] = {}
    for taken_at, followers, media in profile.snapshots.order_by("taken_at").values_list(
            "taken_at", "followers_count", "media_count").iterator(chunk_size=2000):
        by_day[taken_at.date()] = (taken_at, followers, media)
    return list(by_day.values())
