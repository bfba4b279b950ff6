"""django-q2 entry points for accounts: the Instagram token refresh schedule."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import InstagramAccount
from accounts.services.instagram import REFRESH_MIN_AGE, instagram_account_mark_reconnect, instagram_account_refresh

log = logging.getLogger("accounts.tasks")

SCHEDULE_NAME = "instagram-token-refresh"  # registered in scheduler/periodic.py


def accounts_due_for_refresh(now=None, within_days: int | None = None) -> QuerySet[InstagramAccount]:  # noqa: ANN001
    """Live tokens at least 24 h old that expire within `within_days` (INSTAGRAM_TOKEN_REFRESH_DAYS)."""
    now = now or timezone.now()
    days = within_days if within_days is not None else settings.INSTAGRAM_TOKEN_REFRESH_DAYS
    old_enough = now - REFRESH_MIN_AGE
    return (
        InstagramAccount.objects.filter(
            status__in=[InstagramAccount.Status.ACTIVE, InstagramAccount.Status.EXPIRING],
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=days),
        )
        .filter(Q(refreshed_at__lte=old_enough) | Q(refreshed_at__isnull=True, created_at__lte=old_enough))
        .select_related("workspace")
    )


def accounts_expired(now=None) -> QuerySet[InstagramAccount]:  # noqa: ANN001
    now = now or timezone.now()
    return InstagramAccount.objects.filter(
        status__in=[InstagramAccount.Status.ACTIVE, InstagramAccount.Status.EXPIRING], expires_at__lte=now
    ).select_related("workspace")


def refresh_instagram_tokens() -> dict[str, Any]:
    """Refresh every due token; mark expired ones reconnect-needed. One account's failure never stops the rest."""
    now = timezone.now()
    summary = {"refreshed": 0, "failed": 0, "expired": 0}
    for account in accounts_expired(now):
        instagram_account_mark_reconnect(account=account, reason="The access token has expired.")
        summary["expired"] += 1
    for account in accounts_due_for_refresh(now):
        result = instagram_account_refresh(account=account, now=now)
        summary["refreshed" if result.status == InstagramAccount.Status.ACTIVE else "failed"] += 1
    log.info("instagram token refresh: %s", summary)
    return summary
