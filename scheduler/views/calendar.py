"""The editorial calendar: month / week / agenda / day views, moving cards (drag, keyboard, no-JS), iCal feeds.

Thin views: policy (workspace_view) → selector or service → template. A drop posts to `calendar_move`; with
scripts on the answer is the re-rendered grid (status says how it went), without them a redirect with a message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition, require_http_methods, require_safe

from accounts import localtime
from accounts.permissions import Action, can, member_since, workspace_view
from scheduler import ical
from scheduler.models import CalendarFeedToken, Post
from scheduler.rules import TransitionError
from scheduler.selectors import agenda
from scheduler.selectors import calendar as selectors
from scheduler.services import calendar as services
from scheduler.services.lifecycle import ConflictError

TEMPLATE = "scheduler/calendar/index.html"


def _local_time(view: Any) -> Any:
    """Templates show times in the workspace's timezone (Django's date filters use the active zone)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with timezone.override(request.workspace.tzinfo):
            return view(request, *args, **kwargs)

    return wrapper


def _anchor(request: HttpRequest) -> date:
    raw = request.GET.get("date") or request.POST.get("date") or ""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not 1970 <= day.year <= 2200:  # a window far out would overflow the date arithmetic
        return localtime.today(request.workspace.tzinfo)
    return day


def _view_name(request: HttpRequest) -> str:
    view = request.GET.get("view") or request.POST.get("view") or "month"
    return view if view in selectors.VIEWS else "month"


def _calendar_url(ws: str, view: str, day: date, filters: selectors.Filters) -> str:
    query = {"view": view, "date": day.isoformat(), **filters.as_query()}
    return f"{reverse('scheduler:calendar', kwargs={'ws': ws})}?{urlencode(query)}"


def _day_text(day: date) -> dict[str, str]:
    """A day's strings as the grids show them, made once per day (date filters in 168 cells cost more than the
    cards): ISO date, "Monday 5 December", "Mon 5 Dec", "5 Dec"."""
    return {"iso": day.isoformat(), "long": f"{day:%A} {day.day} {day:%B}", "short": f"{day:%a} {day.day} {day:%b}",
            "dm": f"{day.day} {day:%b}"}


def _month_weeks(cal: selectors.Calendar, today: date) -> list[list[dict[str, Any]]]:
    weeks, week = [], []
    for day in cal.window.days():
        entries = cal.by_day.get(day, [])  # the first MONTH_CARDS, read as such (selectors.build)
        week.append({"date": day, "text": _day_text(day), "entries": entries,
                     "more": max(0, cal.totals.get(day, 0) - len(entries)), "past": day < today,
                     "today": day == today, "outside": day.month != cal.window.anchor.month})
        if len(week) == 7:
            weeks.append(week)
            week = []
    return weeks


# Free posting slots an hour cell of the week offers as links; the rest are counted ("+N free slots"): fifty accounts
# posting at 09:00 would otherwise fill the cell with fifty links (the account filter shows one account's slots).
SLOT_LINKS = 4


