"""Invitations by email: a signed, single-use link that expires after INVITATION_DAYS days.

The link carries the invitation's id and a nonce, signed with the secret key; the row decides the rest (pending,
not expired, not revoked), so a used, revoked or resent-over link stops working at once. Accepting adds the
workspace — with the role the inviter chose — to an existing account or to a new one.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, User, Workspace
from accounts.permissions import Action, Role, grantable_roles, require
from accounts.services.workspaces import membership_add

INVITATION_DAYS = 7
_SALT = "pressroom.invitation"


class InvitationProblem(Exception):
    """Why a link cannot be used, in words for the person holding it."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=_SALT, compress=True)


def invitation_url(invitation: Invitation, *, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("accounts:invitation_accept", kwargs={"token": invitation_token(invitation)})


def _send(invitation: Invitation, *, base_url: str) -> None:
    context = {"invitation": invitation, "url": invitation_url(invitation, base_url=base_url),
               "inviter": invitation.invited_by, "days": INVITATION_DAYS}
    subject = f"You're invited to {invitation.workspace.name} on Pressroom"
    body = render_to_string("accounts/email/invitation.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))


@transaction.atomic
def invitation_create(*, actor: Any, workspace: Workspace, email: str, role: Role, base_url: str) -> Invitation:
    """Invite `email` into `workspace` with `role`; refused for a role above the actor's own or a current member."""
    require(actor, Action.MANAGE_WORKSPACE, workspace)
    if role not in grantable_roles(actor, workspace):
        raise PermissionDenied(f"You may not give the role {role.value}: it is above your own.")
    email = email.strip()
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {workspace.name}; change their role in the list.")
    if Invitation.objects.filter(workspace=workspace, email__iexact=email, accepted_at__isnull=True,
                                 revoked_at__isnull=True).exists():
        raise ValidationError(f"{email} already has a pending invitation; resend it from the list.")
    now = timezone.now()
    invitation = Invitation.objects.create(
        workspace=workspace, email=email, role=role.value, invited_by=actor, nonce=secrets.token_hex(16),
        sent_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
    _send(invitation, base_url=base_url)
    return invitation


def _pending(actor: Any, invitation: Invitation) -> Invitation:
    require(actor, Action.MANAGE_WORKSPACE, invitation.workspace)
    if not invitation.is_pending:
        raise ValidationError("This invitation was already accepted or revoked.")
    return invitation


@transaction.atomic
def invitation_resend(*, actor: Any, invitation: Invitation, base_url: str) -> Invitation:
    """A fresh link valid for another INVITATION_DAYS days; the earlier link stops working."""
    invitation = _pending(actor, invitation)
    if Role(invitation.role) not in grantable_roles(actor, invitation.workspace):
        raise PermissionDenied(f"You may not give the role {invitation.role}: it is above your own.")
    now = timezone.now()
    invitation.nonce, invitation.sent_at = secrets.token_hex(16), now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    invitation.save(update_fields=["nonce", "sent_at", "expires_at"])
    _send(invitation, base_url=base_url)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    invitation = _pending(actor, invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation behind a link, or InvitationProblem saying why the link is no good."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=timedelta(days=INVITATION_DAYS))
    except signing.SignatureExpired:
        raise InvitationProblem("expired", "This invitation link has expired.") from None
    except signing.BadSignature:
        raise InvitationProblem("invalid", "This invitation link is not valid. Check that you copied all of it.") from None
    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(pk=data.get("i")).first()
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationProblem("revoked", "This invitation was withdrawn.")
    if invitation.accepted_at is not None:
        raise InvitationProblem("used", "This invitation has already been used.")
    if invitation.nonce != data.get("n"):
        raise InvitationProblem("replaced", "A newer invitation was sent for this address; use the link in the "
                                            "latest email.")
    if invitation.expires_at <= timezone.now():
        raise InvitationProblem("expired", "This invitation link has expired.")
    if invitation.workspace.archived_at is not None:
        raise InvitationProblem("revoked", "This workspace is no longer active.")
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Add the workspace to `user` with the invited role. Single use: a compare-and-set marks the row first."""
    now = timezone.now()
    won = Invitation.objects.filter(pk=invitation.pk, nonce=invitation.nonce, accepted_at__isnull=True,
                                    revoked_at__isnull=True, expires_at__gt=now).update(
        accepted_at=now, accepted_by=user)
    if won != 1:
        raise InvitationProblem("used", "This invitation has already been used.")
    existing = Membership.objects.filter(user=user, workspace=invitation.workspace).first()
    if existing is not None:
        return existing  # already a member: an invitation never changes a role someone holds
    return membership_add(user=user, workspace=invitation.workspace, role=Role(invitation.role))


@transaction.atomic
def invitation_accept_new_user(*, invitation: Invitation, username: str, password: str, first_name: str = "",
                               last_name: str = "") -> User:
    """Create the account (email from the invitation) and accept for it."""
    user = User(username=username, email=invitation.email, first_name=first_name, last_name=last_name)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    invitation_accept(invitation=invitation, user=user)
    return user


def pending_invitations(workspace: Workspace) -> Any:
    return Invitation.objects.filter(workspace=workspace, accepted_at__isnull=True, revoked_at__isnull=True) \
        .select_related("invited_by").order_by("email")
