"""Two-factor sign-in (django-otp: an authenticator app's TOTP codes, plus single-use recovery codes).

Who needs it: with settings.TWO_FACTOR_REQUIRED (on by default when DEBUG is off) every Administrator (of any
workspace, and superusers) and everyone who opens the Django admin; in any case every member of a workspace that
asks for it (Workspace.require_two_factor). Wrong codes are counted by django-axes under their own key, so the
password step and the code step are each throttled and a correct password never clears the code counter.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.permissions import Role, workspaces_with_roles

RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def required_for(user: Any, *, admin: bool = False) -> bool:
    """Must this signed-in user pass the code step before going on (`admin`: the request is for the admin)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    from accounts.models import Membership

    if Membership.objects.filter(user=user, workspace__require_two_factor=True,
                                 workspace__archived_at__isnull=True).exists():
        return True
    if not getattr(settings, "TWO_FACTOR_REQUIRED", False):
        return False
    return admin or user.is_superuser or workspaces_with_roles(user, [Role.ADMIN]).exists()


def is_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolled_users(user_ids: Any) -> list[int]:
    """Which of these users have a confirmed authenticator app (one query, for lists)."""
    return list(TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True))


def pending_device(user: Any) -> TOTPDevice:
    """The authenticator device being set up (one, kept across page loads until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code (markup, no script, no external request)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]


@transaction.atomic
def enrol_confirm(*, user: Any, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a code from it; return fresh recovery codes (shown once), or None."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()  # one app at a time
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_new(user=user)


@transaction.atomic
def recovery_codes_new(*, user: Any) -> list[str]:
    """Replace the user's recovery codes; each works once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def verify(user: Any, code: str) -> Any:
    """The confirmed device that accepts `code` (a recovery code is used up), or None."""
    code = code.strip().replace(" ", "").lower()
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def reset_refusal(actor: Any, membership: Any) -> str | None:
    """Why `actor` may not reset the two-factor sign-in of `membership`'s member, or None when they may.

    A workspace's Administrator may, for a member whose every workspace they administer (a reset weakens the whole
    account, so one workspace's Administrator cannot weaken someone another workspace trusts); never their own
    (another Administrator does it) nor a superuser's. Superusers may for anyone but themselves.
    """
    from accounts.models import Membership
    from accounts.permissions import Action, administered_workspaces, can

    member = membership.user
    if not can(actor, Action.MANAGE_WORKSPACE, membership.workspace):
        return "Only an Administrator of this workspace can reset a member's two-factor sign-in."
    if member.pk == actor.pk:
        return "You cannot reset your own two-factor sign-in; ask another Administrator."
    if member.is_superuser and not actor.is_superuser:
        return f"{member} is a superuser; only another superuser can reset their two-factor sign-in."
    elsewhere = (Membership.objects.filter(user=member, workspace__archived_at__isnull=True)
                 .exclude(workspace__in=administered_workspaces(actor)))
    if elsewhere.exists():
        return (f"{member} is also a member of workspaces you do not administer; ask a superuser to reset their "
                "two-factor sign-in.")
    return None


@transaction.atomic
def two_factor_reset(*, actor: Any, membership: Any) -> bool:
    """Remove the member's authenticator app and recovery codes (a lost phone). Their sessions that passed the code
    step lose it at once (the device they verified with is gone); where two-factor is required they enrol again at
    the next request. They are told in the app and by email. Returns whether there was anything to reset."""
    from django.core.exceptions import ValidationError

    from accounts.services.notifications import notify

    refusal = reset_refusal(actor, membership)
    if refusal:
        raise ValidationError(refusal)
    member = membership.user
    removed = TOTPDevice.objects.filter(user=member).delete()[0] + StaticDevice.objects.filter(user=member).delete()[0]
    if removed:
        notify(workspace=membership.workspace, kind="two_factor_reset", users=[member],
               title="Your two-factor sign-in was reset",
               body=(f"{actor} reset your two-factor sign-in in {membership.workspace}. Your authenticator app and "
                     "recovery codes no longer work; set up a new app the next time you sign in. If you did not "
                     "ask for this, tell your Administrator."))
    return bool(removed)
