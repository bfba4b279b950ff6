"""HTTP front of the sandbox: Graph API routes, OAuth pages, the CDN, and the /_control/ API.

A ThreadingHTTPServer (stdlib only) so it starts in a test thread as easily as from the command line.
"""

from __future__ import annotations

import html
import json
import logging
import random
import re
import secrets
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from instagram.sandbox.fields import Field, FieldSyntaxError, parse_fields
from instagram.sandbox.media import jpeg_bytes
from instagram.sandbox.state import FB_SCOPES, IG_SCOPES, Sandbox, SandboxError

log = logging.getLogger("instagram.sandbox")

_VERSION = re.compile(r"^v\d+(\.\d+)?$")
_FAULT_KEYS = {"endpoint", "http_status", "code", "subcode", "is_transient", "message", "user_title", "user_msg",
               "timeout", "sleep_seconds", "times", "once", "probability", "phase", "regain_minutes", "body"}


class Response:
    def __init__(self, status: int = 200, body: Any = None, *, headers: dict[str, str] | None = None,
                 raw: bytes | None = None, file: Path | None = None, content_type: str = "application/json; charset=UTF-8") -> None:
        self.status, self.body, self.headers, self.raw, self.file = status, body, headers or {}, raw, file
        self.content_type = content_type


def _redirect(url: str) -> Response:
    return Response(302, raw=b"", headers={"Location": url}, content_type="text/plain")


def _with_query(url: str, params: dict[str, str], fragment: str = "") -> str:
    sep = "&" if "?" in url else "?"
    return url + sep + urlencode(params) + fragment


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body of a keep-alive answer go out in two sends; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK — ~40 ms added to every call (found by bench/dispatch.py). Instagram has no
    # such stall, so the sandbox's configured latency must be the only delay.
    disable_nagle_algorithm = True
    server: SandboxHTTPServer

    # Requests are logged by the app side; the stdlib's per-line stderr log would only add noise (and tokens).
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("sandbox %s", self.command + " " + self.path.split("?")[0])

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    # ---------------------------------------------------------------------------------------------
    def _params(self) -> tuple[list[str], dict[str, str], Any]:
        parts = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        ctype = self.headers.get("Content-Type", "")
        if raw and "json" in ctype:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        elif raw:
            multi = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
            body = {k: v[-1] for k, v in multi.items()}
            if "decision" in multi:
                # The consent form: each ticked permission box sends one "grant"; unticked ones are absent.
                body["sandbox_scopes"] = ",".join(multi.get("grant", []))
            params.update(body)
        segments = [s for s in parts.path.split("/") if s]
        return segments, params, body

    def _token(self, params: dict[str, str]) -> str | None:
        auth = self.headers.get("Authorization", "")
        match = re.match(r"(?:Bearer|OAuth)\s+(\S+)", auth, re.IGNORECASE)
        return match.group(1) if match else params.get("access_token")

    def _handle(self, method: str) -> None:
        sb = self.server.sandbox
        try:
            segments, params, body = self._params()
        except (ValueError, OSError):
            return
        base = f"http://{self.headers.get('Host') or '{}:{}'.format(*self.server.server_address[:2])}"
        if segments and segments[0] == "_control":
            resp = self._safe(lambda: control(sb, method, segments[1:], params, body if isinstance(body, dict) else {}))
            self._send(resp, method)
            return
        endpoint, action = route(sb, self, method, segments, params, base)
        if endpoint != "cdn":
            token = self._token(params)
            row = sb.tokens.get(token or "")
            app_pct, user_pct = sb.record_call(row["user_id"] if row else None)
        delay = sb.latency.get(endpoint, sb.latency.get("*", 0.0)) if endpoint != "cdn" else sb.latency.get("cdn", 0.0)
        if delay:
            sb.stop_event.wait(delay / 1000)
        fault = take_fault(sb, endpoint, "before")
        if fault:
            resp = apply_fault(sb, fault)
        else:
            resp = self._safe(action)
            after = take_fault(sb, endpoint, "after")
            if after:
                resp = apply_fault(sb, after)
        if resp is None:  # a timeout fault: the client has given up; close without an answer
            self.close_connection = True
            return
        if endpoint != "cdn":
            regain = (fault or {}).get("regain_minutes") or 0
            if regain:
                app_pct = user_pct = 100.0
            usage = {"call_count": round(app_pct), "total_time": round(app_pct / 2), "total_cputime": round(app_pct / 3)}
            resp.headers.setdefault("X-App-Usage", json.dumps(usage))
            if row:
                buc = {row["user_id"]: [{"type": "instagram", "call_count": round(user_pct), "total_cputime": round(user_pct / 3),
                                         "total_time": round(user_pct / 2), "estimated_time_to_regain_access": int(regain)}]}
                resp.headers.setdefault("X-Business-Use-Case-Usage", json.dumps(buc))
        self._send(resp, method)

    @staticmethod
    def _safe(action: Callable[[], Response]) -> Response:
        try:
            return action()
        except SandboxError as exc:
            return Response(exc.http_status, exc.body())
        except FieldSyntaxError as exc:
            return Response(400, SandboxError(f"(#100) Syntax error in fields: {exc}", code=100).body())
        except Exception:
            log.exception("sandbox handler crashed")
            return Response(500, SandboxError("An unknown error has occurred.", code=1, is_transient=True).body())

    def _send(self, resp: Response, method: str) -> None:
        try:
            if resp.file is not None:
                size = resp.file.stat().st_size
                self.send_response(resp.status)
                self.send_header("Content-Type", resp.content_type)
                self.send_header("Content-Length", str(size))
                for k, v in resp.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if method != "HEAD":
                    with open(resp.file, "rb") as fh:
                        while chunk := fh.read(256 * 1024):
                            self.wfile.write(chunk)
                return
            data = resp.raw if resp.raw is not None else json.dumps(resp.body).encode()
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        super().__init__(address, SandboxHandler)


