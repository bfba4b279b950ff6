"""Analytics writes: the monthly report e-mail (setting and sending) and "Use as posting slots"."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import InstagramAccount, User, Workspace
from accounts.permissions import Action, can, require
from scheduler.analytics.periods import local_date, month_period, previous_month
from scheduler.models import ReportSubscription
from scheduler.selectors.analytics import analytics_overview
from scheduler.services.slots import posting_slots_set

log = logging.getLogger(__name__)

# The report of a month goes out on the 1st of the next (local); the two days after catch a cluster that was down.
SEND_UNTIL_DAY = 3


@transaction.atomic
def report_subscription_set(*, user: User, workspace: Workspace, enabled: bool,
                            recipient_ids: Iterable[int]) -> ReportSubscription:
    require(user, Action.MANAGE_REPORTS, workspace)
    sub, _ = ReportSubscription.objects.get_or_create(workspace=workspace)
    sub.enabled = enabled
    sub.save(update_fields=["enabled", "updated_at"])
    members = User.objects.filter(memberships__workspace=workspace, pk__in=list(recipient_ids))
    sub.recipients.set(members)
    return sub


def _month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def monthly_reports_send(*, now: datetime | None = None) -> int:
    """Send last month's report of every workspace that asked for it, once per month, on the 1st in its zone.

    "Once" is a compare-and-set on ``last_sent_month``: two clusters, a retry or an hourly re-run cannot send twice.
    """
    now = now or timezone.now()
    sent = 0
    for sub in ReportSubscription.objects.filter(enabled=True).select_related("workspace"):
        ws = sub.workspace
        tz = ws.tzinfo
        if local_date(now, tz).day > SEND_UNTIL_DAY:
            continue
        year, month = previous_month(now, tz)
        key = _month_key(year, month)
        if sub.last_sent_month == key:
            continue
        claimed = ReportSubscription.objects.filter(pk=sub.pk).exclude(last_sent_month=key).update(last_sent_month=key)
        if claimed != 1:
            continue
        # Members still allowed to read the report, with an address.
        to = [u.email for u in sub.recipients.filter(memberships__workspace=ws).distinct()
              if u.email and can(u, Action.VIEW_ANALYTICS, ws)]
        if not to:
            continue
        overview = analytics_overview(workspace=ws, period=month_period(year, month, tz), account=None)
        url = settings.PUBLIC_BASE_URL + reverse("scheduler:report", kwargs={"ws": ws.slug}) + f"?month={key}"
        context = {"workspace": ws, "o": overview, "url": url, "month": overview["period"].first}
        message = EmailMultiAlternatives(
            subject=f"{ws.name}: Instagram report for {overview['period'].first:%B %Y}",
            body=render_to_string("scheduler/analytics/report_email.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL, to=to)
        message.attach_alternative(render_to_string("scheduler/analytics/report_email.html", context), "text/html")
        message.send()
        sent += 1
    return sent


def posting_slots_from_cells(*, user: User, account: InstagramAccount, cells: Iterable[tuple[int, int]]) -> int:
    """Replace the account's whole weekly grid with the chosen (weekday, hour) cells; weekdays without any are emptied.

    Goes through the posting-slots service (its policy check and limits), all weekdays in one transaction.
    """
    by_day: dict[int, list[time]] = {d: [] for d in range(7)}
    for weekday, hour in cells:
        by_day[int(weekday)].append(time(int(hour), 0))
    with transaction.atomic():
        for weekday, times in by_day.items():
            posting_slots_set(user=user, account=account, weekday=weekday, times=times)
    return sum(len(t) for t in by_day.values())


__all__ = ["monthly_reports_send", "posting_slots_from_cells", "report_subscription_set", "SEND_UNTIL_DAY"]
