"""Workspaces in the app (issue 20): the agency owner creates and archives them, an Administrator edits settings;
time zones are a select of IANA names."""

from __future__ import annotations

import zoneinfo

import pytest
from django.urls import reverse

from accounts.models import Workspace
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", is_superuser=True, is_staff=True)


def test_owner_creates_a_workspace_with_a_time_zone_from_the_list(login, owner):
    client = login(owner)
    page = client.get(reverse("accounts:workspace_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<select name="timezone"' in html
    assert html.count("<option") >= len(zoneinfo.available_timezones())
    refused = client.post(reverse("accounts:workspace_list"), {"name": "Cedar", "slug": "cedar",
                                                               "timezone": "Mars/Olympus", "daily_post_cap": 10})
    assert refused.status_code == 422 and 'value="Cedar"' in refused.content.decode()
    assert not Workspace.objects.filter(slug="cedar").exists()
    done = client.post(reverse("accounts:workspace_list"), {"name": "Cedar", "slug": "cedar",
                                                            "timezone": "Asia/Tokyo", "daily_post_cap": 10})
    assert done.status_code == 302
    cedar = Workspace.objects.get(slug="cedar")
    assert (cedar.timezone, cedar.daily_post_cap) == ("Asia/Tokyo", 10)


def test_archiving_hides_a_workspace_from_its_members(login, owner, workspace, social):
    dashboard = reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})
    assert login(social).get(dashboard).status_code == 200
    login(owner).post(reverse("accounts:workspace_archive", kwargs={"slug": workspace.slug}), {"archived": "1"})
    assert login(social).get(dashboard).status_code == 404
    login(owner).post(reverse("accounts:workspace_archive", kwargs={"slug": workspace.slug}), {"archived": "0"})
    assert login(social).get(dashboard).status_code == 200


def test_only_the_owner_sees_the_workspace_list(login, admin_user, workspace):
    client = login(admin_user)
    assert client.get(reverse("accounts:workspace_list")).status_code == 404
    assert client.post(reverse("accounts:workspace_archive", kwargs={"slug": workspace.slug})).status_code == 404
    workspace.refresh_from_db()
    assert workspace.archived_at is None


def test_an_administrator_edits_their_workspace_settings(login, admin_user, editor, workspace):
    url = reverse("accounts:workspace_settings", kwargs={"ws": workspace.slug})
    assert login(editor).get(url).status_code == 403
    client = login(admin_user)
    data = {"name": "Acme Coffee Co", "timezone": "America/Chicago", "daily_post_cap": 12,
            "max_publish_retries": 2, "required_approvals": 1, "forbid_self_approval": "on"}
    assert client.post(url, {**data, "timezone": "Berlin"}).status_code == 422
    assert client.post(url, data).status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.timezone, workspace.daily_post_cap) == ("Acme Coffee Co", "America/Chicago", 12)
