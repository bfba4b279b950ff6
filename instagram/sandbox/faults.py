"""Fault injection in the sandbox: picking a configured fault for a call and turning it into an answer."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from instagram.sandbox.common import (
    Response,
    SandboxError,
)

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox


FAULT_KEYS = {"endpoint", "http_status", "code", "subcode", "is_transient", "message", "user_title", "user_msg",
               "timeout", "sleep_seconds", "times", "once", "probability", "phase", "regain_minutes", "body"}


def take_fault(sb: Sandbox, endpoint: str, phase: str) -> dict[str, Any] | None:
    with sb.lock:
        for fault in sb.faults:
            if fault.get("phase", "before") != phase or fault["endpoint"] not in (endpoint, "*"):
                continue
            if fault.get("times") is not None and fault["times"] <= 0:
                continue
            if fault.get("probability") is not None and random.random() >= float(fault["probability"]):
                continue
            if fault.get("times") is not None:
                fault["times"] -= 1
            fault["hits"] = fault.get("hits", 0) + 1
            sb.save()
            return dict(fault)
    return None


def apply_fault(sb: Sandbox, fault: dict[str, Any]) -> Response | None:
    if fault.get("timeout"):
        # Sleep past the client's read timeout; stop_event cuts it short when the server shuts down.
        sb.stop_event.wait(float(fault.get("sleep_seconds", 35)))
        return None
    if fault.get("code") is None:
        status = int(fault.get("http_status") or 500)
        text = fault.get("body") or {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                                     504: "Gateway Timeout"}.get(status, "Error")
        return Response(status, raw=str(text).encode(), content_type="text/html; charset=utf-8")
    exc = SandboxError(fault.get("message") or f"Sandbox injected error {fault['code']}", code=int(fault["code"]),
                       subcode=fault.get("subcode"), http_status=int(fault.get("http_status") or 400),
                       is_transient=bool(fault.get("is_transient")), user_title=fault.get("user_title") or "",
                       user_msg=fault.get("user_msg") or "")
    return Response(exc.http_status, exc.body())
