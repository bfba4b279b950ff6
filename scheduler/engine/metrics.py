"""Insights into rows: published posts' MetricSnapshot (recent hourly, older daily) and accounts' daily AccountDay."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from accounts.crypto import EncryptionKeyError
from accounts.models import InstagramAccount
from accounts.services.instagram import graph_client_for, instagram_account_handle_error
from instagram.errors import GraphAPIError
from scheduler.analytics.periods import day_bounds, local_date
from scheduler.engine.claims import PUBLISHABLE_ACCOUNT
from scheduler.models import AccountDay, MetricSnapshot, Post

METRICS = ("views", "reach", "likes", "comments", "saved", "shares")


def metrics_due(*, now=None):  # noqa: ANN001, ANN201
    now = now or timezone.now()
    window = now - timedelta(days=settings.METRICS_DAYS)
    posts = (
        Post.objects.filter(status=Post.Status.PUBLISHED, published_at__gte=window, account__status__in=PUBLISHABLE_ACCOUNT)
        .exclude(ig_media_id="")
        .annotate(last_taken=Max("metrics__taken_at"))
        .select_related("account")
    )
    for post in posts:
        age = now - post.published_at
        every = timedelta(hours=1) if age < timedelta(days=2) else timedelta(hours=6) if age < timedelta(days=7) \
            else timedelta(hours=24)
        if post.last_taken is None or now - post.last_taken >= every:
            yield post


def metrics_refresh(*, now=None) -> int:  # noqa: ANN001
    now = now or timezone.now()
    clients: dict[int, object] = {}
    saved = 0
    for post in metrics_due(now=now):
        try:
            client = clients.get(post.account_id) or clients.setdefault(post.account_id, graph_client_for(post.account))
            values = client.media_insights(post.ig_media_id, METRICS)
        except (GraphAPIError, EncryptionKeyError) as exc:
            instagram_account_handle_error(account=post.account, exc=exc)
            continue
        # Missing data (None) stays None — "no data yet" is not zero.
        MetricSnapshot.objects.create(post=post, taken_at=now, **{m: values.get(m) for m in METRICS})
        saved += 1
    return saved


INSIGHTS_SCOPES = {"instagram_business_manage_insights", "instagram_manage_insights"}


def may_read_account_insights(account: InstagramAccount) -> bool:
    """Account insights need the insights permission (either login); without it only the profile counts are read."""
    return not account.scopes or bool(INSIGHTS_SCOPES & set(account.scopes))


def account_days_refresh(*, now=None) -> int:  # noqa: ANN001
    """Yesterday's figures (the workspace's local day) of every connected account, once: an account whose row for
    yesterday is complete costs no call, so the hourly task makes two calls per account per day. A row Instagram had
    no insights for yet (its data lags up to 48 h) is asked again in the next hours (while that day is yesterday)."""
    now = now or timezone.now()
    accounts = InstagramAccount.objects.filter(status__in=PUBLISHABLE_ACCOUNT).select_related("workspace")
    saved = 0
    for account in accounts:
        tz = account.workspace.tzinfo
        day = local_date(now, tz) - timedelta(days=1)
        start, end = day_bounds(day, tz)
        insights = may_read_account_insights(account)
        row = AccountDay.objects.filter(account=account, day=day).first()
        if row is not None and (row.reach is not None or not insights):
            continue
        try:
            figures = graph_client_for(account).account_day(account.ig_user_id, since=int(start.timestamp()),
                                                            until=int(end.timestamp()),
                                                            insights=insights)
        except (GraphAPIError, EncryptionKeyError) as exc:
            instagram_account_handle_error(account=account, exc=exc)
            continue
        AccountDay.objects.update_or_create(account=account, day=day, defaults={
            "followers_count": figures.followers_count, "media_count": figures.media_count, "reach": figures.reach,
            "views": figures.views, "accounts_engaged": figures.accounts_engaged,
            "total_interactions": figures.total_interactions, "fetched_at": now})
        saved += 1
    return saved
