"""Rate-limit usage in the sandbox: calls per rolling window, X-App-Usage / X-Business-Use-Case-Usage, throttling, call counters."""

from __future__ import annotations

import json
import math
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

from instagram.sandbox.common import SandboxError

# Meta's messages for its throttling codes (instagram-graph-api.md §4).
THROTTLE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80002: "There have been too many calls to this Instagram account. Wait a bit and try again.",
}


@dataclass(frozen=True)
class Reading:
    """Usage after one call: percentages for the headers, and the throttle error when over a budget."""

    app_percent: float
    account_percent: float
    regain_minutes: int = 0
    throttled: SandboxError | None = None


class UsageState:
    """The rolling window behind the usage headers, and plain counters of every request; mixed into Sandbox."""

    def _reset_usage(self) -> None:
        self._calls: deque[tuple[float, str]] = deque()  # (sandbox time, ig user id of the token) per accepted call
        self.call_counts: Counter[str] = Counter()  # endpoint → Graph API requests, throttled and faulted ones too
        self.account_calls: Counter[str] = Counter()
        self.cdn_counts: Counter[str] = Counter()  # media id → CDN requests

    def _budgets(self) -> tuple[int, int, float]:
        app = max(1, int(self.config["app_call_budget"]))
        account = self.config.get("account_call_budget") or app // 10
        return app, max(1, int(account)), float(self.config["usage_window_seconds"])

    def count_request(self, endpoint: str, user_id: str | None, media_id: str | None = None) -> None:
        with self.lock:
            if endpoint == "cdn":
                self.cdn_counts[media_id or "-"] += 1
                return
            self.call_counts[endpoint] += 1
            if user_id:
                self.account_calls[user_id] += 1

    def meter(self, user_id: str | None) -> Reading:
        """Record one Graph API call, or refuse it with Meta's throttling error when a budget is used up."""
        now = self.now()
        with self.lock:
            app_budget, account_budget, window = self._budgets()
            while self._calls and self._calls[0][0] <= now - window:
                self._calls.popleft()
            app_n = len(self._calls)
            mine = [ts for ts, u in self._calls if u == user_id] if user_id else []
            if app_n >= app_budget:
                # Access comes back when enough of the oldest calls have left the window.
                frees_at = self._calls[app_n - app_budget][0] + window
                return self._throttle(int(self.config["app_limit_code"]), frees_at - now, 100.0,
                                      len(mine) * 100 / account_budget)
            if user_id and len(mine) >= account_budget:
                frees_at = mine[len(mine) - account_budget] + window
                return self._throttle(int(self.config["account_limit_code"]), frees_at - now,
                                      app_n * 100 / app_budget, 100.0)
            self._calls.append((now, user_id or ""))
            return Reading(min(100.0, (app_n + 1) * 100 / app_budget),
                           min(100.0, (len(mine) + (1 if user_id else 0)) * 100 / account_budget))

    @staticmethod
    def _throttle(code: int, seconds: float, app_pct: float, account_pct: float) -> Reading:
        minutes = max(1, math.ceil(seconds / 60))
        error = SandboxError(THROTTLE_MESSAGES.get(code, f"(#{code}) Rate limit reached"), code=code, is_transient=True)
        return Reading(min(100.0, app_pct), min(100.0, account_pct), minutes, error)

    def usage_headers(self, reading: Reading, user_id: str | None, regain_minutes: int = 0) -> dict[str, str]:
        regain = max(reading.regain_minutes, regain_minutes)
        app_pct, account_pct = reading.app_percent, reading.account_percent
        if regain_minutes:  # an injected rate-limit fault: both headers at the limit
            app_pct = account_pct = 100.0
        headers = {"X-App-Usage": json.dumps({"call_count": round(app_pct), "total_time": round(app_pct / 2),
                                              "total_cputime": round(app_pct / 3)})}
        if user_id:
            headers["X-Business-Use-Case-Usage"] = json.dumps({user_id: [{
                "type": "instagram", "call_count": round(account_pct), "total_cputime": round(account_pct / 3),
                "total_time": round(account_pct / 2), "estimated_time_to_regain_access": int(regain)}]})
        return headers

    def usage_summary(self) -> dict[str, Any]:
        now = self.now()
        with self.lock:
            app_budget, account_budget, window = self._budgets()
            live = [(ts, u) for ts, u in self._calls if ts > now - window]
            per_account = Counter(u for _, u in live if u)
            return {
                "window_seconds": window,
                "app": {"calls": len(live), "budget": app_budget, "percent": round(len(live) * 100 / app_budget, 2)},
                "accounts": {u: {"calls": n, "budget": account_budget, "percent": round(n * 100 / account_budget, 2)}
                             for u, n in per_account.items()},
            }

    def fill_usage(self, *, calls: int, user_id: str | None = None) -> None:
        """Pretend `calls` calls were just made (by an account, or by the app alone): to reach a limit quickly."""
        now = self.now()
        with self.lock:
            self._calls.extend((now, user_id or "") for _ in range(max(0, calls)))

    def clear_usage(self) -> None:
        with self.lock:
            self._calls.clear()

    def counters(self) -> dict[str, Any]:
        with self.lock:
            return {"total": sum(self.call_counts.values()), "by_endpoint": dict(self.call_counts),
                    "by_account": dict(self.account_calls), "cdn_total": sum(self.cdn_counts.values()),
                    "cdn_by_media": dict(self.cdn_counts)}

    def clear_counters(self) -> None:
        with self.lock:
            self.call_counts.clear()
            self.account_calls.clear()
            self.cdn_counts.clear()
