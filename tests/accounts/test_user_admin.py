"""User administration cannot cross workspaces (issue 9, finding 1).

A non-superuser Administrator edits only users all of whose memberships lie in workspaces they administer;
a user shared with another workspace is read-only to them (they may remove them from their own workspace);
superusers are never editable by non-superusers; roles are per workspace (the membership rows).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Membership, Notification, User
from accounts.permissions import Role, role_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(workspace, other_workspace):
    """The demo `admin`: Administrator of Acme *and* Bluebird."""
    return UserFactory(username="shared-admin", role=Role.ADMIN, workspaces=[workspace, other_workspace])


@pytest.fixture
def b_only(other_workspace):
    return UserFactory(username="bea-editor", role=Role.EDITOR, workspaces=[other_workspace])


def form_fields(html: str) -> dict[str, str]:
    """The management forms of a rendered admin change form (so a POST matches what the page rendered)."""
    return dict(re.findall(r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(\d*)"', html))


def test_password_of_a_shared_user_cannot_be_set_from_another_workspace(login, outsider, shared):
    client = login(outsider)
    url = reverse("admin:auth_user_password_change",
                  args=[shared.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": "Taken-over-123!", "password2": "Taken-over-123!",
                                 "usable_password": "true"})
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.check_password("pw-for-tests-123") and not shared.check_password("Taken-over-123!")


def test_groups_staff_flag_and_delete_of_a_shared_user_are_refused(login, outsider, shared, other_workspace):
    client = login(outsider)
    change = reverse("admin:accounts_user_change", args=[shared.pk])
    page = client.get(change)
    assert page.status_code == 200  # visible (a member of Bluebird) but read-only
    assert 'name="role"' not in page.content.decode() and "Save" not in page.content.decode()
    response = client.post(change, {"username": "shared-admin", "role": Role.CLIENT.value, "is_active": "",
                                    "is_staff": "", "groups": []})
    assert response.status_code == 403
    assert client.post(reverse("admin:accounts_user_delete", args=[shared.pk]), {"post": "yes"}).status_code == 403
    shared.refresh_from_db()
    assert shared.is_active and shared.is_staff and role_of(shared, other_workspace) is Role.ADMIN


def test_users_of_other_workspaces_are_404(login, outsider, admin_user):
    client = login(outsider)
    for name in ("accounts_user_change", "auth_user_password_change", "accounts_user_history",
                 "accounts_user_delete"):
        assert client.get(reverse(f"admin:{name}", args=[admin_user.pk])).status_code == 404, name


def test_superusers_are_never_editable_by_administrators(login, outsider, other_workspace):
    root = UserFactory(username="root", is_superuser=True, is_staff=True, workspaces=[other_workspace])
    client = login(outsider)
    assert client.get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code == 403
    assert client.post(reverse("admin:accounts_user_change", args=[root.pk]), {"username": "x"}).status_code == 403


def test_changelist_and_autocomplete_show_only_users_of_my_workspaces(login, outsider, shared, b_only, admin_user):
    client = login(outsider)
    listing = client.get(reverse("admin:accounts_user_changelist"))
    assert set(listing.context["cl"].queryset) == {outsider, shared, b_only}
    assert "admin_user" not in listing.content.decode() and "Acme Coffee" not in listing.content.decode()
    assert "delete_selected" not in listing.content.decode()
    found = client.get(reverse("admin:autocomplete"), {"term": "a", "app_label": "accounts",
                                                       "model_name": "membership", "field_name": "user"}).json()
    assert {r["text"] for r in found["results"]} == {"shared-admin", "bea-editor", "olga-outsider"}  # not Acme-only alice


def test_a_user_of_only_my_workspaces_is_edited_and_the_role_is_set_per_workspace(login, outsider, b_only):
    client = login(outsider)
    change = reverse("admin:accounts_user_change", args=[b_only.pk])
    page = client.get(change)
    html = page.content.decode()
    assert 'name="is_staff"' not in html and 'name="is_superuser"' not in html and 'name="groups"' not in html
    data = {"username": b_only.username, "email": b_only.email, "is_active": "on",
            "memberships-0-id": b_only.memberships.get().pk, "memberships-0-user": b_only.pk,
            "memberships-0-workspace": b_only.memberships.get().workspace_id,
            "memberships-0-role": Role.SOCIAL.value, **form_fields(html)}
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    b_only.refresh_from_db()
    assert b_only.memberships.get().role == Role.SOCIAL.value and not b_only.is_staff  # admin access follows
    # Forged groups / staff / superuser values are ignored: those fields are read-only.
    client.post(change, {**data, "is_staff": "on", "is_superuser": "on", "groups": ["1"]})
    b_only.refresh_from_db()
    assert not b_only.is_staff and not b_only.is_superuser


def test_adding_a_user_puts_them_in_one_of_my_workspaces_only(login, outsider, workspace, other_workspace):
    client = login(outsider)
    add = reverse("admin:accounts_user_add")
    base = {"username": "newbie", "usable_password": "true", "password1": "A-strong-pass-987",
            "password2": "A-strong-pass-987", "role": Role.CLIENT.value}
    refused = client.post(add, {**base, "workspace": workspace.pk})
    assert refused.status_code == 200 and not User.objects.filter(username="newbie").exists()
    assert client.post(add, {**base, "workspace": other_workspace.pk}).status_code == 302
    newbie = User.objects.get(username="newbie")
    assert list(newbie.memberships.values_list("workspace__slug", flat=True)) == ["bluebird"]
    assert role_of(newbie, other_workspace) is Role.CLIENT and role_of(newbie, workspace) is None


def test_a_shared_user_can_be_removed_from_my_workspace_only(login, outsider, shared, other_workspace, workspace):
    client = login(outsider)
    change = reverse("admin:accounts_workspace_change", args=[other_workspace.pk])
    page = client.get(change)
    html = page.content.decode()
    memberships = list(other_workspace.memberships.order_by("pk"))
    data = {"name": other_workspace.name, "slug": other_workspace.slug, "timezone": other_workspace.timezone,
            "daily_post_cap": 25, "max_publish_retries": 3, "forbid_self_approval": "on", "required_approvals": 1,
            **form_fields(html)}
    for i, m in enumerate(memberships):
        data[f"memberships-{i}-id"] = m.pk
        data[f"memberships-{i}-workspace"] = other_workspace.pk
        data[f"memberships-{i}-user"] = m.user_id
        data[f"memberships-{i}-role"] = m.role
        if m.user_id == shared.pk:
            data[f"memberships-{i}-DELETE"] = "on"
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(Membership.objects.filter(user=shared).values_list("workspace__slug", flat=True)) == ["acme"]
    shared.refresh_from_db()
    assert role_of(shared, workspace) is Role.ADMIN  # nothing else about them changed


def test_user_pickers_in_other_admins_are_scoped(rf, outsider, admin_user, b_only):
    # The notification admin has both pickers; it is read-only now (issue 17), so ask its form fields directly.
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = outsider
    model_admin = admin.site.get_model_admin(Notification)
    picker = model_admin.formfield_for_foreignkey
    users = set(picker(Notification._meta.get_field("user"), request).queryset)
    assert b_only in users and admin_user not in users
    workspaces = {w.slug for w in picker(Notification._meta.get_field("workspace"), request).queryset}
    assert workspaces == {"bluebird"}


def test_the_admin_keeps_the_last_administrator_and_refuses_roles_above_ones_own(login, outsider, other_workspace):
    client = login(outsider)
    change = reverse("admin:accounts_workspace_change", args=[other_workspace.pk])
    html = client.get(change).content.decode()
    mine = outsider.memberships.get()
    data = {"name": other_workspace.name, "slug": other_workspace.slug, "timezone": other_workspace.timezone,
            "daily_post_cap": 25, "max_publish_retries": 3, "forbid_self_approval": "on", "required_approvals": 1,
            **form_fields(html), "memberships-0-id": mine.pk, "memberships-0-workspace": other_workspace.pk,
            "memberships-0-user": outsider.pk, "memberships-0-role": Role.EDITOR.value}
    refused = client.post(change, data)
    assert refused.status_code == 200 and "must keep at least one Administrator" in refused.content.decode()
    assert Membership.objects.get(pk=mine.pk).role == Role.ADMIN.value
    refused = client.post(change, {**data, "memberships-0-role": "", "memberships-0-DELETE": "on"})
    assert "must keep at least one Administrator" in refused.content.decode()
    assert Membership.objects.filter(pk=mine.pk).exists()


def test_an_editor_of_one_workspace_and_client_of_another_gets_no_user_admin(login, workspace, other_workspace):
    mixed = UserFactory(username="mixed", roles={workspace: Role.EDITOR, other_workspace: Role.CLIENT})
    assert mixed.is_staff  # Editor somewhere: enters the admin (for the review desk)
    client = login(mixed)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_workspace_changelist")).status_code == 403
