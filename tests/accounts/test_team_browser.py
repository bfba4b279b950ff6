"""The Team page on a phone (issues 20 and 23): members and invitations fit 390 px without sideways scrolling, and an
Administrator resets a member's two-factor sign-in from there."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.permissions import Role
from accounts.services import invitations as inv
from tests.browser_support import screenshot, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_page_fits_a_phone_and_resets_a_lost_app(browser_page, live_server, client, admin_user, editor,
                                                      workspace):
    TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    UserFactory(username="cleo-client-with-a-long-name", role=Role.CLIENT, workspaces=[workspace])
    inv.invitation_create(actor=admin_user, workspace=workspace, email="new.person@example.test", role=Role.CLIENT,
                          base_url="http://testserver/")
    page = browser_page
    sign_in(page, client, admin_user, live_server.url)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("accounts:team", kwargs={"ws": workspace.slug}))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(page, "team-390")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#member-{editor.memberships.get(workspace=workspace).pk} button:has-text('Reset two-factor')")
    page.wait_for_selector("text=two-factor sign-in was reset")
    assert not TOTPDevice.objects.filter(user=editor).exists()