def _week_rows(cal: selectors.Calendar, now_local: datetime, composer: str = "") -> list[dict[str, Any]]:
    """The hour rows of the week. A cell offers "+" only at times that exist (the first existing minute of its
    hour); an hour that happens twice (fall back) is split in its two passes, each a drop target of its own."""
    days = cal.window.days()
    cells: dict[tuple[date, int], list] = {}
    for entry in cal.entries:
        cells.setdefault((entry.at.date(), entry.at.hour), []).append(entry)
    slots: dict[tuple[date, int], list] = {}
    for day, pairs in cal.slots.items():
        for local, account in pairs:
            if local > now_local:
                slots.setdefault((day, local.hour), []).append((local, account))
    texts = {day: _day_text(day) for day in days}
    rows = []
    now_cell = (now_local.date(), now_local.hour)
    for hour in range(24):
        row = []
        label = f"{hour:02d}:00"
        for day in days:
            entries = cells.get((day, hour), [])
            starts = localtime.hour_starts(day, hour, cal.zone)
            free = slots.get((day, hour), [])
            past = (day, hour) < now_cell
            adds = [{"at": lt.input, "fold": lt.fold, "label": f"{lt.local:%H:%M}"} for lt in starts]
            links = ([{"href": f"{composer}?at={add['at']}", "aria": f"New post {texts[day]['short']} {add['label']}"}
                      for add in adds] if composer and not past else ())
            # Whole attribute values made here, once per cell: 168 cells of template conditions cost more than this.
            cell = {"date": day, "text": texts[day], "iso": texts[day]["iso"], "hour": hour, "entries": entries,
                    "label": f"{texts[day]['long']}, {label}",  # what the selector drew (HOUR_CARDS, DAY_CARDS)
                    "cls": "cal-hour" + (" past" if past else "") + ("" if starts else " cal-gap"),
                    "more": max(0, cal.totals.get((day, hour), 0) - len(entries)),
                    # the links a cell shows, their strings made here; the others are only counted
                    "slots": [{"at": f"{local:%Y-%m-%dT%H:%M}", "hm": f"{local:%H:%M}", "account": account,
                               "aid": str(account.pk)} for local, account in free[:SLOT_LINKS]],
                    "more_slots": max(0, len(free) - SLOT_LINKS),
                    "past": past, "adds": adds, "add_links": links,
                    "gap": not starts, "passes": []}
            if len(starts) == 2:  # the repeated hour: one group per pass, labelled with the zone's abbreviation
                cell["passes"] = [{"fold": lt.fold, "label": lt.label, "add": cell["adds"][n],
                                   "entries": [e for e in cell["entries"] if e.fold == lt.fold]}
                                  for n, lt in enumerate(starts)]
            row.append(cell)
        rows.append({"hour": hour, "hour_text": str(hour), "label": label, "cells": row})
    return rows


def _context(request: HttpRequest) -> dict[str, Any]:
    ws = request.workspace
    view = _view_name(request)
    data = request.GET if request.method == "GET" else request.POST
    filters = selectors.Filters.from_query(data)
    page = None
    if view == "agenda":  # paged: ?after=<cursor> is where this page begins (a reload keeps the position)
        page = agenda.agenda_page(user=request.user, workspace=ws, anchor=_anchor(request), filters=filters,
                                     after=agenda.Cursor.parse(data.get("after")))
        cal = page.calendar
    else:
        cal = selectors.build(user=request.user, workspace=ws, view=view, anchor=_anchor(request), filters=filters,
                              with_slots=view == "week")
    now_local = timezone.now().astimezone(ws.tzinfo)  # an instant shown in the zone, not a typed time
    today = now_local.date()
    win = cal.window
    urls = {name: _calendar_url(ws.slug, view, day, filters)
            for name, day in (("prev", win.prev), ("next", win.next), ("today", today))}
    urls.update({f"view_{v}": _calendar_url(ws.slug, v, win.anchor, filters) for v in ("month", "week", "agenda")})
    context: dict[str, Any] = {
        "cal": cal, "view": view, "filters": filters, "urls": urls, "today": today, "tz": ws.timezone,
        "can_move": can(request.user, Action.COMPOSE_POST, ws),
        "can_see_all": can(request.user, Action.VIEW_ALL_POSTS, ws),
        "query": urlencode({"view": view, "date": win.anchor.isoformat(), **filters.as_query()}),
        "move_base": reverse("scheduler:calendar_move", kwargs={"ws": ws.slug, "pk": 0})[:-1],
        "composer": reverse("scheduler:post_create", kwargs={"ws": ws.slug}),
        "detail_base": reverse("scheduler:post_detail", kwargs={"ws": ws.slug, "pk": 0})[:-2],
        "day_base": reverse("scheduler:calendar", kwargs={"ws": ws.slug}),
    }
    if view == "month":
        context["weeks"] = _month_weeks(cal, today)
        context["weekday_names"] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    elif view == "week":
        # "+" links in the cells to come, for those who may compose (the composer's address, made once)
        context["rows"] = _week_rows(cal, now_local, composer=context["composer"] if context["can_move"] else "")
        context["week_days"] = [{"date": d, "text": _day_text(d), "past": d < today, "today": d == today}
                                for d in win.days()]
    else:
        # A page of the agenda may begin in the middle of a day: that day's heading was on the page before.
        first = page.after.at.astimezone(ws.tzinfo).date() if page and page.after else None
        context["agenda"] = [{"date": d, "entries": cal.by_day.get(d, []), "past": d < today, "today": d == today,
                              "continued": d == first}
                             for d in win.days() if cal.by_day.get(d) or view == "day"]
        if page is not None:
            query = {"view": view, "date": win.anchor.isoformat(), **filters.as_query()}
            base = reverse("scheduler:calendar", kwargs={"ws": ws.slug})
            context["agenda_paged"] = page.after is not None
            context["agenda_first"] = f"{base}?{urlencode(query)}"
            if page.next is not None:
                context["agenda_more"] = f"{base}?{urlencode({**query, 'after': page.next.text()})}"
    return context