def make_server(host: str = "127.0.0.1", port: int = 8100, sandbox: Sandbox | None = None) -> SandboxHTTPServer:
    return SandboxHTTPServer((host, port), sandbox or Sandbox())


# -------------------------------------------------------------------------------------------------
# Faults
# -------------------------------------------------------------------------------------------------


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


# -------------------------------------------------------------------------------------------------
# Routing of the Instagram-facing API
# -------------------------------------------------------------------------------------------------


def route(sb: Sandbox, h: SandboxHandler, method: str, seg: list[str], params: dict[str, str], base: str) -> tuple[str, Callable[[], Response]]:
    """(endpoint name used by latency/faults, action)."""
    if seg and seg[0] == "cdn":
        return "cdn", lambda: cdn(sb, seg[1:], params)
    if seg and _VERSION.match(seg[0]):
        seg = seg[1:]
    token = h._token(params)
    if seg[:2] == ["oauth", "authorize"] or seg[:2] == ["dialog", "oauth"]:
        if len(seg) == 3 and seg[2] == "decide" and method == "POST":
            return "oauth_authorize", lambda: authorize_decide(sb, params)
        return "oauth_authorize", lambda: authorize_page(sb, params, login="facebook" if seg[0] == "dialog" else "instagram")
    if seg == ["oauth", "access_token"]:
        if method == "POST":
            return "oauth_access_token", lambda: oauth_code_exchange(sb, params)
        if params.get("grant_type") == "fb_exchange_token":
            return "long_lived_exchange", lambda: Response(200, sb.exchange_long_lived(
                client_secret=params.get("client_secret", ""), token=params.get("fb_exchange_token", ""),
                client_id=params.get("client_id", "")))
        return "oauth_access_token", lambda: fb_code_exchange(sb, params)
    if seg == ["access_token"]:
        def exchange() -> Response:
            if params.get("grant_type") != "ig_exchange_token":
                raise SandboxError("(#100) Unsupported grant_type", code=100)
            return Response(200, sb.exchange_long_lived(client_secret=params.get("client_secret", ""), token=token or ""))
        return "long_lived_exchange", exchange
    if seg == ["refresh_access_token"]:
        def refresh() -> Response:
            if params.get("grant_type") != "ig_refresh_token":
                raise SandboxError("(#100) Unsupported grant_type", code=100)
            return Response(200, sb.refresh(token or ""))
        return "refresh_access_token", refresh
    if not seg:
        return "unknown", lambda: Response(404, SandboxError("Unknown path components", code=2500).body())
    obj = seg[0]
    edge = seg[1] if len(seg) > 1 else None
    if len(seg) > 2:
        return "unknown", lambda: Response(400, SandboxError("Unknown path components", code=2500).body())
    if edge is None and method == "GET":
        fields_text = params.get("fields", "")
        name = "business_discovery" if "business_discovery" in fields_text else (
            "profile" if obj == "me" or obj in sb.users or obj in sb.public_users else
            "container_status" if obj in sb.containers else "get_media")
        return name, lambda: get_object(sb, token, obj, params, base)
    table: dict[tuple[str, str], tuple[str, Callable[[], Response]]] = {
        ("GET", "media"): ("list_media", lambda: list_media(sb, token, obj, params, base)),
        ("POST", "media"): ("create_container", lambda: create_container(sb, token, obj, params)),
        ("POST", "media_publish"): ("media_publish", lambda: media_publish(sb, token, obj, params)),
        ("GET", "content_publishing_limit"): ("content_publishing_limit", lambda: publishing_limit(sb, token, obj, params)),
        ("POST", "comments"): ("post_comment", lambda: post_comment(sb, token, obj, params)),
        ("GET", "comments"): ("list_comments", lambda: list_comments(sb, token, obj)),
        ("GET", "insights"): ("media_insights", lambda: media_insights(sb, token, obj, params)),
        ("GET", "children"): ("list_children", lambda: list_children(sb, token, obj, params, base)),
        ("GET", "accounts"): ("me_accounts", lambda: me_accounts(sb, token)),
    }
    if (method, edge or "") in table:
        return table[(method, edge or "")]
    return "unknown", lambda: Response(400, SandboxError(f"Unsupported {method.lower()} request.", code=100).body())


