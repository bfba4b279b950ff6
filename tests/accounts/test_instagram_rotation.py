"""rotate_encryption_key: rotate, drop the old key, tokens still decrypt; a wrong key is a clear error."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.management import CommandError, call_command
from django.db import connection
from encrypted_model_fields import fields as encrypted_fields

from accounts.crypto import EncryptionKeyError
from accounts.models import InstagramAccount
from accounts.services.instagram import instagram_token
from tests.factories import InstagramAccountFactory

pytestmark = pytest.mark.django_db


def _use_keys(settings, monkeypatch, keys):
    settings.FIELD_ENCRYPTION_KEY = keys
    # The library builds its crypter once at import; tests switch it the way a restart would.
    monkeypatch.setattr(encrypted_fields, "CRYPTER", MultiFernet([Fernet(k) for k in keys]))


def _raw(account):
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM accounts_instagramaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


def test_rotate_then_drop_old_key(settings, monkeypatch, workspace):
    old = settings.FIELD_ENCRYPTION_KEY if isinstance(settings.FIELD_ENCRYPTION_KEY, str) else settings.FIELD_ENCRYPTION_KEY[0]
    account = InstagramAccountFactory(workspace=workspace, access_token="IGAAsecret-token-1")
    new = Fernet.generate_key().decode()
    _use_keys(settings, monkeypatch, [new, old])
    call_command("rotate_encryption_key")
    assert Fernet(new).decrypt(_raw(account).encode()) == b"IGAAsecret-token-1"
    _use_keys(settings, monkeypatch, [new])
    assert instagram_token(InstagramAccount.objects.get(pk=account.pk)) == "IGAAsecret-token-1"


def test_wrong_key_is_a_clear_error(settings, monkeypatch, workspace):
    account = InstagramAccountFactory(workspace=workspace, access_token="IGAAsecret-token-2")
    raw_before = _raw(account)
    _use_keys(settings, monkeypatch, [Fernet.generate_key().decode()])
    with pytest.raises(CommandError, match="cannot be decrypted with any key"):
        call_command("rotate_encryption_key")
    assert _raw(account) == raw_before  # nothing was half-rotated
    with pytest.raises(EncryptionKeyError, match="FIELD_ENCRYPTION_KEY does not match"):
        instagram_token(InstagramAccount.objects.get(pk=account.pk))
