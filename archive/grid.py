"""What is on an account's profile now, for the grid planner (settings.GRID_LIVE_SOURCE names this function).

The workspace's own archive of the account (an archived profile connected to it, or with its username): posts not
deleted on Instagram, pinned first (the listing order tells, see services/listing.py), then newest first.
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from accounts.models import InstagramAccount
from archive.models import ArchivedMedia, ArchivedPost
from scheduler.selectors.grid import LiveItem

_MEDIA = {ArchivedPost.Type.CAROUSEL: "carousel", ArchivedPost.Type.VIDEO: "reel", ArchivedPost.Type.IMAGE: "feed"}


def live_items(*, account: InstagramAccount, limit: int) -> list[LiveItem]:
    first = ArchivedMedia.objects.filter(post=OuterRef("pk")).order_by("order", "id")
    rows = (ArchivedPost.objects.filter(workspace_id=account.workspace_id, deleted_on_instagram=False)
            .filter(Q(profile__account_id=account.pk) | Q(profile__username__iexact=account.username))
            .only("id", "ig_id", "media_type", "taken_at", "pinned", "permalink", "caption")
            .annotate(cover_id=Subquery(first.values("id")[:1]), cover_thumb=Subquery(first.values("thumbnail")[:1]))
            .order_by("-pinned", "-taken_at", "-id")[:limit])
    url = reverse("archive:media_thumb", kwargs={"ws": account.workspace.slug, "pk": 0})
    prefix = url[: -len("0/thumb")] + "{}/thumb"
    return [LiveItem(key=f"a{p.pk}", at=p.taken_at, media=_MEDIA.get(p.media_type, "feed"),
                     thumb=prefix.format(p.cover_id) if p.cover_thumb else "", pinned=p.pinned,
                     permalink=p.permalink, ig_id=p.ig_id, caption=p.caption) for p in rows]
