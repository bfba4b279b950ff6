"""Domain actions on user accounts: the admin access that follows their roles."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Membership, User
from accounts.permissions import STAFF_ROLES, forget_roles


@transaction.atomic
def user_sync_staff(*, user: User) -> User:
    """May enter the admin (is_staff) exactly while a membership holds a role that uses it, or as superuser."""
    staff = user.is_superuser or Membership.objects.filter(
        user=user, role__in=[r.value for r in STAFF_ROLES]).exists()
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    forget_roles(user)
    return user
