"""Route × persona matrix for roles that differ by workspace (issue 20).

Two people, each asked about workspace A and workspace B:
- "mixed" is Editor in A and Client in B;
- "b-admin" is Administrator in B and no member of A.
Each gets in A and in B exactly what the role *for that workspace* allows — in the app (every workspace route,
including the archive's), in the admin (each model's change page), in the iCalendar feed and in the navigation.

The expectations are this file's own table (written from DESIGN.md §1), not the policy module's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.navigation import nav_for
from accounts.permissions import Role
from scheduler.models import Post
from tests.factories import UserFactory
from tests.scheduler.media_fixtures import media_settings  # noqa: F401 (the fixture)
from tests.scheduler.post_factories import PostFactory
from tests.test_route_matrix import ADMIN_OBJECTS, World, _as, _isolated, build_world, route_urls

pytestmark = pytest.mark.django_db

# What each role may do in the app, by the name of the policy action guarding the route (DESIGN.md §1).
APP = {
    Role.ADMIN: {"view_dashboard", "view_calendar", "view_all_posts", "compose_post", "submit_post", "review_post",
                 "edit_caption", "publish_now", "handle_manual", "use_library", "view_archive", "manage_archive",
                 "download_originals", "manage_accounts", "manage_workspace", "use_admin", "view_analytics",
                 "manage_reports"},
    Role.EDITOR: {"view_dashboard", "view_calendar", "view_all_posts", "review_post", "edit_caption",
                  "view_archive", "download_originals", "use_admin", "view_analytics"},
    Role.SOCIAL: {"view_dashboard", "view_calendar", "view_all_posts", "compose_post", "submit_post",
                  "edit_caption", "publish_now", "handle_manual", "use_library", "view_archive", "manage_archive",
                  "download_originals", "view_analytics"},
    # Issue 22: every member reads analytics and the report (clients: the report is theirs to keep).
    Role.CLIENT: {"view_dashboard", "view_calendar", "view_archive", "download_originals", "view_analytics"},
}
# Admin change pages (model label) each role opens; every other one is 403 or 404 for them.
_REVIEW_DESK = {"scheduler.post", "scheduler.reviewevent", "scheduler.publishattempt", "scheduler.postingslot",
                "scheduler.mediaasset", "archive.archivedprofile", "archive.archivedpost", "archive.archivedmedia",
                "archive.archiverun"}
ADMIN = {
    Role.ADMIN: _REVIEW_DESK | {"accounts.workspace", "accounts.user", "accounts.instagramaccount",
                                "accounts.notification"},
    Role.EDITOR: _REVIEW_DESK,
    Role.SOCIAL: set(),
    Role.CLIENT: set(),
}
# Navigation labels each role is shown.
NAV = {
    Role.ADMIN: {"Dashboard", "Calendar", "Posts", "Manual queue", "Media library", "Archive", "Analytics", "Report",
                 "Instagram accounts", "Team", "Settings", "Review desk"},
    Role.EDITOR: {"Dashboard", "Calendar", "Posts", "Archive", "Analytics", "Report", "Review desk"},
    Role.CLIENT: {"Dashboard", "Calendar", "Archive", "Analytics", "Report"},
}
# persona → its role in A and in B (None: not a member).
PERSONAS = {"mixed": {"A": Role.EDITOR, "B": Role.CLIENT}, "b-admin": {"A": None, "B": Role.ADMIN}}


@pytest.fixture
def worlds(request, workspace, other_workspace, settings) -> dict[str, World]:
    request.getfixturevalue("media_settings")
    settings.INSTAGRAM_GRAPH_URL = settings.INSTAGRAM_OAUTH_URL = settings.INSTAGRAM_API_URL = "http://127.0.0.1:9"
    return {"A": build_world(workspace), "B": build_world(other_workspace)}


@pytest.fixture
def people(worlds) -> dict[str, Any]:
    a, b = worlds["A"].a, worlds["B"].a
    UserFactory(username="b-keeper", roles={b: Role.ADMIN})  # B keeps another Administrator
    return {"mixed": UserFactory(username="mixed", roles={a: Role.EDITOR, b: Role.CLIENT}),
            "b-admin": UserFactory(username="b-admin", roles={b: Role.ADMIN})}


def _nav_labels(items: list[dict[str, str]]) -> set[str]:
    return {i["label"] for i in items}


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize("ws", ["A", "B"])
def test_app_routes_answer_as_the_role_in_that_workspace(client, worlds, people, persona, ws):
    role = PERSONAS[persona][ws]
    _as(client, people[persona])
    urls, unfillable = route_urls(worlds[ws])
    assert not unfillable
    wrong = []
    for name, url in urls:
        action = getattr(resolve(url).func, "pressroom_action", None)
        response = _isolated(client, "get", url)
        if response.status_code == 405:
            response = _isolated(client, "post", url)
        code = response.status_code
        if role is None:
            ok = code == 404  # outside the workspace: existence stays hidden
        elif action is not None and action.value in APP[role]:
            ok = code < 400 or code in (400, 409, 422)
        else:
            ok = code in (403, 404)
        if not ok:
            wrong.append(f"{persona} as {role} in {ws}: {name} ({getattr(action, 'value', '?')}) {url} → {code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize("ws", ["A", "B"])
def test_admin_pages_answer_as_the_role_in_that_workspace(client, worlds, people, persona, ws):
    role = PERSONAS[persona][ws]
    _as(client, people[persona])
    opens = ADMIN[role] if role else set()
    wrong = []
    for label, get_obj in ADMIN_OBJECTS.items():
        obj = get_obj(worlds[ws])
        app_label, model = label.split(".")
        url = reverse(f"admin:{app_label}_{model}_change", args=[obj.pk])
        code = client.get(url).status_code
        ok = code == 200 if label in opens else code in (403, 404)
        if not ok:
            wrong.append(f"{persona} as {role} in {ws}: {label} {url} → {code}")
    assert not wrong, "\n".join(wrong)


def test_admin_lists_show_only_rows_of_workspaces_where_the_role_uses_the_admin(client, worlds, people):
    _as(client, people["mixed"])
    listing = client.get(reverse("admin:scheduler_post_changelist"))
    assert listing.status_code == 200
    assert {p.workspace.slug for p in listing.context["cl"].root_queryset} == {"acme"}  # not B, where they are Client
    profiles = client.get(reverse("admin:archive_archivedprofile_changelist"))
    assert {p.workspace.slug for p in profiles.context["cl"].root_queryset} == {"acme"}
    _as(client, people["b-admin"])
    listing = client.get(reverse("admin:scheduler_post_changelist"))
    assert {p.workspace.slug for p in listing.context["cl"].root_queryset} == {"bluebird"}


def test_navigation_follows_the_role_in_each_workspace(worlds, people):
    a, b = worlds["A"].a, worlds["B"].a
    assert _nav_labels(nav_for(people["mixed"], a)) == NAV[Role.EDITOR]
    assert _nav_labels(nav_for(people["mixed"], b)) == NAV[Role.CLIENT]
    assert _nav_labels(nav_for(people["b-admin"], b)) == NAV[Role.ADMIN]


def test_feeds_follow_the_role_in_each_workspace(client, worlds, people):
    from scheduler.models import CalendarFeedToken

    a, b = worlds["A"], worlds["B"]
    for w in (a, b):
        PostFactory(workspace=w.a, account=w.account, status=Post.Status.DRAFT, caption=f"secret draft of {w.a.slug}",
                    publish_at=timezone.now() + timedelta(days=2))
    client.logout()

    def feed(user: Any, world: World) -> Any:
        token = CalendarFeedToken.objects.create(user=user, workspace=world.a)
        return client.get(reverse("scheduler:calendar_feed", kwargs={"token": token.token}))

    as_editor = feed(people["mixed"], a)  # Editor in A: drafts too
    assert as_editor.status_code == 200 and "secret draft of acme" in b"".join(as_editor.streaming_content).decode()
    as_client = feed(people["mixed"], b)  # Client in B: approved and published only
    assert as_client.status_code == 200 and "secret draft" not in b"".join(as_client.streaming_content).decode()
    assert feed(people["b-admin"], a).status_code == 404  # a token of a workspace they are not in
    as_admin = feed(people["b-admin"], b)
    assert as_admin.status_code == 200 and "secret draft of bluebird" in b"".join(as_admin.streaming_content).decode()
