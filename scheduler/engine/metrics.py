"""Insights of published posts into MetricSnapshot rows: recent posts hourly, older ones daily."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from accounts.crypto import EncryptionKeyError
from accounts.services.instagram import graph_client_for, instagram_account_handle_error
from instagram.errors import GraphAPIError
from scheduler.engine.claims import PUBLISHABLE_ACCOUNT
from scheduler.models import MetricSnapshot, Post

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
