"""HTTP front of the sandbox: Graph API routes, OAuth pages, the CDN, and the /_control/ API.

A ThreadingHTTPServer (stdlib only) so it starts in a test thread as easily as from the command line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from instagram.sandbox.cdn import cdn
from instagram.sandbox.common import (
    Response,
    SandboxError,
)
from instagram.sandbox.control import control
from instagram.sandbox.faults import apply_fault, take_fault
from instagram.sandbox.fields import FieldSyntaxError
from instagram.sandbox.insights import insights_answer
from instagram.sandbox.oauth import authorize_decide, authorize_page, fb_code_exchange, oauth_code_exchange
from instagram.sandbox.places import page_search
from instagram.sandbox.publishing import create_container, media_publish, publishing_limit
from instagram.sandbox.reading import get_object, list_children, list_comments, list_media, me_accounts, post_comment
from instagram.sandbox.state import Sandbox

log = logging.getLogger("instagram.sandbox")

_VERSION = re.compile(r"^v\d+(\.\d+)?$")


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
        started = time.monotonic()
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
        if endpoint == "cdn":
            self._handle_cdn(sb, action, method)
            return
        row = sb.tokens.get(self._token(params) or "")
        user_id = row["user_id"] if row else None
        sb.count_request(endpoint, user_id)
        # A Graph call's latency is its time to answer, as the CDN's is (below): the sandbox's own work (and, for a
        # container, fetching the media) happens inside it, not on top. The stand-in runs on the app's machine;
        # Instagram's servers do not, so its processing must not count as the app's time.
        delay = sb.latency.get(endpoint, sb.latency.get("*", 0.0)) / 1000
        reading = sb.meter(user_id)
        fault = None
        if reading.throttled is not None:
            resp: Response | None = Response(reading.throttled.http_status, reading.throttled.body())
        else:
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
        for name, value in sb.usage_headers(reading, user_id, int((fault or {}).get("regain_minutes") or 0)).items():
            resp.headers.setdefault(name, value)
        remaining = delay - (time.monotonic() - started)
        if remaining > 0:
            sb.stop_event.wait(remaining)
        self._send(resp, method)

    def _handle_cdn(self, sb: Sandbox, action: Callable[[], Response], method: str) -> None:
        # A CDN's latency is its time to answer: the time spent generating a file counts towards it.
        started = time.monotonic()
        fault = take_fault(sb, "cdn", "before")
        resp = apply_fault(sb, fault) if fault else self._safe(action)
        remaining = sb.latency.get("cdn", 0.0) / 1000 - (time.monotonic() - started)
        if remaining > 0:
            sb.stop_event.wait(remaining)
        if resp is None:
            self.close_connection = True
            return
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
                    left = size if resp.truncate_to is None else resp.truncate_to
                    with open(resp.file, "rb") as fh:
                        while left > 0 and (chunk := fh.read(min(left, 256 * 1024))):
                            self.wfile.write(chunk)
                            left -= len(chunk)
                if resp.truncate_to is not None:
                    self.close_connection = True  # the promised Content-Length never arrives
                return
            data = resp.raw if resp.raw is not None else json.dumps(resp.body).encode()
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(data if resp.truncate_to is None else data[:resp.truncate_to])
            if resp.truncate_to is not None:
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        super().__init__(address, SandboxHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client dropping a keep-alive connection is normal (and what truncation faults provoke): no traceback.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def make_server(host: str = "127.0.0.1", port: int = 8100, sandbox: Sandbox | None = None) -> SandboxHTTPServer:
    return SandboxHTTPServer((host, port), sandbox or Sandbox())


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
    if seg == ["pages", "search"] and method == "GET":
        return "page_search", lambda: page_search(sb, token, params)
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
        ("GET", "insights"): ("account_insights" if obj == "me" or obj in sb.users else "media_insights",
                              lambda: insights_answer(sb, token, obj, params)),
        ("GET", "children"): ("list_children", lambda: list_children(sb, token, obj, params, base)),
        ("GET", "accounts"): ("me_accounts", lambda: me_accounts(sb, token)),
    }
    if (method, edge or "") in table:
        return table[(method, edge or "")]
    return "unknown", lambda: Response(400, SandboxError(f"Unsupported {method.lower()} request.", code=100).body())


def serve(host: str, port: int, sandbox: Sandbox) -> None:
    server = make_server(host, port, sandbox)
    log.info("Instagram sandbox on http://%s:%s", *server.server_address[:2])
    try:
        server.serve_forever()
    finally:
        sandbox.close()
        server.server_close()


__all__ = ["make_server", "serve", "SandboxHTTPServer"]
