"""Media insights in the sandbox: metric validation, lag, and the answer shapes Meta uses."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from instagram.sandbox.common import (
    ACCOUNT_DEPRECATED_METRICS,
    ACCOUNT_METRICS,
    ACCOUNT_SERIES_EPOCH,
    DEPRECATED_METRICS,
    FEED_METRICS,
    STORY_METRICS,
    Response,
    SandboxError,
    no_object,
)

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox


class InsightsState:
    """Insights of media; mixed into Sandbox."""

    def insights(self, user: dict[str, Any], media_id: str, metrics: list[str]) -> dict[str, Any]:
        m = self.find_media(media_id)
        if m is None or m["owner"] != user["id"]:
            raise no_object(media_id)
        if m.get("parent"):
            raise SandboxError("(#10) Insights are not available for carousel children", code=10)
        allowed = STORY_METRICS if m["media_product_type"] == "STORY" else FEED_METRICS
        if not metrics:
            raise SandboxError("(#100) The parameter metric is required", code=100)
        for name in metrics:
            if name in DEPRECATED_METRICS:
                raise SandboxError(f"(#100) Starting from v22.0 the {name} metric is no longer supported; use views.",
                                   code=100)
            if name not in allowed:
                raise SandboxError(f"(#100) metric[{metrics.index(name)}] must be one of the following values: "
                                   + ", ".join(sorted(allowed)), code=100)
        lagging = self.now() - m["timestamp"] < self.scaled("insights_lag")
        shape = self.config["insights_shape"]
        data = []
        for name in metrics:
            value = int(hashlib.sha256(f"{media_id}:{name}".encode()).hexdigest()[:6], 16) % 900 + 10
            row: dict[str, Any] = {"name": name, "period": "lifetime", "title": name.replace("_", " ").title(),
                                   "description": f"The number of {name.replace('_', ' ')} on this media.",
                                   "id": f"{media_id}/insights/{name}/lifetime"}
            use_total = shape == "total_value" or (shape == "mixed" and name in ("total_interactions", "shares"))
            if use_total:
                row["total_value"] = {} if lagging else {"value": value}
                if lagging:
                    row.pop("total_value")
                    row["values"] = []
            else:
                row["values"] = [] if lagging else [{"value": value}]
            data.append(row)
        return {"data": data}


    # ---------------------------------------------------------------------------------- account insights
    def _wobble(self, user_id: str, day: int, name: str) -> float:
        """A stable number in [0, 1) per account, day and metric."""
        return int(hashlib.sha256(f"{user_id}:{day}:{name}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF

    def followers_on(self, user: dict[str, Any], when: float) -> int:
        """Own accounts grow a little every day (about 3 followers, some days fewer): plausible, deterministic."""
        day = int((when - ACCOUNT_SERIES_EPOCH) // 86400)
        base = int(user.get("followers_count") or 0)
        if day <= 0:
            return base
        return base + 3 * day - int(self._wobble(user["id"], day, "followers") * 3)

    def account_day(self, user: dict[str, Any], day: int) -> dict[str, int]:
        """One day's figures: reach about a quarter of the followers (busier at weekends), views ~1.8 × reach."""
        followers = self.followers_on(user, ACCOUNT_SERIES_EPOCH + day * 86400)
        weekend = 1.25 if (day + 3) % 7 in (5, 6) else 1.0  # 2026-01-01 was a Thursday
        reach = max(1, int(followers * (0.18 + 0.14 * self._wobble(user["id"], day, "reach")) * weekend))
        views = int(reach * (1.5 + 0.7 * self._wobble(user["id"], day, "views")))
        engaged = max(1, int(reach * (0.03 + 0.05 * self._wobble(user["id"], day, "engaged"))))
        interactions = int(engaged * (1.2 + 0.8 * self._wobble(user["id"], day, "interactions")))
        likes = int(interactions * 0.7)
        comments = int(interactions * 0.1)
        saves = int(interactions * 0.12)
        shares = interactions - likes - comments - saves
        return {"reach": reach, "views": views, "accounts_engaged": engaged, "total_interactions": interactions,
                "likes": likes, "comments": comments, "saves": saves, "shares": shares, "replies": comments // 3,
                "follows_and_unfollows": 3, "profile_links_taps": engaged // 10}

    def account_insights(self, user: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        metrics = [m for m in (params.get("metric") or "").split(",") if m]
        if not metrics:
            raise SandboxError("(#100) The parameter metric is required", code=100)
        for name in metrics:
            if name in ACCOUNT_DEPRECATED_METRICS:
                raise SandboxError(f"(#100) Starting from v22.0 the {name} metric is no longer supported.", code=100)
            if name not in ACCOUNT_METRICS:
                raise SandboxError(f"(#100) metric[{metrics.index(name)}] must be one of the following values: "
                                   + ", ".join(sorted(ACCOUNT_METRICS)), code=100)
        if params.get("period", "") != "day":
            raise SandboxError("(#100) The parameter period is required and must be day", code=100)
        metric_type = params.get("metric_type", "time_series")
        if metric_type == "time_series" and metrics != ["reach"]:
            raise SandboxError("(#100) The following metrics should be specified with parameter metric_type="
                               "total_value: " + ", ".join(m for m in metrics if m != "reach"), code=100)
        now = self.now()
        try:
            until = float(params["until"]) if params.get("until") else now
            since = float(params["since"]) if params.get("since") else until - 2 * 86400
        except ValueError:
            raise SandboxError("(#100) since and until must be unix timestamps", code=100) from None
        if until - since > 30 * 86400:
            raise SandboxError("(#100) There cannot be more than 30 days (2592000 s) between since and until", code=100)
        # Sandbox days run 00:00–24:00 UTC; a day counts when its noon lies in [since, until) and it is over (data
        # "lags" until then), so a local day of any zone asked with its own bounds gets exactly one sandbox day.
        first = int(-(-(since - ACCOUNT_SERIES_EPOCH - DAY / 2) // DAY))
        last = int(-(-(until - ACCOUNT_SERIES_EPOCH - DAY / 2) // DAY))  # exclusive
        last = min(last, int((now - ACCOUNT_SERIES_EPOCH) // DAY))
        days = [self.account_day(user, d) for d in range(first, last)]
        data = []
        for name in metrics:
            row: dict[str, Any] = {"name": name, "period": "day", "title": name.replace("_", " ").title(),
                                   "description": f"The number of {name.replace('_', ' ')} of this account.",
                                   "id": f"{user['id']}/insights/{name}/day"}
            if metric_type == "total_value":
                if days:
                    row["total_value"] = {"value": sum(d[name] for d in days)}
                else:
                    row["values"] = []
            else:
                row["values"] = [{"value": d[name], "end_time": _iso(ACCOUNT_SERIES_EPOCH + (first + i + 1) * DAY)}
                                 for i, d in enumerate(days)]
            data.append(row)
        return {"data": data}


DAY = 86400


def _iso(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def insights_answer(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    """/{id}/insights: an account's (own users) or a media's."""
    _row, user = sb.auth(token, "insights")
    if obj == "me" or obj in sb.users:
        if obj not in ("me", user["id"]):
            raise no_object(obj)
        return Response(200, sb.account_insights(user, params))
    metrics = [m for m in (params.get("metric") or "").split(",") if m]
    return Response(200, sb.insights(user, obj, metrics))
