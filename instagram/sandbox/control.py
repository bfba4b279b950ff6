"""The /_control/ API of the sandbox, for tests and demos (see docs/sandbox.md)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from instagram.sandbox.common import (
    FB_SCOPES,
    IG_SCOPES,
    Response,
)
from instagram.sandbox.control_archive import control_archive
from instagram.sandbox.faults import FAULT_KEYS

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox


def control(sb: Sandbox, method: str, seg: list[str], params: dict[str, str], body: dict[str, Any]) -> Response:
    data = {**params, **body}
    head = seg[0] if seg else ""
    if head == "health":
        return Response(200, {"ok": True})
    if head == "reset" and method == "POST":
        sb.reset(body.get("config"))
        return Response(200, {"ok": True})
    if head == "state":
        return Response(200, sb.snapshot())
    if head == "config":
        if method == "POST":
            unknown = set(body) - set(sb.config)
            if unknown:
                return Response(400, {"error": f"unknown config keys: {sorted(unknown)}"})
            with sb.lock:
                rebuild = "large_profile" in body or "seed" in body
                sb.config.update(body)
                if rebuild:
                    sb._build_public()
                sb.save()
        return Response(200, sb.config)
    if head == "clock":
        if method == "POST":
            with sb.lock:
                if "set_offset_seconds" in body:
                    sb.clock_offset = float(body["set_offset_seconds"])
                sb.clock_offset += float(body.get("advance_seconds", 0))
                sb.save()
        return Response(200, {"now": sb.now(), "offset_seconds": sb.clock_offset})
    if head == "latency":
        with sb.lock:
            if method == "DELETE":
                sb.latency.clear()
            elif method == "POST":
                sb.latency[str(body.get("endpoint", "*"))] = float(body.get("ms", 0))
            sb.save()
            return Response(200, dict(sb.latency))
    if head == "faults":
        with sb.lock:
            if method == "DELETE":
                sb.faults.clear()
            elif method == "POST":
                unknown = set(body) - FAULT_KEYS
                if unknown or not body.get("endpoint"):
                    return Response(400, {"error": f"need endpoint; unknown keys: {sorted(unknown)}"})
                fault = {**body, "id": secrets.token_hex(4), "hits": 0}
                if fault.pop("once", False):
                    fault["times"] = 1
                sb.faults.append(fault)
                sb.save()
                return Response(200, fault)
            sb.save()
            return Response(200, {"data": list(sb.faults)})
    if head == "ledger":
        with sb.lock:
            rows = [r for r in sb.ledger if not data.get("account_id") or r["account_id"] == str(data["account_id"])]
            return Response(200, {"data": [dict(r) for r in rows]})
    if head == "media" and len(seg) >= 2:
        media_id = seg[1]
        if method == "DELETE" or (len(seg) == 3 and seg[2] == "delete"):
            with sb.lock:
                if sb.find_media(media_id) is None:
                    return Response(404, {"error": "no such media"})
                sb.deleted.add(media_id)
                sb.save()
            return Response(200, {"deleted": media_id})
        if method == "POST":
            try:
                return Response(200, sb.patch_media(media_id, body))
            except KeyError:
                return Response(404, {"error": "no such media"})
            except ValueError as exc:
                return Response(400, {"error": str(exc)})
        m = sb.find_media(media_id)
        return Response(200 if m else 404, m or {"error": "no such media"})
    if head == "containers" and len(seg) == 2:
        c = sb.containers.get(seg[1])
        if c is None:
            return Response(404, {"error": "no such container"})
        return Response(200, {**c, "status_code": sb.status_of(c)})
    if head == "accounts" and method == "POST" and len(seg) == 1:
        login = body.get("login", "instagram")
        user = sb.create_user(str(body.get("username") or f"sandbox_{secrets.token_hex(3)}"),
                              name=str(body.get("name") or ""), business=bool(body.get("business", True)))
        tok = sb.issue_token(user["id"], kind="long", scopes=list(body.get("scopes") or (FB_SCOPES if login == "facebook" else IG_SCOPES)),
                             login=login, age_seconds=float(body.get("token_age_seconds", 0)),
                             lifetime=float(body["expires_in"]) if body.get("expires_in") is not None else None)
        return Response(200, {"ig_user_id": user["id"], "username": user["username"], "name": user["name"],
                              "access_token": tok["access_token"], "expires_in": tok["expires_in"], "scopes": tok["scopes"]})
    if head == "tokens" and method == "POST":
        with sb.lock:
            row = sb.tokens.get(str(body.get("access_token", "")))
            if row is None:
                return Response(404, {"error": "no such token"})
            action = body.get("action", "expire")
            if action == "expire":
                row["expires_at"] = sb.now() - 1
            elif action == "revoke":
                row["revoked"] = int(body.get("subcode", 460))
            elif action == "age":
                row["issued_at"] -= float(body.get("seconds", 0))
            sb.save()
            return Response(200, {"ok": True, "expires_at": row["expires_at"]})
    handled = control_archive(sb, method, seg, body)
    if handled is not None:
        return handled
    return Response(404, {"error": f"unknown control endpoint {method} /_control/{'/'.join(seg)}"})
