"""Domain actions on users: their one role (a Django Group) and the admin access that follows it."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.permissions import STAFF_ROLES, Role


@transaction.atomic
def user_set_role(*, user: User, role: Role) -> User:
    """A user has one role: replace any other role group, and give admin access to staff roles."""
    role_groups = Group.objects.filter(name__in=[r.value for r in Role])
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get(name=role.value))
    user.is_staff = role in STAFF_ROLES or user.is_superuser
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_pressroom_role", None)
    return user


@transaction.atomic
def user_clear_role(*, user: User) -> User:
    """No role at all: the user keeps their memberships but may do nothing (and loses admin access)."""
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]))
    user.is_staff = user.is_superuser
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_pressroom_role", None)
    return user
