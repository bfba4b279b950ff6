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


def test_the_admin_runs_under_the_policy(browser_page, live_server, client, workspace):
    """The admin's widgets (prepopulated slug, inline rows, date/time pickers, actions, filters) are static files:
    a tour of its pages as a superuser logs no violation (the fixture fails the test on any)."""
    from django_q.models import Schedule

    from tests.factories import UserFactory

    page = browser_page
    sign_in(page, client, UserFactory(username="root", is_superuser=True, is_staff=True), live_server.url)
    schedule = Schedule.objects.create(name="tour", func="scheduler.tasks.dispatch_due", schedule_type=Schedule.HOURLY)
    for url in (reverse("admin:index"), reverse("admin:accounts_workspace_add"),
                reverse("admin:accounts_workspace_change", args=[workspace.pk]), reverse("admin:accounts_user_add"),
                reverse("admin:accounts_notification_changelist"), reverse("admin:scheduler_post_changelist"),
                reverse("admin:django_q_schedule_change", args=[schedule.pk])):
        page.goto(url)
        assert page.evaluate("() => document.readyState") == "complete"
    page.goto(reverse("admin:accounts_workspace_add"))
    page.locator("#id_name").press_sequentially("Cedar Tea")  # prepopulated_fields: the slug follows the name through admin JS
    page.wait_for_function("() => document.querySelector('#id_slug').value === 'cedar-tea'")
    page.goto(reverse("admin:django_q_schedule_change", args=[schedule.pk]))
    page.fill("#id_next_run_0", "")
    page.click(".datetimeshortcuts a")  # "Today" from DateTimeShortcuts.js
    page.wait_for_function("() => document.querySelector('#id_next_run_0').value !== ''")
