"""Roles move from a Django Group on the user (one role everywhere) onto each membership.

Every membership takes the role its user had through their group, so nobody can do more or less than before;
then the four role groups are deleted, so no group grants a role (and its admin permissions) everywhere.
"""

from django.db import migrations

# Precedence of the old design when a user was in several role groups: the first one counted.
ROLE_ORDER = ["Administrator", "Editor", "Social manager", "Client"]


def roles_onto_memberships(apps, schema_editor):  # noqa: ANN001
    Group = apps.get_model("auth", "Group")
    Membership = apps.get_model("accounts", "Membership")
    groups = {g.name: g for g in Group.objects.filter(name__in=ROLE_ORDER)}
    role_by_user: dict[int, str] = {}
    for name in reversed(ROLE_ORDER):  # later (stronger) names overwrite weaker ones
        if name in groups:
            for user_id in groups[name].user_set.values_list("pk", flat=True):
                role_by_user[user_id] = name
    for membership in Membership.objects.select_related("user"):
        role = role_by_user.get(membership.user_id, "")
        if not role and membership.user.is_superuser:
            role = "Administrator"  # a superuser acted as Administrator everywhere
        if membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
    Group.objects.filter(name__in=ROLE_ORDER).delete()


def roles_back_onto_groups(apps, schema_editor):  # noqa: ANN001
    """Back to one role per user: the strongest of their memberships' roles."""
    Group = apps.get_model("auth", "Group")
    Membership = apps.get_model("accounts", "Membership")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLE_ORDER}
    best: dict[int, str] = {}
    for user_id, role in Membership.objects.exclude(role="").values_list("user_id", "role"):
        if user_id not in best or ROLE_ORDER.index(role) < ROLE_ORDER.index(best[user_id]):
            best[user_id] = role
    for user_id, role in best.items():
        groups[role].user_set.add(user_id)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_membership_role_invitation")]
    operations = [migrations.RunPython(roles_onto_memberships, roles_back_onto_groups)]
