"""Analytics storage: one row of account figures per account per local day, and the monthly-report setting."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccountDay(models.Model):
    """An account's figures for one day in its workspace's zone (followers at the end of the day, the day's reach…).

    None means Instagram gave no data (a token without the insights permission, a day still lagging), not zero.
    """

    account = models.ForeignKey("accounts.InstagramAccount", on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    followers_count = models.PositiveIntegerField(null=True, blank=True)
    media_count = models.PositiveIntegerField(null=True, blank=True)
    reach = models.PositiveIntegerField(null=True, blank=True)
    views = models.PositiveIntegerField(null=True, blank=True)
    accounts_engaged = models.PositiveIntegerField(null=True, blank=True)
    total_interactions = models.PositiveIntegerField(null=True, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["account", "day"]
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="accountday_unique")]

    def __str__(self) -> str:
        return f"{self.account_id} on {self.day:%Y-%m-%d}"


class ReportSubscription(models.Model):
    """A workspace's monthly report e-mail: on or off, to whom, and the last month sent (sent once per month)."""

    workspace = models.OneToOneField("accounts.Workspace", on_delete=models.CASCADE, related_name="report_subscription")
    enabled = models.BooleanField(default=False)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # "2026-11": the report of November went out (on 1 December, in the workspace's zone).
    last_sent_month = models.CharField(max_length=7, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"monthly report of {self.workspace_id}"
