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
