"""The admin's model permissions, from the same source as everything else: the role in the object's workspace.

Listed after ModelBackend in AUTHENTICATION_BACKENDS; it authenticates nobody. Asked about an object
(``user.has_perm("scheduler.change_post", post)``) it answers from the user's role in the post's workspace;
asked about a model (admin index, list pages) it answers whether some workspace's role grants it — the lists
themselves are then scoped to those workspaces (accounts.admin_mixins), and each object page asks again with
the object. No Group grants a role everywhere.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from accounts.permissions import Role, role_of, workspace_of
from accounts.roles import role_model_permissions


class WorkspaceRoleBackend(BaseBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if obj is not None:
            workspace = workspace_of(obj)
            if workspace is not None:
                role = role_of(user_obj, workspace)
                return set(role_model_permissions(role)) if role else set()
        cached = getattr(user_obj, "_pressroom_role_perms", None)
        if cached is None:
            from accounts.models import Membership

            roles = set(Membership.objects.filter(user=user_obj, workspace__archived_at__isnull=True)
                        .exclude(role="").values_list("role", flat=True))
            cached = set()
            for value in roles:
                cached |= role_model_permissions(Role(value))
            user_obj._pressroom_role_perms = cached
        return set(cached)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
