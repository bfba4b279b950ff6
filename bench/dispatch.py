"""Dispatch bench: how close publishing gets to the Graph API's own latency, and how soon a due post goes out.

    .venv/bin/python bench/dispatch.py                  # SQLite (the default database)
    .venv/bin/python bench/dispatch.py --db postgres    # inside a throwaway PostgreSQL 15

Set-up: 50 connected sandbox accounts, the app (gunicorn) serving every post's image from a signed URL
(the sandbox downloads it, as Instagram does), and a sandbox latency of 100 ms on every Graph call.

1. Due → published on an idle cluster: one real `manage.py runworker` (its dispatcher loop, and the every-minute
   `publish-dispatcher` schedule, default settings) and `--due-posts` posts that fall due at spread-out
   moments over `--due-window` seconds; figure: published_at − publish_at, p50 and p95.
2. Throughput: 1,000 image posts (20 per account) all due at once, published by one dispatcher run
   (`dispatch_run`, PUBLISH_CONCURRENCY threads) in its own process. The Graph calls it made are counted
   by the sandbox itself; bound_s = calls × latency ÷ workers (the time the calls alone take with that
   many threads); ratio = wall_s ÷ bound_s.

Budgets: ratio ≤ 1.3, 0 duplicates (sandbox ledger), 0 lost, p95 ≤ 60 s. The last stdout line is the JSON.
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
import subprocess
import time
from datetime import timedelta

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    PY,
    REPO,
    BenchEnv,
    emit,
    log,
    make_accounts,
    make_posts,
    outcome_figures,
    percentile,
    qcluster,
    reexec_with_postgres,
    web,
)


def run_dispatcher(workers: int) -> None:
    """Child process: one dispatcher run until nothing is due; prints its own wall time."""
    import django

    django.setup()
    from scheduler.engine.dispatcher import dispatch_run

    started, cpu = time.monotonic(), time.process_time()
    outcomes = dispatch_run(budget_seconds=900, concurrency=workers)
    print(json.dumps({"wall_s": time.monotonic() - started, "cpu_s": time.process_time() - cpu, "outcomes": outcomes}),
          flush=True)


def sandbox_calls(sb) -> int:  # noqa: ANN001
    """Graph API calls the sandbox has answered (its own per-call record behind X-App-Usage; CDN and
    /_control/ requests are not in it)."""
    with sb.sandbox.lock:
        return len(sb.sandbox._calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--workers", type=int, default=8, help="PUBLISH_CONCURRENCY (threads of the dispatcher run)")
    parser.add_argument("--due-posts", type=int, default=30)
    parser.add_argument("--due-window", type=float, default=75.0)
    parser.add_argument("--due-spacing", type=float, default=0.0,
                        help="instead of random times in the window, one post every this many seconds (+0–10 s)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--run-dispatcher", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_dispatcher:
        run_dispatcher(args.workers)
        return
    if args.db == "postgres":
        reexec_with_postgres(sys.argv)
    emit(bench(args))


def due_phase(args, env, rng, workspace, accounts) -> tuple[list[float], list[int]]:  # noqa: ANN001
    """A real qcluster (schedule only, default settings) on an otherwise idle system; posts fall due at
    spread-out moments; returns published_at − publish_at of each post, and the posts."""
    from django.utils import timezone

    from scheduler.models import Post

    cluster = qcluster(env).start()
    try:
        start = timezone.now()
        if args.due_spacing:  # isolated posts: each one falls due when no other is near
            offsets = [35 + i * args.due_spacing + rng.uniform(0, 10) for i in range(args.due_posts)]
        else:
            offsets = [35 + rng.uniform(0, args.due_window) for _ in range(args.due_posts)]
        due_times = sorted(start + timedelta(seconds=o) for o in offsets)
        due_ids = make_posts(workspace, accounts, due_times, caption_prefix=f"due-{env.dir.name}")
        last = (due_times[-1] - start).total_seconds()
        log(f"phase 1: {len(due_ids)} posts due between +35 s and +{last:.0f} s on an idle cluster")
        deadline = time.monotonic() + last + 120
        while time.monotonic() < deadline:
            if not Post.objects.filter(pk__in=due_ids).exclude(status=Post.Status.PUBLISHED).exists():
                break
            time.sleep(1.0)
    finally:
        cluster.stop()
    rows = Post.objects.filter(pk__in=due_ids, status=Post.Status.PUBLISHED).values_list("publish_at", "published_at")
    delays = [(published - due).total_seconds() for due, published in rows]
    log(f"phase 1: {len(delays)}/{len(due_ids)} published; delays p50 {percentile(delays, 50)} p95 {percentile(delays, 95)}")
    return delays, due_ids


def bench(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    env = BenchEnv(name="dispatch", keep=args.keep, PUBLISH_CONCURRENCY=args.workers)
    from instagram.sandbox.testing import RunningSandbox

    webg = None
    try:
        with RunningSandbox({"video_processing_seconds": 0.3}) as sb:
            sb.set_latency("*", args.latency_ms)
            env.configure(sb.url)
            log(f"dispatch: db={env.db} posts={args.posts} accounts={args.accounts} dir={env.dir}")
            webg = web(env)
            from django.utils import timezone

            from scheduler.models import Post

            workspace, accounts = make_accounts(sb, count=args.accounts, prefix="dispatch")
            later = timezone.now() + timedelta(days=7)  # not due until phase 2
            bulk_ids = make_posts(workspace, accounts, [later] * args.posts, caption_prefix=f"bulk-{env.dir.name}")

            # --- 1. due → published on an idle cluster ------------------------------------------------------
            delays: list[float] = []
            due_ids: list[int] = []
            if args.due_posts:
                delays, due_ids = due_phase(args, env, rng, workspace, accounts)

            # --- 2. throughput: everything due at once, one dispatcher run ---------------------------------
            Post.objects.filter(pk__in=bulk_ids).update(publish_at=timezone.now() - timedelta(seconds=1))
            calls_before, cpu_before = sandbox_calls(sb), time.process_time()
            log(f"phase 2: {len(bulk_ids)} posts due now; dispatcher with {args.workers} threads")
            child = subprocess.run([PY, str(Path(__file__).resolve()), "--run-dispatcher", "--workers", str(args.workers)],
                                   cwd=REPO, env=env.env, stdout=subprocess.PIPE, text=True, check=True)
            run = json.loads(child.stdout.strip().splitlines()[-1])
            calls = sandbox_calls(sb) - calls_before
            sandbox_cpu = time.process_time() - cpu_before  # this process is (almost only) the sandbox now
            wall = run["wall_s"]
            bound = calls * args.latency_ms / 1000 / args.workers
            log(f"phase 2: {run['outcomes']} in {wall:.1f}s, {calls} Graph calls, bound {bound:.1f}s")

            ledger = sb.ledger()
            figures = outcome_figures(bulk_ids + due_ids, ledger)
            p50, p95 = percentile(delays, 50), percentile(delays, 95)
            result = {
                "posts": len(bulk_ids), "accounts": len(accounts), "latency_ms": args.latency_ms,
                "workers": args.workers, "wall_s": round(wall, 1), "bound_s": round(bound, 1),
                "ratio": round(wall / bound, 3) if bound else None,
                "duplicates": figures["duplicates"], "lost": figures["lost"],
                "due_to_published_p50_s": None if p50 is None else round(p50, 1),
                "due_to_published_p95_s": None if p95 is None else round(p95, 1),
                "db": env.db, "graph_calls": calls, "calls_per_post": round(calls / max(1, len(bulk_ids)), 2),
                "published": figures["published"], "stuck": figures["stuck"], "failed": figures["failed"],
                "outcomes": run["outcomes"], "dispatcher_cpu_s": round(run["cpu_s"], 1),
                "sandbox_cpu_s": round(sandbox_cpu, 1), "due_posts": len(due_ids),
                "due_to_published_max_s": round(max(delays), 1) if delays else None,
            }
            result["ok"] = bool(
                result["ratio"] is not None and result["ratio"] <= 1.3 and not figures["duplicates"]
                and not figures["lost"] and not figures["stuck"]
                and (not args.due_posts or (p95 is not None and p95 <= 60 and len(delays) == len(due_ids)))
            )
            return result
    finally:
        if webg:
            webg.stop(grace=1)
        env.cleanup()


if __name__ == "__main__":
    main()
