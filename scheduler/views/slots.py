"""An account's weekly posting-slot grid (≤ 25 local times a weekday), edited on a page of its own."""

from __future__ import annotations

import re
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import InstagramAccount
from accounts.permissions import Action, workspace_view
from scheduler.models import PostingSlot
from scheduler.services.slots import posting_slots_set
from scheduler.slots import MAX_SLOTS_PER_DAY

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def parse_times(text: str) -> list[time]:
    """'9:00, 12:30 18:00' → times; raises ValidationError naming the first value that is not a time."""
    out = []
    for token in [t for t in re.split(r"[\s,;]+", text or "") if t]:
        for fmt in ("%H:%M", "%H.%M", "%H"):
            try:
                out.append(datetime.strptime(token, fmt).time())
                break
            except ValueError:
                continue
        else:
            raise ValidationError(f"“{token}” is not a time of day; write times like 09:30, 14:00.")
    return out


@workspace_view(Action.COMPOSE_POST)
@require_http_methods(["GET", "HEAD", "POST"])
def posting_slots(request: HttpRequest, pk: int) -> HttpResponse:
    ws = request.workspace
    account = InstagramAccount.objects.filter(workspace=ws, pk=pk).select_related("workspace").first()
    if account is None:
        raise Http404("No such account in this workspace.")
    accounts = list(InstagramAccount.objects.filter(workspace=ws).only("id", "username").order_by("username"))
    current: dict[int, list[str]] = {i: [] for i in range(7)}
    for slot in PostingSlot.objects.filter(account=account).order_by("weekday", "time"):
        current[slot.weekday].append(slot.time.strftime("%H:%M"))
    values = {i: ", ".join(current[i]) for i in range(7)}
    errors: dict[int, str] = {}
    if request.method == "POST":
        parsed: dict[int, list[time]] = {}
        for i in range(7):
            values[i] = request.POST.get(f"day{i}", "")
            try:
                parsed[i] = parse_times(values[i])
            except ValidationError as exc:
                errors[i] = " ".join(exc.messages)
        if not errors:
            try:
                with transaction.atomic():
                    for i, times in parsed.items():
                        posting_slots_set(user=request.user, account=account, weekday=i, times=times)
            except ValidationError as exc:
                errors[-1] = " ".join(exc.messages)
            else:
                total = sum(len(set(t)) for t in parsed.values())
                messages.success(request, f"Saved {total} weekly posting slot{'s' if total != 1 else ''} for "
                                          f"@{account.username} ({ws.timezone}).")
                return redirect("scheduler:posting_slots", ws=ws.slug, pk=account.pk)
        for i, text in values.items():
            if i not in errors and len(set(re.split(r"[\s,;]+", text.strip()))) > MAX_SLOTS_PER_DAY:
                errors[i] = f"A day can have at most {MAX_SLOTS_PER_DAY} posting slots."
    days = [{"index": i, "name": WEEKDAYS[i], "value": values[i], "error": errors.get(i, ""),
             "count": len(current[i])} for i in range(7)]
    return render(request, "scheduler/calendar/slots.html", {
        "account": account, "accounts": accounts, "days": days, "form_error": errors.get(-1, ""),
        "max_slots": MAX_SLOTS_PER_DAY, "tz": ws.timezone}, status=422 if errors else 200)
