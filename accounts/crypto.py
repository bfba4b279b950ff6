"""Guards around encrypted fields: a wrong key must fail loudly, never leak ciphertext as a value."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError


class EncryptionKeyError(RuntimeError):
    """The stored data was encrypted with a key that is not in FIELD_ENCRYPTION_KEY."""


def looks_like_ciphertext(value: str) -> bool:
    # Fernet tokens start with version byte 0x80, i.e. "gAAAAA" in url-safe base64.
    return value.startswith("gAAAAA") and len(value) > 80


def encryption_key_problem() -> str | None:
    """Why the configured key list cannot be used, or None when it is well-formed."""
    from cryptography.fernet import Fernet

    raw = getattr(settings, "FIELD_ENCRYPTION_KEY", None)
    keys = raw if isinstance(raw, (list, tuple)) else [raw]
    if not keys or not all(keys):
        return "FIELD_ENCRYPTION_KEY is empty."
    for index, key in enumerate(keys):
        try:
            Fernet(key)
        except Exception:
            return f"FIELD_ENCRYPTION_KEY entry {index + 1} is not a valid Fernet key (32 url-safe base64 bytes)."
    return None


def canary_status() -> tuple[bool, str]:
    """(ok, message): decrypt the canary row, creating it on first use."""
    from accounts.models import EncryptionCanary

    problem = encryption_key_problem()
    if problem:
        return False, problem
    try:
        canary = EncryptionCanary.objects.first()
        if canary is None:
            EncryptionCanary.objects.create(value=EncryptionCanary.EXPECTED)
            return True, "ok"
    except DatabaseError as exc:
        return False, f"cannot read the encryption check row: {exc.__class__.__name__}"
    except Exception:
        return False, "FIELD_ENCRYPTION_KEY does not decrypt the stored data (wrong key?)."
    if canary.value != EncryptionCanary.EXPECTED:
        return False, "FIELD_ENCRYPTION_KEY does not decrypt the stored data (wrong key?)."
    return True, "ok"
