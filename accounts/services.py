"""Domain actions that write accounts data. Plain, keyword-only, atomic."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Notification, User, Workspace
from accounts.permissions import STAFF_ROLES, Role


@transaction.atomic
def workspace_create(*, name: str, slug: str, timezone_name: str = "UTC") -> Workspace:
    workspace = Workspace(name=name, slug=slug, timezone=timezone_name)
    workspace.full_clean()
    workspace.save()
    return workspace


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


@transaction.atomic
def membership_add(*, user: User, workspace: Workspace) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, workspace=workspace)
    return membership


def _recipients(workspace: Workspace, roles: Iterable[Role]) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, memberships__workspace=workspace, groups__name__in=[r.value for r in roles]
        ).distinct()
    )


def notify(
    *,
    workspace: Workspace,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    level: str = Notification.Level.INFO,
    roles: Iterable[Role] = (Role.ADMIN,),
    users: Iterable[User] | None = None,
    banner: bool = False,
    email: bool = True,
) -> list[Notification]:
    """Tell people in a workspace: an in-app notification each, plus an email after commit."""
    recipients = list(users) if users is not None else _recipients(workspace, roles)
    notes = Notification.objects.bulk_create(
        Notification(
            user=u, workspace=workspace, kind=kind, level=level, title=title, body=body, url=url, is_banner=banner
        )
        for u in recipients
    )
    addresses = [u.email for u in recipients if u.email]
    if email and addresses:
        transaction.on_commit(
            lambda: send_mail(f"[Pressroom · {workspace.name}] {title}", body or title, None, addresses, fail_silently=True)
        )
    return notes


def notification_dismiss(*, user: User, notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(read_at=timezone.now())
