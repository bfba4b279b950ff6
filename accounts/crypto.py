"""Guards around encrypted fields: a wrong key must fail loudly, never leak ciphertext as a value."""

from __future__ import annotations

from django.db import DatabaseError


class EncryptionKeyError(RuntimeError):
    """The stored data was encrypted with a key that is not in FIELD_ENCRYPTION_KEY."""


def looks_like_ciphertext(value: str) -> bool:
    # Fernet tokens start with version byte 0x80, i.e. "gAAAAA" in url-safe base64.
    return value.startswith("gAAAAA") and len(value) > 80


def canary_status() -> tuple[bool, str]:
    """(ok, message): decrypt the canary row, creating it on first use."""
    from accounts.checks import encryption_key_problem
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
