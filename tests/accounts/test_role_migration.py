"""The data migration moves each user's role group onto every membership they hold, and nobody's rights change.

The old shape (roles as Groups, memberships without a role) is built with the migration executor at the state
before the change; the expected roles come from the table below, not from the migration's own code.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0003_review_settings")]
AFTER = [("accounts", "0005_roles_onto_memberships")]

# username → (role groups in the old shape, workspaces, superuser) and the expected membership roles after.
OLD_USERS = {
    "ada": (["Administrator"], ["acme", "bluebird"], False),
    "ed": (["Editor"], ["acme"], False),
    "sam": (["Social manager"], ["acme", "bluebird"], False),
    "cleo": (["Client"], ["bluebird"], False),
    "both": (["Client", "Editor"], ["acme"], False),  # the old precedence: Editor beats Client
    "none": ([], ["acme"], False),  # a member without a role could do nothing
    "root": ([], ["bluebird"], True),  # a superuser acted as Administrator everywhere
}
EXPECTED = {
    ("ada", "acme"): "Administrator", ("ada", "bluebird"): "Administrator",
    ("ed", "acme"): "Editor",
    ("sam", "acme"): "Social manager", ("sam", "bluebird"): "Social manager",
    ("cleo", "bluebird"): "Client",
    ("both", "acme"): "Editor",
    ("none", "acme"): "",
    ("root", "bluebird"): "Administrator",
}


@pytest.mark.django_db(transaction=True)
def test_role_groups_become_membership_roles():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Group, User = old.get_model("auth", "Group"), old.get_model("accounts", "User")
    Workspace, Membership = old.get_model("accounts", "Workspace"), old.get_model("accounts", "Membership")
    groups = {name: Group.objects.get_or_create(name=name)[0]
              for name in ("Administrator", "Editor", "Social manager", "Client")}
    spaces = {slug: Workspace.objects.create(name=slug.title(), slug=slug, timezone="UTC")
              for slug in ("acme", "bluebird")}
    for username, (role_groups, slugs, superuser) in OLD_USERS.items():
        user = User.objects.create(username=username, is_superuser=superuser,
                                   is_staff=superuser or bool({"Administrator", "Editor"} & set(role_groups)))
        for name in role_groups:
            user.groups.add(groups[name])
        for slug in slugs:
            Membership.objects.create(user=user, workspace=spaces[slug])
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        rows = new.get_model("accounts", "Membership").objects.values_list("user__username", "workspace__slug", "role")
        assert {(u, w): r for u, w, r in rows} == EXPECTED
        # No role group is left to grant a role (and its admin permissions) in every workspace.
        assert not new.get_model("auth", "Group").objects.filter(
            name__in=["Administrator", "Editor", "Social manager", "Client"]).exists()
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_what_each_person_may_do_is_unchanged_after_the_migration(workspace, other_workspace):
    """After the move, the policy answers per membership as the old one answered for the (single) role."""
    from accounts.permissions import Action, Role, can
    from tests.factories import UserFactory

    ada = UserFactory(role=Role.ADMIN, workspaces=[workspace, other_workspace])
    cleo = UserFactory(role=Role.CLIENT, workspaces=[other_workspace])
    assert can(ada, Action.MANAGE_WORKSPACE, workspace) and can(ada, Action.MANAGE_WORKSPACE, other_workspace)
    assert can(cleo, Action.VIEW_ARCHIVE, other_workspace) and not can(cleo, Action.COMPOSE_POST, other_workspace)
    assert not can(cleo, Action.VIEW_ARCHIVE, workspace)  # not a member there
