"""Headless Chromium for browser tests: Debian's chromium through Playwright, signed in by session cookie.

Every context the browser opens is watched for Content-Security-Policy violations (Chromium logs "Refused to … because it
violates the following Content Security Policy directive"): a test whose pages break the policy fails, so every
browser test also checks that the app needs no inline script (issue 17).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


def csp_violations(message) -> list[str]:  # noqa: ANN001
    """The console message as a one-line report when it is a CSP violation, else nothing."""
    if not any(marker in message.text for marker in CSP_MARKERS):
        return []
    return [f"{message.type}: {message.text} (on {message.page.url if message.page else '?'})"]


_FUNCTION = re.compile(r"^\s*(async\s+)?(function\b|\([^()]*\)\s*=>|\w+\s*=>)")


def _as_function(expression: str) -> str:
    """`wait_for_function("document.x === 1")` makes Playwright eval() the string in the page, which the policy
    refuses ('unsafe-eval'); the same check written as a function is sent as a function and runs."""
    return expression if _FUNCTION.match(expression) else f"() => ({expression})"


def _one_request_at_a_time(monkeypatch) -> None:  # noqa: ANN001
    """On SQLite the test database lives in memory with a shared cache, where two requests writing at once fail with
    "database table is locked" at once (a file database, as the app runs, waits its busy timeout instead). A browser
    sends requests side by side (parallel uploads, thumbnails while an HTMX post runs), so the live server answers
    them one at a time there. The wait is bounded, so a request that itself waits on another cannot deadlock."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    gate = threading.Lock()
    call = WSGIHandler.__call__

    def serial(self, environ, start_response):  # noqa: ANN001, ANN202
        held = gate.acquire(timeout=10)
        try:
            return call(self, environ, start_response)
        finally:
            if held:
                gate.release()

    monkeypatch.setattr(WSGIHandler, "__call__", serial)


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A Playwright page on a live server; skips (with the reason) when chromium is not installed."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.skip("chromium is not installed (scripts/setup.sh installs it when run as root)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    wait_for_function = sync_api.Page.wait_for_function
    monkeypatch.setattr(sync_api.Page, "wait_for_function",
                        lambda self, expression, **kw: wait_for_function(self, _as_function(expression), **kw))
    _one_request_at_a_time(monkeypatch)
    pw = sync_api.sync_playwright().start()
    browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    violations: list[str] = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 — contexts a test opens are watched too
        opened = new_context(*args, **kwargs)
        opened.on("console", lambda message: violations.extend(csp_violations(message)))
        return opened

    browser.new_context = watched_context
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.csp_violations = violations  # a test that provokes one on purpose reads (and clears) it
    try:
        yield page
        if violations:
            pytest.fail("Content-Security-Policy violations in the browser console:\n" + "\n".join(violations))
    finally:
        # ORM calls made while Playwright runs live in its greenlet's context, on a connection of their own:
        # close it here, or PostgreSQL keeps a session open and the test database cannot be dropped.
        from django.db import connections

        connections.close_all()
        context.close()
        browser.close()
        pw.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def sign_in(page, client, user, base_url: str) -> None:  # noqa: ANN001
    """Give the browser the session of `user` (the sign-in form has its own tests)."""
    from django.conf import settings

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": base_url}])


def screenshot(page, name: str) -> Path:  # noqa: ANN001
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
