"""A member of workspace A gets 404 for anything of workspace B, in app views and in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import InstagramAccountFactory


@pytest.mark.django_db
def test_outsider_gets_404_for_other_workspace_pages(outsider, login, workspace):
    client = login(outsider)
    assert client.get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})).status_code == 404
    assert client.get(reverse("scheduler:dashboard", kwargs={"ws": "does-not-exist"})).status_code == 404


@pytest.mark.django_db
def test_outsider_gets_404_for_other_workspace_objects_in_admin(outsider, login, workspace, other_workspace):
    theirs = InstagramAccountFactory(workspace=workspace)
    mine = InstagramAccountFactory(workspace=other_workspace)
    client = login(outsider)
    assert client.get(reverse("admin:accounts_instagramaccount_change", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:accounts_workspace_change", args=[workspace.pk])).status_code == 404
    assert client.get(reverse("admin:accounts_instagramaccount_change", args=[mine.pk])).status_code == 200
    listing = client.get(reverse("admin:accounts_instagramaccount_changelist"))
    assert list(listing.context["cl"].queryset) == [mine]


@pytest.mark.django_db
def test_admin_never_renders_the_token(admin_user, login, workspace):
    account = InstagramAccountFactory(workspace=workspace, access_token="IGQWsecret-token-value")
    page = login(admin_user).get(reverse("admin:accounts_instagramaccount_change", args=[account.pk]))
    assert page.status_code == 200
    assert b"IGQWsecret-token-value" not in page.content
    assert "encrypted" in page.content.decode()


@pytest.mark.django_db
def test_workspace_switcher_lists_only_my_workspaces(admin_user, login, workspace, other_workspace):
    page = login(admin_user).get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug}))
    assert [w.slug for w in page.context["workspaces"]] == [workspace.slug]