@workspace_view(Action.VIEW_CALENDAR)
@require_safe
@_local_time
def calendar(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if request.htmx and request.htmx.target == "agenda-more":  # "Load more": the next page, appended in place
        return render(request, f"{TEMPLATE}#agenda_page", context)
    if request.htmx and request.htmx.target == "calendar-body":
        return render(request, f"{TEMPLATE}#body", context)
    context.update(selectors.filter_choices(workspace=request.workspace, accounts=context["cal"].accounts))
    context["account_links"] = _account_links(request.workspace.slug, context["accounts"])
    return render(request, TEMPLATE, context)


def _account_links(ws: str, accounts: list[Any]) -> list[dict[str, Any]]:
    """Each account's posting slots and grid pages, for the header: two addresses reversed once, not two an account
    (an agency's fifty accounts made a hundred `{% url %}` tags)."""
    slots = reverse("scheduler:posting_slots", kwargs={"ws": ws, "pk": 0})[: -len("0/slots/")]
    grid = reverse("scheduler:grid", kwargs={"ws": ws, "account": 0})[: -len("0/")]
    return [{"account": a, "slots": f"{slots}{a.pk}/slots/", "grid": f"{grid}{a.pk}/"} for a in accounts]


def _parse_local(data: Any, zone: Any) -> localtime.LocalTime:
    """The dialog's or the drop's local time ("at", and "fold" for a time that happens twice), by the policy."""
    try:
        return localtime.parse_local(data.get("at", ""), zone, choice=data.get("fold"))
    except localtime.LocalTimeError as exc:
        raise ValidationError({"at": [exc.message]}) from None


def _occurrence(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise ValidationError({"occurrence": ["That date of the series is not valid."]}) from None


def _target(request: HttpRequest, pk: int) -> Post:
    post = Post.objects.filter(workspace=request.workspace, pk=pk).select_related("workspace", "account",
                                                                               "series_root").first()
    if post is None or not can(request.user, Action.VIEW_ALL_POSTS, request.workspace):
        raise Http404("No such post.")
    return post


@workspace_view(Action.COMPOSE_POST)  # the route says what it needs (tests/test_route_matrix.py checks it)
@require_http_methods(["GET", "HEAD", "POST"])
@_local_time
def calendar_move(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the Move dialog (keyboard / no-JS path). POST: move the card, answer the fresh grid or redirect."""
    ws = request.workspace
    if not can(request.user, Action.COMPOSE_POST, ws):
        raise PermissionDenied("Your role may not move posts.")
    post = _target(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    filters = selectors.Filters.from_query(data)
    back = _calendar_url(ws.slug, _view_name(request), _anchor(request), filters)
    try:
        occurrence = _occurrence(data.get("occurrence", ""))
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from None
    when = (occurrence or post.publish_at or timezone.now()).astimezone(ws.tzinfo)
    recurring = bool(post.rrule or post.series_root_id)
    def dialog(error: str = "", status: int = 200) -> HttpResponse:
        # A refused move shows the dialog again with what was typed and the reason, next to the field (issue 23).
        return render(request, "scheduler/calendar/move.html", {
            "post": post, "when": localtime.local_text(when, ws.tzinfo, "%A %-d %B %Y, %H:%M"),
            "time": localtime.from_instant(when, ws.tzinfo), "version": data.get("version") if error else post.version,
            "back": back, "typed": data.get("at", "") if error else "", "scope": data.get("scope") or "this",
            "error": error, "occurrence": data.get("occurrence", ""), "recurring": recurring, "filters": filters,
            "tz": ws.timezone, "view": _view_name(request), "anchor": _anchor(request).isoformat()}, status=status)

    if request.method != "POST":
        return dialog()
    ok, status, message = True, 200, ""
    try:
        typed = _parse_local(data, ws.tzinfo).keeping(when)  # the dialog sent back unchanged: exactly where it was
        publish_at = typed.instant
        version = int(data["version"]) if (data.get("version") or "").isdigit() else None
        moved = services.calendar_move(user=request.user, post=post, publish_at=publish_at, expected_version=version,
                                       scope=data.get("scope") or "this", occurrence_utc=occurrence)
        message = f"Moved to {localtime.local_text(moved.publish_at, ws.tzinfo)} ({ws.timezone})."
        if data.get("scope") == "following" and recurring:
            message = f"The series moved from this date on: {message[9:]}"
        if typed.message:  # a time that does not exist or happens twice: say what it became
            message = f"{message} {typed.message}"
    except ConflictError as exc:
        ok, status, message = False, 409, exc.message
    except (TransitionError, ValidationError, PermissionDenied) as exc:
        ok, status = False, 403 if isinstance(exc, PermissionDenied) else 422
        message = exc.message if isinstance(exc, TransitionError) else " ".join(getattr(exc, "messages", [str(exc)]))
    if request.htmx or request.headers.get("X-Calendar") == "1":
        context = _context(request)
        context.update(flash=message, flash_ok=ok, flash_key=f"p{post.pk}")
        return render(request, f"{TEMPLATE}#body", context, status=status)
    if not ok and status == 422:
        return dialog(message, status)
    (messages.success if ok else messages.error)(request, message)
    return redirect(f"{back}#card-p{post.pk}" if ok else back)


# --- iCalendar feeds -------------------------------------------------------------------------------------------


def _feed_urls(request: HttpRequest, token: CalendarFeedToken) -> dict[str, Any]:
    accounts = selectors.filter_choices(workspace=request.workspace)["accounts"]
    return {
        "workspace_url": request.build_absolute_uri(reverse("scheduler:calendar_feed", kwargs={"token": token.token})),
        "accounts": [(a, request.build_absolute_uri(reverse("scheduler:calendar_feed_account",
                                                            kwargs={"token": token.token, "account": a.pk})))
                     for a in accounts],
    }


@workspace_view(Action.VIEW_CALENDAR)
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feeds(request: HttpRequest) -> HttpResponse:
    """Your secret feed URLs for Google Calendar / Outlook; regenerate or revoke them."""
    ws = request.workspace
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(user=request.user, workspace=ws)
            messages.success(request, "Your calendar feed links are revoked; subscribed calendars stop updating.")
        else:
            services.feed_token_regenerate(user=request.user, workspace=ws)
            messages.success(request, "New feed links made; the old ones no longer work.")
        return redirect("scheduler:calendar_feeds", ws=ws.slug)
    token = CalendarFeedToken.objects.filter(user=request.user, workspace=ws, revoked_at__isnull=True).first()
    context = {"token": token, "tz": ws.timezone}
    if token:
        context.update(_feed_urls(request, token))
    return render(request, "scheduler/calendar/feeds.html", context)


def _feed_owner(request: HttpRequest, token: str, account: int | None) -> CalendarFeedToken:
    """The live token of this feed URL (looked up once per request); an unknown or revoked token, a user who lost
    access or an account of another workspace is 404."""
    cached = getattr(request, "_feed_owner", None)
    if cached is not None:
        return cached
    row = CalendarFeedToken.objects.filter(token=token, revoked_at__isnull=True).select_related(
        "user", "workspace").first()
    if row is None or not row.user.is_active or not can(row.user, Action.VIEW_CALENDAR, row.workspace):
        raise Http404("No such calendar feed.")
    since = member_since(row.user, row.workspace)
    if since is not None and row.created_at < since:
        raise Http404("No such calendar feed.")  # issued before a removal and re-invitation: stays void
    if account is not None and not row.workspace.instagram_accounts.filter(pk=account).exists():
        raise Http404("No such calendar feed.")
    request._feed_owner = row
    return row


def _feed_etag(request: HttpRequest, token: str, account: int | None = None) -> str:
    row = _feed_owner(request, token, account)
    return ical.etag(user=row.user, workspace=row.workspace, base_url=request.build_absolute_uri("/"),
                     account_id=account)


@require_safe
@condition(etag_func=_feed_etag)  # a calendar app polling an unchanged feed gets 304, nothing rendered
def calendar_feed(request: HttpRequest, token: str, account: int | None = None) -> HttpResponse:
    """The .ics body for a live token, streamed (scheduler/ical.py)."""
    row = _feed_owner(request, token, account)
    body = ical.stream(user=row.user, workspace=row.workspace, base_url=request.build_absolute_uri("/"),
                       account_id=account)
    response = StreamingHttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="pressroom-{row.workspace.slug}.ics"'
    response["Cache-Control"] = "private, max-age=300, must-revalidate"
    return response
