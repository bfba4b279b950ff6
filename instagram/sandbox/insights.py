"""Media insights in the sandbox: metric validation, lag, and the answer shapes Meta uses."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from instagram.sandbox.common import (
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


def media_insights(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    _row, user = sb.auth(token, "insights")
    metrics = [m for m in (params.get("metric") or "").split(",") if m]
    return Response(200, sb.insights(user, obj, metrics))
