"""Analytics pages: the overview, best time to post (and "Use as posting slots"), the monthly report, its CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import User
from accounts.permissions import Action, can, workspace_view
from accounts.spreadsheets import csv_writer
from scheduler.analytics import figures
from scheduler.analytics.periods import Period
from scheduler.charts import Series, line_chart
from scheduler.forms.analytics import RangeForm, ReportEmailForm, report_period
from scheduler.models import PostingSlot, ReportSubscription
from scheduler.selectors import analytics as sel
from scheduler.services.reports import posting_slots_from_cells, report_subscription_set

COLUMNS = [("title", "Post"), ("kind", "Kind"), ("date", "Published"), ("reach", "Reach"), ("likes", "Likes"),
           ("comments", "Comments"), ("saves", "Saves"), ("shares", "Shares"), ("rate", "Engagement rate")]
TABLE_ROWS = 100  # the page's table; the CSV has every post
HEATMAP_DAYS = 180


def _charts(o: dict[str, Any], tz: Any) -> dict[str, Any]:
    """Followers and reach per day; reach against the previous period shifted onto the same days (dashed)."""
    period, prev, days = o["period"], o["previous"], o["days"]
    shift = timedelta(days=period.days)
    followers = line_chart([Series("followers", "Followers", "#3450d1",
                                   [(d, days.get(d, {}).get("followers_count")) for d in period.dates()])],
                           tz=tz, title="Followers", css_class="line-chart followers-chart",
                           empty="No daily account figures in this period yet (they are fetched once a day).")
    reach = line_chart([Series("reach", "Reach", "#a05a00", [(d, days.get(d, {}).get("reach")) for d in period.dates()]),
                        Series("reach_prev", "Reach, previous period", "#a05a00",
                               [(d + shift, days.get(d, {}).get("reach")) for d in prev.dates()], dashed=True)],
                       tz=tz, title="Reach per day", css_class="line-chart reach-chart", zero=True,
                       empty="No daily reach in this period yet.")
    return {"followers_chart": followers, "reach_chart": reach}


def _range(request: HttpRequest, *, default_days: int, all_label: str | None = "All accounts") -> tuple:
    ws = request.workspace
    accounts = sel.workspace_accounts(workspace=ws)
    form = RangeForm(request.GET or None, accounts=accounts, all_label=all_label)
    if request.GET:
        form.is_valid()
    period = form.period(now=timezone.now(), tz=ws.tzinfo, default_days=default_days)
    account = form.chosen_account() if request.GET else None
    return form, accounts, period, account


@workspace_view(Action.VIEW_ANALYTICS)
@require_safe
def analytics(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    form, accounts, period, account = _range(request, default_days=30)
    o = sel.analytics_overview(workspace=ws, period=period, account=account)
    sort = request.GET.get("sort", "date") if request.GET.get("sort") in sel.SORTS else "date"
    descending = request.GET.get("dir", "desc") != "asc"
    rows = sel.sort_rows(list(o["rows"]), sort, descending)
    shown = rows if request.GET.get("all") else rows[:TABLE_ROWS]
    sel.attach_thumbnails([*shown, *o["top"], *o["bottom"]])
    query = request.GET.copy()
    for key in ("sort", "dir", "all"):
        query.pop(key, None)
    return render(request, "scheduler/analytics/index.html", {
        "form": form, "o": o, "rows": shown, "total": len(rows), "sort": sort, "descending": descending,
        "base_query": query.urlencode(), "accounts": accounts, "account": account,
        "min_posts": figures.MIN_POSTS_PER_CELL, "columns": COLUMNS, **_charts(o, ws.tzinfo),
    })


def _heatmap(request: HttpRequest) -> tuple:
    ws = request.workspace
    form, accounts, period, account = _range(request, default_days=HEATMAP_DAYS, all_label=None)
    account = account or (accounts[0] if accounts else None)
    heat = figures.heatmap(sel.heatmap_posts(account=account, period=period), ws.tzinfo) if account else None
    return form, accounts, period, account, heat


def _top_n(request: HttpRequest) -> int:
    try:
        return max(1, min(21, int(request.GET.get("n", 5))))
    except ValueError:
        return 5


@workspace_view(Action.VIEW_ANALYTICS)
@require_safe
def best_time(request: HttpRequest) -> HttpResponse:
    form, accounts, period, account, heat = _heatmap(request)
    query = request.GET.copy()
    query.pop("n", None)
    return render(request, "scheduler/analytics/best_time.html", {
        "form": form, "period": period, "account": account, "heat": heat, "n": _top_n(request),
        "query": query.urlencode(), "hours": range(24),
        "can_set_slots": can(request.user, Action.COMPOSE_POST, request.workspace),
    })


@workspace_view(Action.COMPOSE_POST)
@require_http_methods(["GET", "HEAD", "POST"])
def best_time_slots(request: HttpRequest) -> HttpResponse:
    """GET: the proposal next to the current grid (changes nothing). POST with the shown cells: apply them."""
    ws = request.workspace
    if request.method == "POST":
        account = next((a for a in sel.workspace_accounts(workspace=ws) if str(a.pk) == request.POST.get("account")),
                       None)
        if account is None:
            raise Http404("No such account in this workspace.")
        try:
            cells = sorted({(int(c.split(":")[0]), int(c.split(":")[1])) for c in request.POST.getlist("cell")})
            if not cells or any(not (0 <= d <= 6 and 0 <= h <= 23) for d, h in cells):
                raise ValueError
        except (ValueError, IndexError):
            messages.error(request, "The proposal was not understood; nothing was changed. Open it again.")
            return redirect(reverse("scheduler:best_time", kwargs={"ws": ws.slug}) + f"?account={account.pk}")
        try:
            count = posting_slots_from_cells(user=request.user, account=account, cells=cells)
        except ValidationError as exc:
            messages.error(request, "Nothing was changed: " + " ".join(exc.messages))
            return redirect(reverse("scheduler:best_time", kwargs={"ws": ws.slug}) + f"?account={account.pk}")
        messages.success(request, f"@{account.username} now has {count} posting slots a week, from the best times.")
        return redirect("scheduler:posting_slots", ws=ws.slug, pk=account.pk)
    form, accounts, period, account, heat = _heatmap(request)
    if account is None or heat is None:
        raise Http404("No account to propose slots for.")
    proposal = heat.top(_top_n(request))
    current = list(PostingSlot.objects.filter(account=account).order_by("weekday", "time"))
    return render(request, "scheduler/analytics/slots_confirm.html", {
        "account": account, "period": period, "proposal": proposal, "current": current,
        "back": request.GET.urlencode(),
    })


def _report_period(request: HttpRequest) -> tuple[Period, str, bool]:
    """A month (?month=YYYY-MM, default last month) or a date range (?start=&end=): (period, error, is a month)."""
    ws = request.workspace
    if request.GET.get("start") or request.GET.get("end"):
        form = RangeForm(request.GET, accounts=[])
        if not form.is_valid():
            period, _ = report_period({}, now=timezone.now(), tz=ws.tzinfo)
            return period, " ".join(e for errs in form.errors.values() for e in errs), True
        return form.period(now=timezone.now(), tz=ws.tzinfo, default_days=30), "", False
    period, error = report_period(request.GET, now=timezone.now(), tz=ws.tzinfo)
    return period, error, True


def _report_context(request: HttpRequest) -> dict[str, Any]:
    ws = request.workspace
    period, error, monthly = _report_period(request)
    o = sel.analytics_overview(workspace=ws, period=period, account=None)
    return {"o": o, "period": period, "error": error, "month": period.first, "monthly": monthly}


@workspace_view(Action.VIEW_ANALYTICS)
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    context = _report_context(request)
    o = context["o"]
    rows = sel.sort_rows(list(o["rows"]), "date", False)
    sel.attach_thumbnails([*rows, *o["top"]])
    sub = ReportSubscription.objects.filter(workspace=ws).first()
    return render(request, "scheduler/analytics/report.html", {
        **context, "rows": rows, **_charts(o, ws.tzinfo), "subscription": sub, "columns": COLUMNS,
        "can_manage": can(request.user, Action.MANAGE_REPORTS, ws),
        "month_value": f"{context['month']:%Y-%m}",
        "csv_query": (f"month={context['month']:%Y-%m}" if context["monthly"] else
                      f"start={context['period'].first:%Y-%m-%d}&end={context['period'].last:%Y-%m-%d}"),
    })


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADER = ["published (local)", "account", "kind", "caption", "permalink", "reach", "views", "likes", "comments",
              "saves", "shares", "interactions", "engagement rate"]


def csv_lines(rows: Iterator[sel.PostRow], tz: Any) -> Iterator[str]:
    """One CSV line at a time (nothing is held in memory); every text cell neutralised against formulas."""
    writer = csv_writer(_Echo())  # accounts/spreadsheets.py: the one CSV writer, formulas neutralised
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for r in rows:
        rate = r.rate
        yield writer.writerow([
            f"{r.published_at.astimezone(tz):%Y-%m-%d %H:%M}", r.account, r.kind_label, r.caption, r.permalink,
            r.reach, r.views, r.likes, r.comments, r.saved, r.shares, r.interactions,
            "" if rate is None else f"{rate:.4f}"])


@workspace_view(Action.VIEW_ANALYTICS)
@require_safe
def report_csv(request: HttpRequest) -> StreamingHttpResponse:
    """?month=YYYY-MM, or ?start=&end= (up to a year and a bit)."""
    ws = request.workspace
    period, error, _monthly = _report_period(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    rows = sel.post_rows_iter(workspace=ws, start=period.start, end=period.end)
    response = StreamingHttpResponse(csv_lines(rows, ws.tzinfo), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="{ws.slug}-posts-{period.first:%Y-%m-%d}-'
                                       f'{period.last:%Y-%m-%d}.csv"')
    return response


@workspace_view(Action.MANAGE_REPORTS)
@require_http_methods(["GET", "HEAD", "POST"])
def report_email(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    members = list(User.objects.filter(memberships__workspace=ws).order_by("username"))
    sub = ReportSubscription.objects.filter(workspace=ws).first()
    initial = {"enabled": bool(sub and sub.enabled),
               "recipients": [str(pk) for pk in (sub.recipients.values_list("pk", flat=True) if sub else [])]}
    form = ReportEmailForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        report_subscription_set(user=request.user, workspace=ws, enabled=form.cleaned_data["enabled"],
                                recipient_ids=[int(pk) for pk in form.cleaned_data["recipients"]])
        messages.success(request, "Saved. " + ("The report goes out on the 1st of each month."
                                               if form.cleaned_data["enabled"] else "No monthly e-mail."))
        return redirect("scheduler:report_email", ws=ws.slug)
    return render(request, "scheduler/analytics/report_email_settings.html", {"form": form, "subscription": sub})
