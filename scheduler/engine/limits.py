"""Publishing limits: the per-account daily cap (workspace's local day) and Instagram's 24-hour quota."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts import localtime
from accounts.models import InstagramAccount
from instagram.client import GraphClient
from scheduler.models import Post


@dataclass(frozen=True)
class Deferral:
    until: datetime
    reason: str


def daily_cap(account: InstagramAccount) -> int:
    return account.daily_post_cap or account.workspace.daily_post_cap


def local_day_bounds(now: datetime, tz) -> tuple[datetime, datetime]:  # noqa: ANN001
    return localtime.day_bounds(localtime.today(tz, now), tz)


def check_daily_cap(*, account: InstagramAccount, now: datetime) -> Deferral | None:
    tz = account.workspace.tzinfo
    start, end = local_day_bounds(now, tz)
    cap = daily_cap(account)
    published = Post.objects.filter(
        account=account, status=Post.Status.PUBLISHED, published_at__gte=start, published_at__lt=end
    ).count()
    if published < cap:
        return None
    return Deferral(
        until=end,
        reason=(
            f"@{account.username} already published {published} posts today (daily cap {cap}, "
            f"{account.workspace.timezone}); waiting until {end.strftime('%a %d %b %H:%M')} local time."
        ),
    )


def check_quota(*, account: InstagramAccount, client: GraphClient, now: datetime) -> Deferral | None:
    """Instagram's moving 24-hour window, read at run time (its size differs between Meta's pages)."""
    limit = client.content_publishing_limit(account.ig_user_id, since=int((now - timedelta(hours=24)).timestamp()))
    if limit.remaining > 0:
        return None
    # The window frees a slot 24 h after the oldest publish inside it; we know our own publishes.
    oldest = (
        Post.objects.filter(account=account, status=Post.Status.PUBLISHED, published_at__gte=now - timedelta(hours=24))
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    until = (oldest + timedelta(hours=24, minutes=1)) if oldest else now + timedelta(hours=1)
    return Deferral(
        until=max(until, now + timedelta(minutes=5)),
        reason=(
            f"Instagram's publishing limit for @{account.username} is used up "
            f"({limit.quota_usage} of {limit.quota_total} in 24 hours); trying again when the window frees a slot."
        ),
    )
