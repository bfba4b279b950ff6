"""Secret, revocable per-user tokens for the calendar's iCalendar feeds."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """One user's feed URL secret in one workspace; revoking it makes every URL built on it answer 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_tokens")
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="calendar_feed_tokens")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace"], condition=models.Q(revoked_at__isnull=True), name="feedtoken_one_live"
            ),
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id} in {self.workspace_id}"
