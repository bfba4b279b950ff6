"""What an authenticator app would show next, for the two-factor tests."""

from __future__ import annotations

import time

import pyotp
from django_otp.plugins.otp_totp.models import TOTPDevice


def next_accepted_code(secret: str, username: str) -> str:
    """The code for the earliest time step the user's confirmed device still accepts.

    The device refuses a step it has already used (no replay) and follows the app's clock drift (django-otp's
    OTP_TOTP_SYNC): an enrolment verified just after a 30 s boundary leaves drift -1, so "now + 30 s" can fall outside
    the window. The step chosen here stays inside it even if a boundary passes before the form is sent.
    """
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    current = int(time.time()) // device.step + device.drift
    step = max(device.last_t + 1, current)
    return pyotp.TOTP(secret).at(step * device.step)
