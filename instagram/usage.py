"""Parsing of the X-App-Usage and X-Business-Use-Case-Usage rate-limit headers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Usage", "parse_usage_headers"]


@dataclass(frozen=True)
class Usage:
    """How close the app/account is to being throttled.

    `max_percent` is the highest of call_count / total_time / total_cputime over both headers;
    `app_percent` the highest in X-App-Usage, `account_percent` the highest in X-Business-Use-Case-Usage;
    `regain_access_minutes` is Meta's estimated_time_to_regain_access (minutes), when present.
    """

    max_percent: float = 0.0
    regain_access_minutes: int | None = None
    app_percent: float = 0.0
    account_percent: float = 0.0

    @property
    def near_limit(self) -> bool:
        # Meta throttles at 100 %; slowing down at 90 % keeps a margin for other workers.
        return self.max_percent >= 90

    @property
    def retry_after_seconds(self) -> int | None:
        """Seconds to wait before calling again when Meta said so (estimated_time_to_regain_access)."""
        return None if self.regain_access_minutes is None else max(0, self.regain_access_minutes) * 60

    def pause_seconds(self, *, soft_percent: float = 75.0, window_seconds: float = 3600.0) -> float:
        """A polite pause before the next call: 0 below `soft_percent`, then growing so the remaining budget
        lasts until the usage window rolls over; the full regain time once Meta reports one."""
        if self.retry_after_seconds:
            return float(self.retry_after_seconds)
        if self.max_percent < soft_percent:
            return 0.0
        remaining = max(0.5, 100.0 - self.max_percent)  # percent points left
        # Spread what is left over the window: with 1 % per call left, one call per window / 100 … capped.
        return min(window_seconds / 10, (self.max_percent - soft_percent) / remaining * window_seconds / 100)


_PERCENT_KEYS = ("call_count", "total_time", "total_cputime")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # requests' CaseInsensitiveDict handles case, but plain dicts (tests, recorded answers) may not.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, val in headers.items():
            if key.lower() == lowered:
                return val
    return value


def _load(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def parse_usage_headers(headers: Mapping[str, str]) -> Usage | None:
    """Return a Usage when either header is present and parseable, else None."""
    app_percents: list[float] = []
    account_percents: list[float] = []
    regain: int | None = None
    found = False
    app = _load(_header(headers, "X-App-Usage"))
    if isinstance(app, Mapping):
        found = True
        app_percents += [float(app[k]) for k in _PERCENT_KEYS if isinstance(app.get(k), (int, float))]
    buc = _load(_header(headers, "X-Business-Use-Case-Usage"))
    if isinstance(buc, Mapping):
        found = True
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else [entries]:
                if not isinstance(entry, Mapping):
                    continue
                account_percents += [float(entry[k]) for k in _PERCENT_KEYS if isinstance(entry.get(k), (int, float))]
                minutes = entry.get("estimated_time_to_regain_access")
                if isinstance(minutes, (int, float)) and minutes > 0:
                    regain = max(regain or 0, int(minutes))
    if not found:
        return None
    app_pct, account_pct = max(app_percents, default=0.0), max(account_percents, default=0.0)
    return Usage(max_percent=max(app_pct, account_pct), regain_access_minutes=regain, app_percent=app_pct,
                 account_percent=account_pct)
