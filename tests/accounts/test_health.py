from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.utils import timezone

from scheduler.services.system import heartbeat_beat

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_ok_when_everything_is_healthy(client):
    heartbeat_beat(name="cluster")
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cluster", "storage", "encryption"}


@pytest.mark.django_db
def test_healthz_names_a_stale_cluster(client):
    from scheduler.models import Heartbeat

    Heartbeat.objects.create(name="cluster", beat_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cluster"]


@pytest.mark.django_db
def test_healthz_names_a_wrong_encryption_key(client, monkeypatch):
    import encrypted_model_fields.fields as fields

    heartbeat_beat(name="cluster")
    assert client.get("/healthz").status_code == 200  # writes the canary with the real key
    # The process now runs with a different (valid) key: the stored data no longer decrypts.
    monkeypatch.setattr(fields, "CRYPTER", MultiFernet([Fernet(Fernet.generate_key())]))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["encryption"]
    assert "wrong key" in response.json()["checks"]["encryption"]["error"]


def test_healthz_names_an_unreachable_database(tmp_path):
    """A real broken database: the app runs against a path SQLite cannot open."""
    script = (
        "import django, os; django.setup();"
        "from django.test import Client; r = Client().get('/healthz');"
        "import json; print(r.status_code, json.dumps(r.json()['failing']))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path),
           "DATABASE_URL": "sqlite:////nonexistent-dir/pressroom.sqlite3"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    status, failing = out.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert "database" in failing
