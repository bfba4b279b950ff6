"""Roles as Django Groups, with model permissions so the admin's permission system works unchanged."""

from __future__ import annotations

from typing import Any

from accounts.permissions import Role

# (app_label, model or "*", actions) — "*" means every model of the app that exists right now.
ROLE_MODEL_PERMISSIONS: dict[Role, list[tuple[str, str, tuple[str, ...]]]] = {
    Role.ADMIN: [
        ("accounts", "*", ("add", "change", "delete", "view")),
        ("scheduler", "*", ("add", "change", "delete", "view")),
        ("archive", "*", ("add", "change", "delete", "view")),
        # No django_q permissions: the task cluster's pages hold every workspace's task arguments and can resubmit
        # tasks, so they are for superusers only (scheduler/admin/tasks.py).
    ],
    Role.EDITOR: [
        ("scheduler", "*", ("view",)),
        ("scheduler", "post", ("change",)),
        ("scheduler", "reviewevent", ("add",)),
        ("archive", "*", ("view",)),
    ],
    Role.SOCIAL: [
        ("scheduler", "*", ("view",)),
        ("scheduler", "post", ("add", "change")),
        ("scheduler", "postmedia", ("add", "change", "delete")),
        ("scheduler", "mediaasset", ("add", "change", "delete")),
        ("scheduler", "postingslot", ("add", "change", "delete")),
        ("archive", "*", ("view",)),
    ],
    Role.CLIENT: [("archive", "*", ("view",))],
}


def sync_roles(apps: Any = None) -> None:
    """Create the four role groups and (re)assign their permissions; idempotent.

    Called by the data migration and after every migrate, so permissions of models added later
    (new apps, new migrations) reach the roles without another data migration.
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, rules in ROLE_MODEL_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = set()
        for app_label, model, actions in rules:
            perms = Permission.objects.filter(content_type__app_label=app_label)
            if model != "*":
                perms = perms.filter(content_type__model=model)
            for perm in perms.only("pk", "codename"):
                if perm.codename.split("_", 1)[0] in actions:
                    wanted.add(perm.pk)
        group.permissions.set(wanted)
