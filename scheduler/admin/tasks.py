"""The task cluster's admin pages (django-q2's schedules, results, queue): superusers only.

Task arguments name posts and accounts of every workspace, and "Resubmit selected tasks" runs a task off schedule
(an off-hours dispatch), so a workspace's Administrator gets none of these pages, not even read-only. django-q2
registers its ModelAdmins itself; they are re-registered here with the superuser check on top.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django_q import admin as q_admin  # noqa: F401  (registers django-q2's ModelAdmins first)
from django_q.models import Failure, OrmQ, Schedule, Success


def _superuser(request: Any) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


class SuperuserOnlyAdminMixin:
    def has_module_permission(self, request: Any) -> bool:
        return _superuser(request)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return _superuser(request)

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return _superuser(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return _superuser(request) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return _superuser(request) and super().has_delete_permission(request, obj)  # type: ignore[misc]

    def get_actions(self, request: Any) -> Any:
        return super().get_actions(request) if _superuser(request) else {}  # type: ignore[misc]


def _superusers_only(model: Any) -> None:
    if not admin.site.is_registered(model):
        return
    current = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(current.__name__, (SuperuserOnlyAdminMixin, current), {}))


for _model in (Schedule, Success, Failure, OrmQ):
    _superusers_only(_model)
