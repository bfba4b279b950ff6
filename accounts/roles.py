"""What each role may do in the Django admin, as model permissions ("scheduler.change_post").

These are no Groups: accounts.backends.WorkspaceRoleBackend grants them per membership, so a role's admin
permissions hold in the workspaces where the user has that role and nowhere else. Only roles that use the admin
(Action.USE_ADMIN) have any: a Social manager or Client works in the app, even when the same person is Editor
of another workspace.
"""

from __future__ import annotations

from functools import cache

from accounts.permissions import Role

# (app_label, model or "*", actions) — "*" means every model of the app.
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
}


@cache
def role_model_permissions(role: Role) -> frozenset[str]:
    """Every "app_label.action_model" permission name the role holds (from the app registry, no query)."""
    from django.apps import apps

    names: set[str] = set()
    for app_label, model, actions in ROLE_MODEL_PERMISSIONS.get(role, []):
        try:
            config = apps.get_app_config(app_label)
        except LookupError:
            continue
        models = config.get_models() if model == "*" else [config.get_model(model)]
        for m in models:
            for action in actions:
                if action in m._meta.default_permissions:
                    names.add(f"{app_label}.{action}_{m._meta.model_name}")
    return frozenset(names)


def roles_with_permission(perm: str) -> list[Role]:
    return [role for role in Role if perm in role_model_permissions(role)]
