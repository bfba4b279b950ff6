"""Filters of the analytics pages and the report, and the monthly e-mail setting."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms

from scheduler.analytics.periods import Period, last_days, local_date, month_period, previous_month

MAX_DAYS = 400  # a year and a bit: the CSV of a year, compared with nothing more


class RangeForm(forms.Form):
    """?account=&start=&end= (local dates, both included). Bad input keeps what was typed and says why."""

    account = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Account")
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any, *, accounts: list, all_label: str | None = "All accounts", **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        choices = [("", all_label)] if all_label else []
        self.fields["account"].choices = choices + [(a.pk, f"@{a.username}") for a in accounts]
        self.accounts = {a.pk: a for a in accounts}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        elif start and end and (end - start).days + 1 > MAX_DAYS:
            self.add_error("end", f"Choose at most {MAX_DAYS} days.")
        return data

    def period(self, *, now: datetime, tz: Any, default_days: int) -> Period:
        """The chosen range when valid, else the default (the last ``default_days`` complete days)."""
        fallback = last_days(default_days, now=now, tz=tz)
        if not self.is_valid():
            return fallback
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end:
            return Period(start, end, tz)
        if start:
            return Period(start, min(start + timedelta(days=default_days - 1), local_date(now, tz)), tz)
        if end:
            return Period(end - timedelta(days=default_days - 1), end, tz)
        return fallback

    def chosen_account(self) -> Any:
        pk = self.cleaned_data.get("account") if self.is_valid() else None
        return self.accounts.get(pk)


def report_period(query: Any, *, now: datetime, tz: Any) -> tuple[Period, str]:
    """?month=YYYY-MM (default: last month, local) → (period, error message or "")."""
    text = (query.get("month") or "").strip()
    if text:
        try:
            parsed = datetime.strptime(text, "%Y-%m")
        except ValueError:
            year, month = previous_month(now, tz)
            return month_period(year, month, tz), f"“{text}” is not a month; write it like 2026-11."
        if date(parsed.year, parsed.month, 1) > local_date(now, tz):
            year, month = previous_month(now, tz)
            return month_period(year, month, tz), f"{text} has not started yet."
        return month_period(parsed.year, parsed.month, tz), ""
    year, month = previous_month(now, tz)
    return month_period(year, month, tz), ""


class ReportEmailForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="E-mail the monthly report on the 1st of each month")
    recipients = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="To")

    def __init__(self, *args: Any, members: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [(str(u.pk), f"{u.get_username()} <{u.email or 'no e-mail address'}>")
                                             for u in members]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("enabled") and not data.get("recipients"):
            self.add_error("recipients", "Choose at least one member to send the report to.")
        return data