# --- OAuth ------------------------------------------------------------------------------------------

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Instagram sandbox — authorize</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}}button{{padding:.5rem 1.2rem;margin-right:.5rem}}</style>
</head><body><h1>Sandbox Instagram</h1>
<p><strong>{app}</strong> wants to connect to your Instagram professional account.</p>
<form method="post" action="{action}">{hidden}
<p><label>Account username <input name="sandbox_username" value="{username}" required></label></p>
<fieldset><legend>Permissions</legend>{scopes}</fieldset>
<p><button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></p>
</form></body></html>"""


def authorize_page(sb: Sandbox, params: dict[str, str], *, login: str) -> Response:
    if params.get("client_id") != sb.config["app_id"]:
        return Response(400, raw=b"Invalid platform app (client_id)", content_type="text/plain")
    if not params.get("redirect_uri"):
        return Response(400, raw=b"redirect_uri is required", content_type="text/plain")
    params = {**params, "login": login}
    auto = params.get("sandbox_auto")
    if auto in ("allow", "deny"):
        return authorize_decide(sb, {**params, "decision": auto})
    scopes = [s for s in (params.get("scope") or "").replace(" ", ",").split(",") if s]
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in params.items() if k in ("client_id", "redirect_uri", "state", "scope", "login"))
    boxes = "".join(f'<label><input type="checkbox" name="grant" value="{html.escape(s)}" checked> {html.escape(s)}</label><br>'
                    for s in scopes)
    page = _PAGE.format(app=html.escape(sb.config["app_id"]), action="/oauth/authorize/decide", hidden=hidden,
                        username=html.escape(params.get("sandbox_username", "sandbox_brand")), scopes=boxes)
    return Response(200, raw=page.encode(), content_type="text/html; charset=utf-8")


def authorize_decide(sb: Sandbox, params: dict[str, str]) -> Response:
    redirect_uri = params.get("redirect_uri", "")
    state = params.get("state", "")
    login = params.get("login", "instagram")
    if params.get("decision") != "allow":
        return _redirect(_with_query(redirect_uri, {"error": "access_denied", "error_reason": "user_denied",
                                                    "error_description": "Permissions error", "state": state}))
    requested = [s for s in (params.get("scope") or "").replace(" ", ",").split(",") if s]
    if "sandbox_scopes" in params:
        granted = [s for s in params["sandbox_scopes"].split(",") if s]
    else:
        granted = requested
    code = sb.authorize(username=params.get("sandbox_username") or "sandbox_brand", redirect_uri=redirect_uri,
                        scopes=list(granted), login=login)
    return _redirect(_with_query(redirect_uri, {"code": code, "state": state}, "#_" if login == "instagram" else "#_=_"))


def oauth_code_exchange(sb: Sandbox, params: dict[str, str]) -> Response:
    if params.get("grant_type") != "authorization_code":
        raise SandboxError("Invalid grant_type", code=400, oauth_shape=True)
    tok = sb.redeem_code(client_id=params.get("client_id", ""), client_secret=params.get("client_secret", ""),
                         redirect_uri=params.get("redirect_uri", ""), code=params.get("code", ""), oauth_shape=True)
    return Response(200, sb.code_answer(tok))


def fb_code_exchange(sb: Sandbox, params: dict[str, str]) -> Response:
    tok = sb.redeem_code(client_id=params.get("client_id", ""), client_secret=params.get("client_secret", ""),
                         redirect_uri=params.get("redirect_uri", ""), code=params.get("code", ""), oauth_shape=False)
    return Response(200, {"access_token": tok["access_token"], "token_type": "bearer", "expires_in": tok["expires_in"]})


# --- Graph objects ----------------------------------------------------------------------------------


def get_object(sb: Sandbox, token: str | None, obj: str, params: dict[str, str], base: str) -> Response:
    row, user = sb.auth(token, "basic")
    fields = parse_fields(params.get("fields"))
    if obj == "me" and row["login"] == "facebook" and not fields:
        return Response(200, {"id": "fb-" + user["id"], "name": user["name"]})
    if obj in ("me", user["id"]):
        out = sb.render_user(user, [f for f in fields if f.name != "business_discovery"], base)
        for f in fields:
            if f.name == "business_discovery":
                out["business_discovery"] = business_discovery(sb, user, f, base)
        return Response(200, out)
    container = sb.containers.get(obj)
    if container is not None and container["owner"] == user["id"]:
        out: dict[str, Any] = {}
        for f in fields or [Field("id")]:
            if f.name == "status_code":
                out["status_code"] = sb.status_of(container)
            elif f.name == "status":
                out["status"] = sb.status_text(container)
            elif f.name == "id":
                out["id"] = obj
            else:
                raise SandboxError(f"(#100) Tried accessing nonexisting field ({f.name}) on node type (ShadowIGMediaBuilder)", code=100)
        out.setdefault("id", obj)
        return Response(200, out)
    media = sb.find_media(obj)
    if media is not None and media["owner"] == user["id"]:
        return Response(200, sb.render_media(media, fields, base))
    raise SandboxError(
        f"Unsupported get request. Object with ID '{obj}' does not exist, cannot be loaded due to missing permissions, "
        "or does not support this operation.", code=100, subcode=33)


def business_discovery(sb: Sandbox, me: dict[str, Any], f: Field, base: str) -> dict[str, Any]:
    username = f.args.get("username", "")
    target = sb.user_by_username(username)
    if target is None or target.get("account_type") != "BUSINESS":
        raise SandboxError("Invalid user id", code=110, subcode=2207013, user_title="Cannot find User",
                           user_msg=f"The user with username: {username} cannot be found.")
    return sb.render_user(target, f.children or [Field("id")], base, discovery=True)


def _owned_user(sb: Sandbox, token: str | None, obj: str, need: str, *, post: bool) -> dict[str, Any]:
    _row, user = sb.auth(token, need)
    sb.own_target(user, obj, post=post)
    return user


def list_media(sb: Sandbox, token: str | None, obj: str, params: dict[str, str], base: str) -> Response:
    user = _owned_user(sb, token, obj, "basic", post=False)
    f = Field("media", {k: params[k] for k in ("after", "before", "limit") if params.get(k)},
              parse_fields(params.get("fields")) or None)

    def ts(key: str) -> float | None:
        return float(params[key]) if params.get(key) else None

    with_token = token if "access_token" in params else None
    return Response(200, sb.media_edge(user["id"], f, base, next_base=f"{base}/v25.0/{user['id']}/media",
                                       token=with_token, since=ts("since"), until=ts("until")))


def create_container(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    user = _owned_user(sb, token, obj, "publish", post=True)
    if params.get("upload_type") == "resumable":
        raise SandboxError("(#100) Resumable upload is not simulated; use video_url", code=100)
    return Response(200, {"id": sb.create_container(user, params)["id"]})


def media_publish(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    user = _owned_user(sb, token, obj, "publish", post=True)
    return Response(200, {"id": sb.publish(user, params.get("creation_id", ""))["id"]})


def publishing_limit(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    user = _owned_user(sb, token, obj, "basic", post=False)
    since = float(params["since"]) if params.get("since") else None
    duration = max(1, int(sb.scaled("quota_duration")))
    row: dict[str, Any] = {"quota_usage": sb.quota_usage(user["id"], since)}
    fields = params.get("fields") or "quota_usage"
    if "config" in fields:
        row["config"] = {"quota_total": int(sb.config["quota_total"]), "quota_duration": duration}
    return Response(200, {"data": [row]})


def post_comment(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    _row, user = sb.auth(token, "comments")
    return Response(200, {"id": sb.add_comment(user, obj, params.get("message", ""))["id"]})


def list_comments(sb: Sandbox, token: str | None, obj: str) -> Response:
    _row, user = sb.auth(token, "comments")
    m = sb.find_media(obj)
    if m is None or m["owner"] != user["id"]:
        raise SandboxError(f"Unsupported get request. Object with ID '{obj}' does not exist.", code=100, subcode=33)
    return Response(200, {"data": list(m.get("comments", []))})


def media_insights(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    _row, user = sb.auth(token, "insights")
    metrics = [m for m in (params.get("metric") or "").split(",") if m]
    return Response(200, sb.insights(user, obj, metrics))


def list_children(sb: Sandbox, token: str | None, obj: str, params: dict[str, str], base: str) -> Response:
    _row, user = sb.auth(token, "basic")
    m = sb.find_media(obj)
    if m is None or m["owner"] != user["id"]:
        raise SandboxError(f"Unsupported get request. Object with ID '{obj}' does not exist.", code=100, subcode=33)
    fields = parse_fields(params.get("fields")) or [Field("id")]
    return Response(200, {"data": [sb.render_media(sb.find_media(c), fields, base, nested=True) for c in m["children"]]})


def me_accounts(sb: Sandbox, token: str | None) -> Response:
    _row, user = sb.auth(token, "basic")
    return Response(200, {"data": [{"id": "page-" + user["id"], "name": user["name"] + " Page",
                                    "instagram_business_account": {"id": user["id"], "username": user["username"]}}]})


# --- CDN ---------------------------------------------------------------------------------------------


def cdn(sb: Sandbox, seg: list[str], params: dict[str, str]) -> Response:
    not_found = Response(404, raw=b"Not Found", content_type="text/plain")
    if len(seg) != 2:
        if seg and seg[0] == "gen":
            return generated(params)
        return not_found
    kind, name = seg
    stem = name.rsplit(".", 1)[0]
    if kind == "u":
        path = sb.assets.path("u") / Path(name).name
        if not path.exists():
            return not_found
        return Response(200, file=path, content_type="video/mp4" if name.endswith(".mp4") else "image/jpeg")
    if kind == "avatar":
        user = sb.find_user(stem)
        if user is None:
            return not_found
        color = f"{int(stem) % 0xFFFFFF:06x}"
        return Response(200, file=sb.assets.image(f"avatar-{stem}", {"w": 150, "h": 150, "color": color}, user["username"]),
                        content_type="image/jpeg")
    media = sb.find_media(stem) or (sb.public_media.get(stem) if stem in sb.deleted else None)
    if media is None:
        return not_found
    asset = media.get("asset") or {"kind": "image", "w": 360, "h": 640, "color": f"{int(stem) % 0xFFFFFF:06x}"}
    if kind == "t":
        return Response(200, file=sb.assets.image(f"t-{stem}", {**asset, "kind": "image"}, "thumb"), content_type="image/jpeg")
    if kind == "p":
        if asset["kind"] == "video":
            return Response(200, file=sb.assets.video(f"p-{stem}", asset), content_type="video/mp4")
        return Response(200, file=sb.assets.image(f"p-{stem}", asset, stem[-5:]), content_type="image/jpeg")
    return not_found


def generated(params: dict[str, str]) -> Response:
    """/cdn/gen?w=&h=&format=JPEG|PNG&pad=N — test media with chosen properties (pad appends junk bytes)."""
    w, h = int(params.get("w", 1080)), int(params.get("h", 1080))
    fmt = params.get("format", "JPEG").upper()
    if fmt == "MP4":
        from instagram.sandbox.media import _FAKE_MP4

        data = _FAKE_MP4 + b"\x00" * int(params.get("pad", 0))
        return Response(200, raw=data, content_type="video/mp4")
    data = jpeg_bytes(w, h, params.get("color", "3366aa"), fmt=fmt) + b"\x00" * int(params.get("pad", 0))
    return Response(200, raw=data, content_type=f"image/{fmt.lower()}")


# -------------------------------------------------------------------------------------------------
# Control API
# -------------------------------------------------------------------------------------------------


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
                unknown = set(body) - _FAULT_KEYS
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
        m = sb.find_media(media_id)
        return Response(200 if m else 404, m or {"error": "no such media"})
    if head == "containers" and len(seg) == 2:
        c = sb.containers.get(seg[1])
        if c is None:
            return Response(404, {"error": "no such container"})
        return Response(200, {**c, "status_code": sb.status_of(c)})
    if head == "accounts" and method == "POST":
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
    if head == "profiles" and method == "POST":
        if len(seg) == 3 and seg[2] == "posts":
            try:
                ids = sb.add_public_posts(seg[1], int(body.get("count", 1)))
            except KeyError:
                return Response(404, {"error": "no such public profile"})
            return Response(200, {"ids": ids})
        spec = {k: body[k] for k in ("username", "posts", "media", "business", "name", "biography", "followers") if k in body}
        if "username" not in spec:
            return Response(400, {"error": "username is required"})
        spec.setdefault("posts", 30)
        user = sb.add_profile(spec)
        return Response(200, {"ig_user_id": user["id"], "username": user["username"]})
    return Response(404, {"error": f"unknown control endpoint {method} /_control/{'/'.join(seg)}"})


def serve(host: str, port: int, sandbox: Sandbox) -> None:
    server = make_server(host, port, sandbox)
    log.info("Instagram sandbox on http://%s:%s", *server.server_address[:2])
    try:
        server.serve_forever()
    finally:
        sandbox.stop_event.set()
        server.server_close()


__all__ = ["make_server", "serve", "SandboxHTTPServer"]
