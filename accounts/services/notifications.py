"""Notifications: tell people in a workspace (in-app, plus email after commit), and dismiss."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Notification, User, Workspace
from accounts.permissions import Role
from accounts.redirects import validate_site_path


def _recipients(workspace: Workspace, roles: Iterable[Role]) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, memberships__workspace=workspace, memberships__role__in=[r.value for r in roles]
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
    """Tell people in a workspace: an in-app notification each, plus an email after commit.

    `url` must be a path on this site (ValidationError otherwise): it becomes the banner's link.
    """
    validate_site_path(url)
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
