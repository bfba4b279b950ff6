"""Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEY.

Rotation: put the new key first and keep the old one after it, run this command, then drop the old key.
Works on the raw column values (MultiFernet.rotate), so a value no key can decrypt stops the command with
a clear message instead of being re-encrypted as garbage.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from encrypted_model_fields import fields as encrypted_fields


def _crypter() -> MultiFernet:
    raw = settings.FIELD_ENCRYPTION_KEY
    keys = raw if isinstance(raw, (list, tuple)) else [raw]
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except Exception as exc:
        raise CommandError(f"FIELD_ENCRYPTION_KEY is not a list of valid Fernet keys: {exc}") from None


def encrypted_columns() -> list[tuple[Any, str]]:
    return [
        (model, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, encrypted_fields.EncryptedMixin)
    ]


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields (Instagram tokens…) with the first key in FIELD_ENCRYPTION_KEY."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        crypter = _crypter()
        connection = connections[options["database"]]
        quote = connection.ops.quote_name
        total = 0
        with transaction.atomic(using=options["database"]), connection.cursor() as cursor:
            for model, column in encrypted_columns():
                table, pk = model._meta.db_table, model._meta.pk.column
                cursor.execute(f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)}")  # noqa: S608 - names, not input
                rows = cursor.fetchall()
                for row_pk, value in rows:
                    if not value:
                        continue
                    try:
                        rotated = crypter.rotate(value.encode()).decode()
                    except InvalidToken:
                        raise CommandError(
                            f"{model._meta.label}.{column} of row {row_pk} cannot be decrypted with any key in "
                            "FIELD_ENCRYPTION_KEY (wrong key?). Nothing was changed; add the old key after the new one."
                        ) from None
                    cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s",  # noqa: S608
                                   [rotated, row_pk])
                    total += 1
        # The library builds its crypter at import; refresh it so this process reads with the new list too.
        encrypted_fields.CRYPTER = crypter
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} value(s) with the first key."))
