"""Issue 17.6 in a browser: the policy is enforced, pages work under it, and the console listener sees violations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser_support import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_injected_inline_script_and_handlers_are_refused_and_reported(browser_page, live_server, client, admin_user,
                                                                      workspace):
    page = browser_page
    sign_in(page, client, admin_user, live_server.url)
    page.goto(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug}))
    # What an attacker's markup would try: an inline script, an event handler, a javascript: link.
    page.evaluate("""() => new Promise(done => {
        const s = document.createElement('script'); s.textContent = 'window.pwned = 1'; document.body.append(s);
        const a = document.createElement('a'); a.href = 'javascript:window.pwned = 3'; a.id = 'evil';
        a.textContent = 'Fix it'; document.body.append(a);
        const img = document.createElement('img'); img.setAttribute('onerror', 'window.pwned = 2');
        img.addEventListener('error', () => setTimeout(done));  // after the (refused) inline handler's turn
        img.src = '/no-such-image.png'; document.body.append(img);
    })""")
    page.click("#evil")
    assert page.evaluate("() => window.pwned") is None
    violations = list(page.csp_violations)
    page.csp_violations.clear()  # provoked on purpose: the fixture must not fail this test for them
    assert any("inline script" in v for v in violations), violations
    assert len(violations) >= 2


def test_htmx_and_the_app_scripts_run_under_the_policy(browser_page, live_server, client, social, workspace):
    page = browser_page
    sign_in(page, client, social, live_server.url)
    page.goto(reverse("scheduler:calendar", kwargs={"ws": workspace.slug}))
    assert page.evaluate("() => typeof window.htmx") == "object"
    assert page.evaluate("() => htmx.config.allowEval") is False
    page.goto(reverse("admin:index"))  # the admin's own scripts are static files too
    assert page.csp_violations == []
