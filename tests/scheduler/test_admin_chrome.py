"""The admin's page chrome: an icon declared (no favicon 404 in the console), the review desk's header kept."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/admin/scheduler/post/", "/admin/accounts/workspace/"])
def test_admin_pages_declare_an_icon_so_the_browser_asks_for_no_favicon(login, admin_user, path):
    """Every admin page logged "Failed to load resource: 404" for /favicon.ico in the browser console."""
    body = login(admin_user).get(path).content.decode()
    assert '<link rel="icon" href="data:,">' in body
    assert "Pressroom review desk" in body  # the override keeps the site header
