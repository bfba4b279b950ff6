"""`make run`'s supervisor: Instagram sandbox, migrate + demo seed, task cluster and web server; one signal stops all.

Replaces a bash `trap` supervisor that could die of "run_pending_traps: bad value in trap_list[15]" when a
second signal arrived while its handler ran, leaving the children holding ports 8000 and 8100.

- Every child runs in its own session (process group), so a signal to the supervisor's group (Ctrl-C, a
  process manager, a closed terminal) reaches only the supervisor, which stops the children in order.
  Each child also gets SIGTERM if the supervisor itself dies (PR_SET_PDEATHSIG).
- The first SIGINT, SIGTERM or SIGHUP starts the stop; later ones are noted and change nothing.
- Stop: SIGTERM to every child's group, wait up to STOP_SECONDS (6 s) for every group to be gone, then SIGKILL
  what is left. Exit status 0 after a requested stop, 1 when a child died on its own.

Environment (for tests): PRESSROOM_RUN_SKIP=migrate,seed skips those steps; PRESSROOM_WEB_PORT and
PRESSROOM_SANDBOX_PORT move the ports (INSTAGRAM_GRAPH_URL and PUBLIC_BASE_URL follow).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
STOP_SECONDS = 6.0
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Supervisor:
    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.stop_signal: str | None = None
        for sig in SIGNALS:
            signal.signal(sig, self.on_signal)

    def on_signal(self, signum, frame) -> None:  # noqa: ANN001
        if self.stop_signal is None:
            self.stop_signal = signal.Signals(signum).name

    @property
    def stopping(self) -> bool:
        return self.stop_signal is not None

    def spawn(self, name: str, cmd: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, cwd=REPO, preexec_fn=_own_session_dying_with_parent)  # noqa: PLW1509
        self.children.append((name, proc))
        return proc

    def run_step(self, name: str, cmd: list[str]) -> bool:
        """A one-shot child (migrate, seed); False when it failed or a stop was requested meanwhile."""
        proc = self.spawn(name, cmd)
        while proc.poll() is None and not self.stopping:
            time.sleep(0.1)
        if proc.poll() is None:
            return False
        self.children.remove((name, proc))
        if proc.returncode != 0:
            print(f"==> {name} failed (exit {proc.returncode})", flush=True)
            return False
        return True

    def wait_port(self, port: int, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                return True
            except OSError:
                time.sleep(0.2)
        return False

    def watch(self) -> int:
        """Until a stop is requested or a child exits; returns the exit status to use."""
        while not self.stopping:
            for name, proc in self.children:
                if proc.poll() is not None:
                    print(f"==> {name} exited (status {proc.returncode}); stopping the others", flush=True)
                    return 1
            time.sleep(0.2)
        return 0

    def stop(self) -> None:
        print(f"\n==> stopping ({self.stop_signal or 'a child exited'})", flush=True)
        for _, proc in self.children:
            _killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline and any(_group_alive(proc) for _, proc in self.children):
            time.sleep(0.1)
        for name, proc in self.children:
            if _group_alive(proc):
                print(f"==> {name} did not stop within {STOP_SECONDS:.0f} s: SIGKILL", flush=True)
                _killpg(proc.pid, signal.SIGKILL)
        for _, proc in self.children:
            proc.wait()
        print("==> stopped", flush=True)


def _own_session_dying_with_parent() -> None:
    os.setsid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_DFL)


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(proc: subprocess.Popen) -> bool:
    proc.poll()  # reap the leader, or the zombie would count as alive
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return False
    return True


def main() -> int:
    sup = Supervisor()
    skip = {s.strip() for s in os.environ.get("PRESSROOM_RUN_SKIP", "").split(",") if s.strip()}
    web_port = int(os.environ.get("PRESSROOM_WEB_PORT", "8000"))
    sandbox_port = int(os.environ.get("PRESSROOM_SANDBOX_PORT", "8100"))
    if sandbox_port != 8100:  # moved ports (tests): point the app at them; otherwise the settings' defaults
        os.environ.setdefault("INSTAGRAM_GRAPH_URL", f"http://127.0.0.1:{sandbox_port}")
    if web_port != 8000:
        os.environ.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{web_port}")
    var = Path(os.environ.get("VAR_DIR", REPO / "var"))
    var.mkdir(parents=True, exist_ok=True)
    status = 1
    try:
        # The sandbox comes first: the demo seed connects a sandbox Instagram account.
        sup.spawn("sandbox", [PY, "-m", "instagram.sandbox", "--host", "127.0.0.1", "--port", str(sandbox_port),
                              "--state-file", str(var / "sandbox-state.json")])
        ok = sup.wait_port(sandbox_port)
        if ok and "migrate" not in skip:
            ok = sup.run_step("migrate", [PY, "manage.py", "migrate", "--noinput"])
        if ok and "seed" not in skip:
            ok = sup.run_step("seed_demo", [PY, "manage.py", "seed_demo"])
        if ok:
            sup.spawn("task cluster", [PY, "manage.py", "runworker"])
            sup.spawn("web", [PY, "manage.py", "runserver", f"127.0.0.1:{web_port}"])
            if sup.wait_port(web_port, timeout=30):
                print(f"\n==> Pressroom is running at http://127.0.0.1:{web_port}/  (Ctrl-C stops web, tasks and sandbox)\n"
                      "    Demo logins (password pressroom-demo): admin, editor, social, client", flush=True)
            status = sup.watch()
        if sup.stopping:
            status = 0
    finally:
        for sig in SIGNALS:  # from here on, nothing interrupts the stop
            signal.signal(sig, signal.SIG_IGN)
        sup.stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
