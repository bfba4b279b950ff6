"""`manage.py runworker`: one django-q2 task cluster plus this cluster's own publish dispatcher, stopping
within a deadline on SIGTERM, SIGINT or SIGHUP — sent to the master alone or to its whole process group.

Why not plain `qcluster`: django-q2 1.11.1's master answers a signal with `stop_event.set()` on a
multiprocessing Event. When the signal went to the whole group, the Sentinel (SIGTERM = SIG_DFL) died
while it sat in `stop_event.wait()`, counted as a sleeper of the Event's Condition; `set()` → `notify_all()`
then waits forever for that dead sleeper to acknowledge, so the master hangs (reproduced here: still
hung after 15 s; the issue saw 40 s).

Here:
- The Sentinel puts itself in its own process group, so a signal to the master's group reaches only the
  master, which then stops everything in order. A watchdog thread in the Sentinel SIGKILLs its group if the
  master disappears (SIGKILL of the master's group, OOM), so nothing is left behind.
- The master handles the first signal only (later ones are ignored while it stops): the dispatcher's
  publish threads claim nothing more and finish the post each one holds; then the cluster is asked to stop
  (`stop_event.set()` in a daemon thread, so it can never block the master) and its workers get SIGUSR1 (a
  fallback dispatcher run in a worker stops claiming too); whatever is still alive after
  RUNWORKER_STOP_SECONDS is SIGKILLed.
- A post whose publish outlives that deadline is left to the lease: it stays `publishing` with its
  claim and is reaped and reconciled after PUBLISH_LEASE_SECONDS (docs/publishing.md), never retried blindly.
- Every runworker runs one dispatcher loop (PUBLISH_CONCURRENCY threads) in its master: more clusters, more
  publishing throughput, without a broker round trip. Claims are compare-and-set, so loops never collide.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from django import db
from django.conf import settings
from django.utils import timezone
from django_q.cluster import Cluster, Sentinel
from django_q.signals import post_spawn

from scheduler.engine import claims, dispatcher
from scheduler.services.system import heartbeat_beat

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
IDLE_POLL_SECONDS = 1.0
LOOP_HEARTBEAT = "dispatcher-loop"  # read by services.system.dispatcher_loop_alive


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os.killpg(0, signal.SIGKILL)  # the master is gone: take this whole group down, as a crash would
        time.sleep(0.2)


def _worker_spawned(sender, proc_name, **kwargs) -> None:  # noqa: ANN001, ANN003
    """In each django-q2 worker: SIGUSR1 (sent by the master when it stops) makes a dispatcher run in this
    worker — the minute schedule's fallback pass — claim nothing more, like the master's own loop."""
    signal.signal(signal.SIGUSR1, lambda signum, frame: dispatcher.STOP.set())


post_spawn.connect(_worker_spawned, dispatch_uid="pressroom-runworker-stop")


class IsolatedSentinel(Sentinel):
    """django-q2's Sentinel in its own process group, dying with its master."""

    def start(self) -> None:
        os.setpgrp()
        for sig in STOP_SIGNALS:  # only the master decides when to stop (it signals this group itself)
            signal.signal(sig, signal.SIG_IGN if sig != signal.SIGTERM else signal.SIG_DFL)
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)  # the stop notice is for the workers (see _worker_spawned)
        threading.Thread(target=_watch_parent, args=(self.parent_pid,), daemon=True, name="watch-master").start()
        super().start()


class PressroomCluster(Cluster):
    """The master: starts the isolated Sentinel; its signal handlers only record the request."""

    def __init__(self) -> None:
        super().__init__()
        self.stop_requested = threading.Event()
        self.signal_name = ""
        for sig in STOP_SIGNALS:
            signal.signal(sig, self.on_signal)

    def on_signal(self, signum, frame) -> None:  # noqa: ANN001
        if self.stop_requested.is_set():
            return
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        self.signal_name = signal.Signals(signum).name
        self.stop_requested.set()
        dispatcher.STOP.set()

    def start(self) -> int:
        import django_q.cluster as q_cluster

        original = q_cluster.Sentinel
        q_cluster.Sentinel = IsolatedSentinel  # Cluster.start looks the class up in its module
        try:
            return super().start()
        finally:
            q_cluster.Sentinel = original

    def shutdown(self, deadline: float) -> bool:
        """Stop the cluster by `deadline` (monotonic); True when it stopped by itself, False when killed."""
        sentinel = self.sentinel
        if sentinel is None:
            return True
        if not sentinel.is_alive():  # it died on its own: its workers, monitor and pusher may be orphans
            _killpg_quietly(sentinel.pid)
            return True
        try:
            os.killpg(sentinel.pid, signal.SIGUSR1)  # dispatcher runs in the workers: claim nothing more
        except (ProcessLookupError, PermissionError):
            pass
        stop_event = self.stop_event
        if stop_event is not None:
            threading.Thread(target=stop_event.set, daemon=True, name="stop-cluster").start()
        sentinel.join(max(0.0, deadline - time.monotonic()))
        if not sentinel.is_alive():
            _killpg_quietly(sentinel.pid)  # anything of its group still there (normally nothing)
            return True
        log.warning("runworker: the task cluster did not stop in time (%s still running); SIGKILL",
                    ", ".join(_group_members(sentinel.pid)) or "the Sentinel")
        _killpg_quietly(sentinel.pid)
        sentinel.join(2)
        return False


