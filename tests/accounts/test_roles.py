"""Each role sees exactly its navigation and pages, and gets 403 (or the admin's redirect) elsewhere."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.permissions import Role, role_of

# The menu each role sees, in order, written here from DESIGN.md §1 (who uses what) — not rebuilt from
# accounts.navigation.NAV or ROLE_ACTIONS, so a wrong grant in those tables fails this test.
EXPECTED_MENU = {
    "admin": [("Dashboard", "scheduler:dashboard"), ("Calendar", "scheduler:calendar"), ("Posts", "scheduler:post_list"),
              ("Manual queue", "scheduler:manual_queue"), ("Media library", "scheduler:library"),
              ("Archive", "archive:index"), ("Analytics", "scheduler:analytics"), ("Report", "scheduler:report"), ("Instagram accounts", "accounts:instagram_accounts"),
              ("Team", "accounts:team"), ("Settings", "accounts:workspace_settings"), ("Review desk", "admin:index")],
    "editor": [("Dashboard", "scheduler:dashboard"), ("Calendar", "scheduler:calendar"), ("Posts", "scheduler:post_list"),
               ("Archive", "archive:index"), ("Analytics", "scheduler:analytics"), ("Report", "scheduler:report"), ("Review desk", "admin:index")],
    "social": [("Dashboard", "scheduler:dashboard"), ("Calendar", "scheduler:calendar"), ("Posts", "scheduler:post_list"),
               ("Manual queue", "scheduler:manual_queue"), ("Media library", "scheduler:library"),
               ("Archive", "archive:index"), ("Analytics", "scheduler:analytics"), ("Report", "scheduler:report")],
    "client": [("Dashboard", "scheduler:dashboard"), ("Calendar", "scheduler:calendar"), ("Archive", "archive:index"), ("Analytics", "scheduler:analytics"), ("Report", "scheduler:report")],
}


def _routable(name: str) -> bool:
    try:
        reverse(name, kwargs={"ws": "x"})
        return True
    except Exception:
        return False


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(EXPECTED_MENU), indirect=True)
def test_navigation_shows_exactly_the_roles_pages(request, persona, login, workspace):
    expected = EXPECTED_MENU[request.node.callspec.params["persona"]]
    page = login(persona).get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug}))
    assert page.status_code == 200
    shown = [(item["label"], item["name"]) for item in page.context["nav_items"]]
    assert shown == expected
    html = page.content.decode()
    for label, name in expected:
        assert f'data-nav="{name}"' in html and label in html


@pytest.mark.django_db
def test_role_precedence_and_superuser(admin_user, client_user, django_user_model, workspace):
    assert role_of(admin_user, workspace) is Role.ADMIN
    assert role_of(client_user, workspace) is Role.CLIENT
    root = django_user_model.objects.create_superuser("root", "r@example.test", "x")
    assert role_of(root, workspace) is Role.ADMIN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "admin_status"),
    [("admin", 200), ("editor", 200), ("social", 302), ("client", 302)],
    indirect=["persona"],
)
def test_admin_site_only_for_staff_roles(persona, admin_status, login):
    response = login(persona).get(reverse("admin:index"))
    assert response.status_code == admin_status
    if admin_status == 302:
        assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["editor", "social", "client"], indirect=True)
def test_non_admins_get_403_on_admin_only_pages(persona, login, workspace):
    if not _routable("accounts:instagram_accounts"):
        pytest.skip("accounts page not built yet")
    response = login(persona).get(reverse("accounts:instagram_accounts", kwargs={"ws": workspace.slug}))
    assert response.status_code == 403


@pytest.mark.django_db
def test_editor_admin_shows_review_models_not_user_management(editor, login):
    page = login(editor).get(reverse("admin:index"))
    assert page.status_code == 200
    apps = {app["app_label"] for app in page.context["app_list"]}
    assert "accounts" not in apps  # users, workspaces, tokens are for Administrators


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["admin", "editor", "social", "client"], indirect=True)
def test_dashboard_is_role_specific(persona, login, workspace):
    page = login(persona).get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug}))
    key = {Role.ADMIN: "admin", Role.EDITOR: "editor", Role.SOCIAL: "social", Role.CLIENT: "client"}[role_of(persona, workspace)]
    assert f'data-dashboard="{key}"' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["admin", "editor", "social", "client"], indirect=True)
def test_dashboard_query_count_does_not_grow_with_posts(persona, login, workspace, django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    from scheduler.models import Post
    from tests.factories import InstagramAccountFactory

    account = InstagramAccountFactory(workspace=workspace)
    for i, status in enumerate(["approved", "in_review", "failed", "published", "manual"] * 4):
        Post.objects.create(workspace=workspace, account=account, caption=f"post {i}", status=status,
                            publish_at=timezone.now() + timedelta(hours=i), last_error="boom" if status == "failed" else "")
    client = login(persona)
    client.get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug}))  # first visit remembers the workspace
    with django_assert_max_num_queries(13):
        page = client.get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug}))
    assert page.status_code == 200
    # every role's dashboard lists the four upcoming approved posts: several rows within the same query budget
    assert {b"post 0", b"post 5", b"post 10", b"post 15"} <= set(re.findall(rb"post \d+", page.content))
