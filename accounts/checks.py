"""Startup checks: a missing or malformed FIELD_ENCRYPTION_KEY is reported before anything runs."""

from __future__ import annotations

from typing import Any

from django.core import checks

from accounts.crypto import canary_status, encryption_key_problem


@checks.register(checks.Tags.security)
def check_encryption_key(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    problem = encryption_key_problem()
    if problem:
        return [checks.Error(problem, hint="Generate one with: python -c \"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\"", id="pressroom.E001")]
    return []


@checks.register(checks.Tags.database)
def check_encryption_key_matches_data(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Only runs when a command asks for database checks (migrate, check --database default)."""
    if not databases or encryption_key_problem():
        return []
    from django.db import DatabaseError

    from accounts.models import EncryptionCanary

    try:
        EncryptionCanary.objects.exists()
    except DatabaseError:
        return []  # not migrated yet (e.g. the first `migrate`): nothing to check against
    ok, message = canary_status()
    if not ok:
        return [checks.Error(message, id="pressroom.E002")]
    return []
