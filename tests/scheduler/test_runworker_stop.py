"""`manage.py runworker` (the task cluster) exits within 10 s of SIGTERM, SIGINT or SIGHUP sent to its master
alone or to its whole process group — plain django-q2 `qcluster` hangs when the group is signalled.

What happens to a post being published at that moment is proven by the drill (bench/drill.py --stop …).
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from tests.process_support import PY, REPO, alive, cmdlines, kill_tree, process_env, tree, wait_until  # noqa: F401

STOP_WITHIN_S = 10  # the limit


@pytest.mark.parametrize("target", ["master", "group"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_runworker_stops_within_ten_seconds(process_env, tmp_path, sig, target):  # noqa: F811
    log = tmp_path / "runworker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([PY, "manage.py", "runworker"], cwd=REPO, env=process_env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_until(lambda: "running." in log.read_text(), timeout=60, step=0.2), log.read_text()[-2000:]
        wait_until(lambda: False, timeout=1.5)  # the Sentinel is now waiting in its guard loop
        started = tree(proc.pid)
        assert len(started) >= 5, cmdlines(proc.pid)  # master, sentinel, 2 workers, monitor, pusher
        if target == "group":
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        assert wait_until(lambda: not alive(started), timeout=STOP_WITHIN_S), (alive(started), log.read_text()[-2000:])
        assert proc.wait(timeout=1) == 0
        assert "stopped cleanly" in log.read_text()
    finally:
        kill_tree(proc.pid)


def test_runworker_leaves_nothing_when_its_master_is_killed(process_env, tmp_path):  # noqa: F811
    """SIGKILL of the master's group (a crash): the Sentinel's own group follows it."""
    log = tmp_path / "runworker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([PY, "manage.py", "runworker"], cwd=REPO, env=process_env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_until(lambda: "running." in log.read_text(), timeout=60, step=0.2)
        started = tree(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
        assert wait_until(lambda: not alive(started), timeout=STOP_WITHIN_S), alive(started)
    finally:
        kill_tree(proc.pid)
