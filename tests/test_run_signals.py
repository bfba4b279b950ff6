"""`make run` stops cleanly: SIGINT, SIGTERM or SIGHUP, to the supervisor alone or to its whole process group,
once or twice in a row → every process it started is gone within 10 s and its ports are free again.

The test starts scripts/run.sh (what `make run` runs) without the pip/seed steps, on free ports and a database
of its own; the supervisor, sandbox, task cluster and web server are the real ones.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from tests.process_support import REPO, alive, cmdlines, free_port, kill_tree, port_free, process_env, tree, wait_until  # noqa: F401

STOP_WITHIN_S = 10  # the limit


def start_run(env: dict[str, str], log_path) -> tuple[subprocess.Popen, int, int]:  # noqa: ANN001
    web, sandbox = free_port(), free_port()
    env = {**env, "PRESSROOM_RUN_SKIP": "setup,seed", "PRESSROOM_WEB_PORT": str(web),
           "PRESSROOM_SANDBOX_PORT": str(sandbox)}
    env.pop("INSTAGRAM_GRAPH_URL", None)
    env.pop("PUBLIC_BASE_URL", None)
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(["bash", "scripts/run.sh"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    return proc, web, sandbox


def everything_up(proc: subprocess.Popen, web: int, sandbox: int) -> bool:
    names = cmdlines(proc.pid)
    return (not port_free(web) and not port_free(sandbox) and "runworker" in names and "runserver" in names
            and "instagram.sandbox" in names)


@pytest.mark.parametrize("times", [1, 2], ids=["once", "twice"])
@pytest.mark.parametrize("target", ["supervisor", "group"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_make_run_stops_every_child_and_frees_its_ports(process_env, tmp_path, sig, target, times):  # noqa: F811
    proc, web, sandbox = start_run(process_env, tmp_path / "run.log")
    try:
        assert wait_until(lambda: everything_up(proc, web, sandbox), timeout=90, step=0.25), (
            (tmp_path / "run.log").read_text()[-3000:])
        wait_until(lambda: False, timeout=1.0)  # let the cluster settle into its guard loop
        started = tree(proc.pid)
        assert len(started) >= 5  # supervisor, sandbox, runworker master + sentinel…, runserver
        for _ in range(times):
            if target == "group":
                os.killpg(proc.pid, sig)
            else:
                os.kill(proc.pid, sig)
            wait_until(lambda: False, timeout=0.05)
        gone = wait_until(lambda: not alive(started), timeout=STOP_WITHIN_S)
        assert gone, f"still running after {STOP_WITHIN_S} s: {alive(started)}\n" + (tmp_path / "run.log").read_text()[-3000:]
        assert port_free(web) and port_free(sandbox)
        assert proc.wait(timeout=1) == 0
    finally:
        kill_tree(proc.pid)


def test_ctrl_c_twice_on_make_run_stops_everything(process_env, tmp_path):  # noqa: F811
    """The terminal's Ctrl-C goes to make's whole foreground group (make and the supervisor)."""
    web, sandbox = free_port(), free_port()
    env = {**process_env, "PRESSROOM_RUN_SKIP": "setup,seed", "PRESSROOM_WEB_PORT": str(web),
           "PRESSROOM_SANDBOX_PORT": str(sandbox)}
    with open(tmp_path / "make.log", "wb") as out:
        proc = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=REPO, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_until(lambda: everything_up(proc, web, sandbox), timeout=90, step=0.25)
        started = tree(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)
        wait_until(lambda: False, timeout=0.3)
        os.killpg(proc.pid, signal.SIGINT)
        assert wait_until(lambda: not alive(started), timeout=STOP_WITHIN_S), alive(started)
        assert port_free(web) and port_free(sandbox)
    finally:
        kill_tree(proc.pid)
