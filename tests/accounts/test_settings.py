"""Production settings refuse to start without their secrets (checked in a subprocess)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
PROD = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60 + "-prod-secret-key-for-tests-only-0123456789",
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "pressroom.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://pressroom.example.com",
}


def _run(env_overrides: dict[str, str], *args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PROD and k != "DATABASE_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)}, **env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_secret(missing, tmp_path):
    env = {k: v for k, v in PROD.items() if k != missing}
    out = _run(env, "check", tmp_path=tmp_path)
    assert out.returncode != 0
    assert missing in out.stderr
    assert "ImproperlyConfigured" in out.stderr


def test_production_starts_with_its_secrets_and_generates_nothing(tmp_path):
    out = _run(PROD, "check", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "dev-secrets.json").exists()


def test_malformed_encryption_key_is_a_clear_startup_error(tmp_path):
    out = _run({**PROD, "FIELD_ENCRYPTION_KEY": "not-a-key"}, "check", tmp_path=tmp_path)
    assert out.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in out.stderr


def test_check_deploy_reports_only_documented_warnings(tmp_path):
    out = _run(PROD, "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    documented = (ROOT / "docs" / "deploy.md").read_text()
    ids = re.findall(r"^\S*: \(([\w.]+)\)", out.stderr, flags=re.M)
    assert out.returncode in (0, 1), out.stderr
    for check_id in ids:
        assert check_id in documented, f"{check_id} is reported by check --deploy but not explained in docs/deploy.md"


def test_development_generates_its_own_secrets_under_var(tmp_path):
    out = _run({"DEBUG": "true"}, "check", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "dev-secrets.json").exists()
    assert oct((tmp_path / "dev-secrets.json").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(("debug", "expected"), [("false", "True"), ("true", "False")])
def test_two_factor_is_required_by_default_in_production_only(debug, expected, tmp_path):
    env = PROD if debug == "false" else {"DEBUG": "true"}
    out = _run(env, "shell", "-c", "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)",
               tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == expected
