"""Real processes for the stop tests: a migrated database of their own, free ports, and the process tree
a command left behind (judged by psutil, which sees children that moved to their own sessions)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parent.parent
PY = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    """Nothing listens on it: a new server could bind it (SO_REUSEADDR, as servers do, so connections the
    old server closed — TIME_WAIT — do not count)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_until(predicate, timeout: float, step: float = 0.1) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def kill_tree(pid: int) -> None:
    """A test's last word: SIGKILL whatever is left of a process and its descendants."""
    for p in tree(pid):
        try:
            p.kill()
        except Exception:  # noqa: BLE001 - it may be gone already
            pass


def cmdlines(pid: int) -> str:
    """The command lines of `pid`'s tree, space-joined (processes that vanish meanwhile are skipped)."""
    out = []
    for p in tree(pid):
        try:
            out.append(" ".join(p.cmdline()))
        except psutil.Error:
            pass
    return " ".join(out)


def alive(procs: list[psutil.Process]) -> list[str]:
    """The processes of `procs` still running (zombies count as gone: they hold no port and do nothing)."""
    left = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{p.pid} {' '.join(p.cmdline()[-3:])}")
        except psutil.Error:
            pass
    return left


@pytest.fixture(scope="session")
def process_env(tmp_path_factory) -> dict[str, str]:
    """Environment of a development install with its own migrated database (SQLite in a temp dir, or the
    PostgreSQL of scripts/with_postgres.sh when DATABASE_URL points at one)."""
    from cryptography.fernet import Fernet

    var = tmp_path_factory.mktemp("proc-var")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "Q_"))}
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = f"sqlite:///{var / 'db.sqlite3'}"
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": url, "VAR_DIR": str(var),
                "SECRET_KEY": "process-tests-" + "x" * 40, "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
                "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "INFO"})
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True, timeout=300)
    return env
