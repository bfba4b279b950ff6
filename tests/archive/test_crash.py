"""A run SIGKILLed mid-download resumes from its stored state: no duplicate files, no finished file fetched again."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.sandbox]

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("crash_worker.py")


def _env(tmp_path: Path, sandbox_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", VAR_DIR=str(tmp_path / "var"),
               MEDIA_ROOT=str(tmp_path / "media"), INSTAGRAM_GRAPH_URL=sandbox_url, DJANGO_SETTINGS_MODULE="config.settings",
               LOG_LEVEL="WARNING", ARCHIVE_DOWNLOAD_CONCURRENCY="3", **extra)
    return env


def _py(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1]) if args[0] != "manage.py" else {}


def _row(db: Path, sql: str) -> tuple:
    with sqlite3.connect(db, timeout=20) as conn:
        return conn.execute(sql).fetchone()


def test_sigkill_mid_download_resumes_without_duplicates_or_refetching(ig, tmp_path):
    summary = ig.add_profile("crashy_co", posts=40, licensed_audio=0)
    asker = ig.create_account("crash_asker")
    env = _env(tmp_path, ig.url)
    _py(env, "manage.py", "migrate", "--noinput", "-v", "0")
    run_id = _py(env, str(WORKER), "setup", asker["access_token"], asker["ig_user_id"], "crashy_co")["run_id"]
    db = tmp_path / "db.sqlite3"
    ig.set_latency("cdn", 150)
    ig.reset_calls()
    child = subprocess.Popen([sys.executable, str(WORKER), "run", str(run_id)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = _row(db, f"select media_done from archive_archiverun where id={run_id}")[0]
            if done >= 12:
                break
            assert child.poll() is None, child.stderr.read().decode()[-2000:]
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    state, done_before, total = _row(db, f"select state, media_done, media_total from archive_archiverun where id={run_id}")
    assert state == "running" and 12 <= done_before < total  # killed mid-download
    with sqlite3.connect(db) as conn:
        finished = [r[0] for r in conn.execute("select ig_id from archive_archivedmedia where state='done'")]
    calls_at_kill = {m: ig.cdn_calls(m) for m in finished}
    partial_dir = tmp_path / "media" / ".partial"

    ig.set_latency("cdn", 0)
    # The dead worker's lease is taken over at once (a real cluster waits ARCHIVE_LEASE_SECONDS).
    result = _py(_env(tmp_path, ig.url, ARCHIVE_LEASE_SECONDS="0"), str(WORKER), "run", str(run_id))
    assert result["outcome"] == "done" and result["media_done"] == result["media_total"] == total
    assert result["failed"] == 0
    assert {m: ig.cdn_calls(m) for m in finished} == calls_at_kill  # finished media were not downloaded again
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select file, sha256 from archive_archivedmedia").fetchall()
    assert all(f and s for f, s in rows)
    stored = [p for p in (tmp_path / "media" / "workspaces").rglob("*") if p.is_file() and "thumbs" not in p.parts]
    assert len(stored) == len({s for _, s in rows}) == len(rows)  # one file per distinct content, none doubled
    assert not any(p.name.endswith((".part", ".tmp")) or "_" in p.stem for p in stored)
    assert not list(partial_dir.glob("*"))  # the killed worker's partial files were cleaned up
    assert len(summary["media_ids"]) == 40