def _killpg_quietly(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _beat_while_running(stop: threading.Event) -> None:
    """The loop's heartbeat, every 5 s even while a long dispatcher run is busy, so the minute schedule's
    pass (scheduler.tasks.dispatch_due) knows to stay out of the way."""
    while not stop.is_set():
        try:
            heartbeat_beat(name=LOOP_HEARTBEAT)
        except Exception:  # a database outage: drop the connection, try again in 5 s
            log.warning("dispatcher loop: heartbeat failed", exc_info=True)
            db.connection.close()
        stop.wait(5.0)


def _group_members(pgid: int) -> list[str]:
    """`pid:state:title` of the processes in process group `pgid` (Linux /proc), for the stop diagnostics."""
    members = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    title = f.read().replace(b"\0", b" ").decode(errors="replace").strip()[-60:]
                members.append(f"{entry}:{fields[0]}:{title}")
        except (OSError, IndexError, ValueError):
            continue
    return members


def dispatcher_loop(stop: threading.Event) -> None:
    """Publish due posts until asked to stop: a dispatcher run whenever something is claimable, checked with
    one cheap query every IDLE_POLL_SECONDS when idle (so a post due "now" goes out within about a second)."""
    threading.Thread(target=_beat_while_running, args=(stop,), daemon=True, name="loop-heartbeat").start()
    while not stop.is_set():
        wait = IDLE_POLL_SECONDS
        try:
            if claims.anything_claimable(timezone.now()) and dispatcher.dispatch_run():
                wait = 0.0  # it did work and may have stopped at its budget with more due: go on at once
        except Exception:  # a database outage must not end the loop: log, reconnect, try again
            log.exception("dispatcher loop: run failed; retrying in 5 s")
            db.connection.close()
            wait = 5.0
        stop.wait(wait)


def run(*, dispatch: bool = True) -> int:
    """The whole runworker process; returns its exit status (1 when the cluster died on its own)."""
    grace = settings.RUNWORKER_STOP_SECONDS
    if dispatch:  # before any worker exists, so the minute schedule's pass never starts beside this loop
        heartbeat_beat(name=LOOP_HEARTBEAT)
    db.connections.close_all()  # never share a connection with the forked Sentinel
    cluster = PressroomCluster()
    cluster.start()
    loop = None
    if dispatch and not cluster.stop_requested.is_set():
        loop = threading.Thread(target=dispatcher_loop, args=(cluster.stop_requested,), daemon=True, name="dispatcher")
        loop.start()
    crashed = False
    while not cluster.stop_requested.wait(0.5):  # signal handlers run in this (main) thread
        if cluster.sentinel is None or not cluster.sentinel.is_alive():
            log.error("runworker: the task cluster died; stopping so the process manager restarts it")
            crashed = True
            cluster.stop_requested.set()
            dispatcher.STOP.set()
    deadline = time.monotonic() + grace
    log.info("runworker: %s; stopping within %.0f s", cluster.signal_name or "stop", grace)
    clean = cluster.shutdown(deadline)
    if loop is not None:
        loop.join(max(0.0, deadline - time.monotonic()))
        if loop.is_alive():
            clean = False
            log.warning("runworker: a publish outlived the stop deadline; its post is left to the lease "
                        "(reaped and reconciled after PUBLISH_LEASE_SECONDS)")
    log.info("runworker: stopped %s", "cleanly" if clean else "at the deadline")
    logging.shutdown()
    os._exit(1 if crashed else 0)  # publish threads still waiting on Instagram must not hold the exit
