"""Crash drill: real task clusters publish posts through the sandbox while the drill SIGKILLs them.

    .venv/bin/python bench/drill.py                          # all three runs (SQLite, PostgreSQL, 2 clusters on PostgreSQL)
    .venv/bin/python bench/drill.py --db sqlite --clusters 1 # one run
    .venv/bin/python bench/drill.py --db postgres --clusters 2

One run: the app (gunicorn) serves the posts' media from signed URLs, the Instagram sandbox runs in this
process with a per-call latency and a few transient faults, and N `manage.py runworker` process groups (ORM
broker) publish `--posts` approved posts that fall due over `--window` seconds. At random moments (every
3–12 s) the drill SIGKILLs a whole cluster process group and starts it again, at least `--kills` times.
Then it stops killing, clears the faults and lets the clusters drain until every post is terminal or
`--drain` seconds pass.

Dispatcher runs: the `publish-dispatcher` schedule fires once a minute, and a restarted cluster only
checks schedules after 30 s — a drill that waited for it would mostly kill idle clusters. So the drill
also keeps one `scheduler.tasks.dispatch_due` per cluster queued through the ORM broker (what the
schedule does, without the wait). The engine's own recovery is untouched: a post whose holder died is
only reaped after PUBLISH_LEASE_SECONDS (20 s here) and goes through reconcile.

`--stop term-group` / `--stop term-master` replace the SIGKILLs by SIGTERM to the cluster's whole process
group / to its master alone (a graceful stop, as systemd or docker stop do): the figures then add how long
each stop took (`stop_s_max`, limit 10 s; `stops_over_limit` must be 0) — the invariants are the same.

Figures (judged by the sandbox's publish ledger): duplicates (ledger entries beyond one per post), lost
(neither published nor failed/needs-review with a reason, or recorded published but absent from the
ledger), stuck (still `publishing` at the end). Budget: 0 / 0 / 0. One JSON line per run; with no --db
the last line is {"runs": [...], totals}.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, bench/ comes first on sys.path, and bench/calendar.py would shadow the standard library's
# `calendar` (which http.cookiejar, and so the test client and requests, import): drop bench/ from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import random
import signal
import subprocess
import time
from datetime import timedelta

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    PY,
    REPO,
    BenchEnv,
    attempt_outcomes,
    emit,
    log,
    make_accounts,
    make_posts,
    outcome_figures,
    qcluster,
    reexec_with_postgres,
    web,
)

RUNS = [("sqlite", 1), ("postgres", 1), ("postgres", 2)]
TERMINAL = ("published", "failed", "needs_review", "manual", "cancelled")


class Ticker:
    """Keeps `want` dispatch_due tasks queued or running through the ORM broker."""

    def __init__(self, want: int) -> None:
        self.want = want
        self.inflight: set[str] = set()
        self.last = 0.0
        self.enqueued = 0

    def forget(self) -> None:
        # Tasks a killed cluster held stay leased by the broker for Q_RETRY (600 s): they never finish here.
        self.inflight.clear()

    def tick(self) -> None:
        from django_q.models import Task
        from django_q.tasks import async_task

        if self.inflight:
            done = set(Task.objects.filter(id__in=self.inflight).values_list("id", flat=True))
            self.inflight -= done
        if len(self.inflight) < self.want and time.monotonic() - self.last > 2.0:
            self.inflight.add(async_task("scheduler.tasks.dispatch_due", q_options={"task_name": "drill-dispatch"}))
            self.last = time.monotonic()
            self.enqueued += 1


def snapshot(post_ids: list[int], since) -> dict[str, int]:  # noqa: ANN001
    """Posts claimed since the victim (re)started and still held: what the kill cuts off mid-publish
    (with two clusters some may belong to the survivor)."""
    from scheduler.models import Post

    qs = Post.objects.filter(pk__in=post_ids, status=Post.Status.PUBLISHING, claimed_at__gte=since).exclude(claim_token="")
    return {"held": qs.count(), "after_mark": qs.filter(publish_started_at__isnull=False).count()}


def quiet_resets(sb) -> list[int]:  # noqa: ANN001
    """A client killed mid-request resets its connection; count those instead of printing tracebacks."""
    resets = [0]
    server = sb._server
    original = server.handle_error

    def handle_error(request, client_address) -> None:  # noqa: ANN001
        if isinstance(sys.exc_info()[1], ConnectionError):
            resets[0] += 1
        else:
            original(request, client_address)

    server.handle_error = handle_error
    return resets


def dispatch_outcomes() -> dict[str, int]:
    """Outcomes summed over every dispatcher run that finished (killed runs report nothing). `lost` counts
    publishers that found their claim taken over — with leases far longer than a publish, it should be 0."""
    from collections import Counter

    from django_q.models import Task

    total: Counter = Counter()
    for result in Task.objects.filter(func="scheduler.tasks.dispatch_due", success=True).values_list("result", flat=True):
        if isinstance(result, dict):
            total.update(result)
    return dict(total)


def pending(post_ids: list[int]) -> int:
    from scheduler.models import Post

    return Post.objects.filter(pk__in=post_ids).exclude(status__in=TERMINAL).count()


def run_one(args: argparse.Namespace) -> dict:
    if args.db == "postgres":
        reexec_with_postgres([str(Path(__file__).resolve()), "--db", "postgres", "--clusters", str(args.clusters),
                              *args.passthrough])
    rng = random.Random(args.seed)
    started = time.monotonic()
    env = BenchEnv(name="drill", keep=args.keep, PUBLISH_LEASE_SECONDS=args.lease, PUBLISH_BACKOFF_BASE_SECONDS=2,
                   Q_WORKERS=2, PUBLISH_CONCURRENCY=8, DISPATCH_BUDGET_SECONDS=50)
    from instagram.sandbox.testing import RunningSandbox

    groups = []
    webg = None
    try:
        with RunningSandbox({"video_processing_seconds": 0.3}) as sb:
            sb.set_latency("*", args.latency_ms)
            resets = quiet_resets(sb)
            env.configure(sb.url)
            log(f"drill: db={env.db} clusters={args.clusters} posts={args.posts} dir={env.dir}")
            webg = web(env)
            from django.utils import timezone

            workspace, accounts = make_accounts(sb, count=max(1, -(-args.posts // 20)), prefix="drill")
            first_due = timezone.now() + timedelta(seconds=4)
            times = sorted(first_due + timedelta(seconds=rng.uniform(0, args.window)) for _ in range(args.posts))
            post_ids = make_posts(workspace, accounts, times, caption_prefix=f"drill-{env.dir.name}")
            # Transient trouble on top of the kills: a failed container (retried), a failed publish after the
            # mark (reconciled: FINISHED → publish the same container), a publish whose answer is lost
            # (reconciled: PUBLISHED → recorded, media id found in /media).
            sb.inject_fault("create_container", code=2, is_transient=True, probability=0.03)
            sb.inject_fault("media_publish", code=1, is_transient=True, probability=0.03)
            sb.inject_fault("media_publish", http_status=502, phase="after", probability=0.03)

            groups = [qcluster(env, f"qcluster{i}").start() for i in range(args.clusters)]
            ticker = Ticker(args.clusters)
            kills = [0] * args.clusters
            kill_log: list[dict] = []
            stop_times: list[float] = []
            min_each = args.kills  # every cluster is killed and restarted at least this often
            last_due = time.monotonic() + (times[-1] - timezone.now()).total_seconds()
            next_kill = time.monotonic() + rng.uniform(3, 12)
            while min(kills) < min_each or sum(kills) < args.kills or time.monotonic() < last_due + 2:
                ticker.tick()
                if time.monotonic() >= next_kill:
                    victims = list(range(args.clusters))
                    if args.clusters > 1 and rng.random() > 0.3:
                        victims = [min(victims, key=lambda i: (kills[i], rng.random()))]
                    seen = snapshot(post_ids, min(groups[i].started_wall for i in victims))
                    for i in victims:
                        if args.stop == "kill":
                            groups[i].kill()
                        else:
                            stop_times.append(groups[i].terminate(signal.SIGTERM, group=args.stop == "term-group"))
                        kills[i] += 1
                    ticker.forget()
                    after = snapshot(post_ids, min(groups[i].started_wall for i in victims)) if args.stop != "kill" else {}
                    kill_log.append({"t": round(time.monotonic() - started, 1), "clusters": victims, **seen,
                                     "held_after_stop": after.get("held", 0)})
                    log(f"{'SIGKILL' if args.stop == 'kill' else args.stop} {victims} (kills {kills}); posts held {seen['held']}, after the mark {seen['after_mark']}; "
                        f"pending {pending(post_ids)}")
                    time.sleep(rng.uniform(0.2, 1.5))
                    for i in victims:
                        groups[i].start()
                    next_kill = time.monotonic() + rng.uniform(3, 12)
                time.sleep(0.25)

            fault_hits = sum(int(f.get("hits", 0)) for f in sb.control("GET", "faults")["data"])
            sb.clear_faults()
            drain_start = time.monotonic()
            log(f"kills done; draining (lease {args.lease}s), pending {pending(post_ids)}")
            while pending(post_ids) and time.monotonic() - drain_start < args.drain:
                ticker.tick()
                time.sleep(1.0)
            drain_s = time.monotonic() - drain_start
            for g in groups:
                g.stop()
            ledger = sb.ledger()
            figures = outcome_figures(post_ids, ledger)
            attempts = attempt_outcomes(post_ids)
            runs = dispatch_outcomes()
            result = {
                "posts": len(post_ids), "kills": sum(kills), "kills_per_cluster": kills, "duplicates": figures["duplicates"],
                "lost": figures["lost"], "stuck": figures["stuck"], "db": env.db, "clusters": args.clusters,
                "published": figures["published"], "failed": figures["failed"], "needs_review": figures["needs_review"],
                "unrecorded": figures["unrecorded"], "interrupted_attempts": attempts.get("running", 0),
                "reconciled": attempts.get("reconciled", 0), "retries": attempts.get("retry", 0),
                "claims_taken_over": runs.get("lost", 0),
                "kills_while_holding": sum(1 for k in kill_log if k["held"]),
                "kills_after_mark": sum(1 for k in kill_log if k["after_mark"]),
                "faults_hit": fault_hits, "connections_reset": resets[0], "latency_ms": args.latency_ms, "lease_s": args.lease,
                "drain_s": round(drain_s, 1), "wall_s": round(time.monotonic() - started, 1), "stop": args.stop,
            }
            if stop_times:
                # posts a stopped cluster still held when it was gone: left to the lease (1 cluster: all its own)
                result["held_after_stop"] = sum(k["held_after_stop"] for k in kill_log)
                result["stop_s_max"] = round(max(stop_times), 2)
                result["stop_s_p50"] = round(sorted(stop_times)[len(stop_times) // 2], 2)
                result["stops_over_limit"] = sum(1 for t in stop_times if t > 10)
            result["ok"] = (result["duplicates"] == 0 and result["lost"] == 0 and result["stuck"] == 0
                            and not result.get("stops_over_limit"))
            return result
    finally:
        for g in groups:
            g.stop(grace=1)
        if webg:
            webg.stop(grace=1)
        env.cleanup()


def run_all(args: argparse.Namespace) -> None:
    runs = []
    for db, clusters in RUNS:
        cmd = [PY, str(Path(__file__).resolve()), "--db", db, "--clusters", str(clusters), *args.passthrough]
        proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode != 0 or not lines:
            run = {"db": db, "clusters": clusters, "error": f"exit {proc.returncode}", "ok": False}
        else:
            run = json.loads(lines[-1])
        emit(run)
        runs.append(run)
    total = {k: sum(r.get(k, 0) for r in runs) for k in ("posts", "kills", "duplicates", "lost", "stuck")}
    emit({"runs": runs, **total, "ok": all(r.get("ok") for r in runs)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], help="one run on this database (default: all three runs)")
    parser.add_argument("--clusters", type=int, default=1)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--kills", type=int, default=5, help="at least this many SIGKILLs")
    parser.add_argument("--window", type=float, default=45.0, help="posts fall due over this many seconds")
    parser.add_argument("--latency-ms", type=float, default=150.0, help="sandbox latency per Graph call")
    parser.add_argument("--lease", type=int, default=20, help="PUBLISH_LEASE_SECONDS for the clusters")
    parser.add_argument("--drain", type=float, default=150.0, help="seconds to wait for every post to be terminal")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--stop", choices=["kill", "term-group", "term-master"], default="kill",
                        help="how clusters are stopped: SIGKILL of the group, or SIGTERM to the group / the master")
    parser.add_argument("--keep", action="store_true", help="keep the run's temp dir (logs, SQLite file)")
    args = parser.parse_args()
    args.passthrough = []
    for name in ("posts", "kills", "window", "latency_ms", "lease", "drain", "seed", "stop"):
        value = getattr(args, name)
        if value is not None:
            args.passthrough += [f"--{name.replace('_', '-')}", str(value)]
    if args.keep:
        args.passthrough.append("--keep")
    if args.db is None:
        run_all(args)
    else:
        emit(run_one(args))


if __name__ == "__main__":
    main()
