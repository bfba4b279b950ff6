"""The publish threads' kept-alive Graph session: one per thread, no cookies, the environment's proxy for the
Graph host resolved once (what requests would otherwise read on every call)."""

from __future__ import annotations

import http.server
import threading

import pytest

from instagram.conf import thread_session


def _in_new_thread(fn):
    out = {}
    t = threading.Thread(target=lambda: out.update(value=fn()))
    t.start()
    t.join(10)
    return out["value"]


def test_one_session_per_thread():
    mine = thread_session()
    assert thread_session() is mine
    assert _in_new_thread(thread_session) is not mine


@pytest.mark.parametrize(("no_proxy", "expected"), [
    ("", {"https": "http://proxy.internal:3128"}),
    ("graph.instagram.com", {}),
])
def test_the_environment_proxy_applies_to_the_graph_host_unless_bypassed(monkeypatch, settings, no_proxy, expected):
    settings.INSTAGRAM_GRAPH_URL = "https://graph.instagram.com"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("https_proxy", "http://proxy.internal:3128")
    monkeypatch.setenv("no_proxy", no_proxy)
    session = _in_new_thread(thread_session)
    assert session.trust_env is False
    assert {k: v for k, v in session.proxies.items() if k in ("http", "https")} == expected


def test_it_keeps_no_cookies_a_server_sets():
    class SetsCookie(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Set-Cookie", "sid=from-account-a; Path=/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SetsCookie)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        session = _in_new_thread(thread_session)
        resp = session.get(f"http://127.0.0.1:{server.server_address[1]}/", timeout=5)
        assert resp.status_code == 200 and "sid=" in resp.headers["Set-Cookie"]
        assert len(session.cookies) == 0
    finally:
        server.shutdown()
