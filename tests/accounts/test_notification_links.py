"""Issue 17.6: a notification's link stays on the site — model validation, the service, the template, the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Notification
from accounts.redirects import is_site_path
from accounts.services.notifications import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# An independent table (issue 17: "accepted only as a same-site path").
SITE_PATHS = ["/w/acme/posts/12/", "/w/acme/calendar/?view=week&date=2027-03-01", "/w/acme/instagram/#reconnect", "/"]
NOT_SITE_PATHS = [
    "javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "\tjavascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "https://evil.example/w/acme/",
    "//evil.example/w/acme/", "/\\evil.example/", "\\\\evil.example", "/\t/evil.example/", "/\n/evil.example/",
    "w/acme/posts/12/", "mailto:someone@example.test", "http:/evil.example",
]


@pytest.mark.parametrize("url", SITE_PATHS)
def test_paths_on_this_site_are_accepted(url):
    assert is_site_path(url)


@pytest.mark.parametrize("url", NOT_SITE_PATHS)
def test_anything_else_is_refused(url):
    assert not is_site_path(url)


def test_the_model_refuses_a_script_link(workspace, admin_user):
    note = Notification(user=admin_user, workspace=workspace, kind="x", title="Fix", url="javascript:alert(1)")
    with pytest.raises(ValidationError) as raised:
        note.full_clean()
    assert "url" in raised.value.message_dict and "path on this site" in raised.value.message_dict["url"][0]
    note.url = "/w/acme/posts/1/"
    note.full_clean()


def test_the_service_refuses_a_link_off_the_site_and_writes_nothing(workspace, admin_user):
    for url in ("javascript:alert(1)", "//evil.example/"):
        with pytest.raises(ValidationError):
            notify(workspace=workspace, kind="x", title="Fix it", url=url, users=[admin_user], banner=True)
    assert not Notification.objects.exists()
    [note] = notify(workspace=workspace, kind="x", title="Fix it", url="/w/acme/instagram/", users=[admin_user],
                    banner=True)
    assert note.url == "/w/acme/instagram/"


def test_the_banner_links_a_site_path_and_drops_anything_else(login, workspace, admin_user):
    # Rows written around the model and the service (older rows, raw SQL): the template still renders no link.
    Notification.objects.bulk_create([
        Notification(user=admin_user, workspace=workspace, kind="x", title="Evil banner", is_banner=True,
                     url="javascript:fetch('/w/other/')"),
        Notification(user=admin_user, workspace=workspace, kind="x", title="Elsewhere banner", is_banner=True,
                     url="//evil.example/phish"),
        Notification(user=admin_user, workspace=workspace, kind="x", title="Good banner", is_banner=True,
                     url="/w/acme/instagram/"),
    ])
    html = login(admin_user).get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})).content.decode()
    assert "Evil banner" in html and "Elsewhere banner" in html and "Good banner" in html
    assert "javascript:" not in html and "evil.example" not in html
    assert html.count(">Fix it</a>") == 1 and '<a href="/w/acme/instagram/">Fix it</a>' in html


def test_nobody_creates_or_edits_a_notification_in_the_admin(login, workspace, other_workspace, outsider):
    """The attack of issue 17: B's Administrator plants a banner for a user who is also in A. Now refused, and not
    even a superuser can add or edit one (they may view)."""
    shared = UserFactory(username="shared", workspaces=[workspace, other_workspace])
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    data = {"user": shared.pk, "workspace": other_workspace.pk, "kind": "x", "level": "error", "title": "Fix it",
            "url": "javascript:alert(1)", "is_banner": "on"}
    for actor in (outsider, superuser):
        assert login(actor).post(reverse("admin:accounts_notification_add"), data).status_code == 403
    assert not Notification.objects.exists()
    [note] = notify(workspace=other_workspace, kind="x", title="Real one", url="/w/bluebird/", users=[shared])
    change = reverse("admin:accounts_notification_change", args=[note.pk])
    page = login(superuser).get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # view only
    assert login(outsider).post(change, {**data, "title": "Edited"}).status_code == 403
    assert login(superuser).post(reverse("admin:accounts_notification_delete", args=[note.pk]),
                                 {"post": "yes"}).status_code == 403
    note.refresh_from_db()
    assert note.title == "Real one" and note.url == "/w/bluebird/"
