"""Two-factor sign-in in a real browser (issue 20): enrol an Administrator from the QR page's key, sign out, sign in
with a code from the app, once with a recovery code, and a wrong code is refused and counted."""

from __future__ import annotations

import pyotp
import pytest
from axes.models import AccessAttempt

from accounts.permissions import Role
from tests.accounts.totp_support import next_accepted_code
from tests.browser_support import screenshot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def password_step(page, username: str) -> None:  # noqa: ANN001
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-123")
    page.click("button[type=submit]")


def sign_out(page) -> None:  # noqa: ANN001
    page.click(".usermenu button:has-text('Sign out'), form[action='/accounts/logout/'] button")


def test_enrol_sign_out_and_back_in_with_code_and_recovery_code(browser_page, settings, workspace):
    settings.TWO_FACTOR_REQUIRED = True
    page = browser_page
    UserFactory(username="ada-admin", role=Role.ADMIN, workspaces=[workspace])

    password_step(page, "ada-admin")
    page.wait_for_url("**/accounts/two-factor/setup/**")
    assert page.locator(".qr svg").count() == 1
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    screenshot(page, "i20-two-factor-enrolment")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("button:has-text('Turn on two-factor sign-in')")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("a:has-text('continue')")
    page.wait_for_url("**/w/acme/**")

    sign_out(page)
    password_step(page, "ada-admin")
    page.wait_for_url("**/accounts/two-factor/?**")
    page.fill("#id_code", next_accepted_code(secret, "ada-admin"))  # a later step: the enrolment code is not replayed
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/w/acme/**")

    sign_out(page)
    password_step(page, "ada-admin")
    page.wait_for_url("**/accounts/two-factor/?**")
    page.fill("#id_code", codes[3])
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/w/acme/**")
    assert "recovery code" in page.content()

    sign_out(page)
    password_step(page, "ada-admin")
    page.wait_for_url("**/accounts/two-factor/?**")
    page.fill("#id_code", "123456" if pyotp.TOTP(secret).now() != "123456" else "654321")
    page.click("button:has-text('Continue')")
    assert page.locator(".error").inner_text().startswith("That code is not right")
    assert "/accounts/two-factor/" in page.url
    assert AccessAttempt.objects.get(username="2fa:ada-admin").failures_since_start == 1
