"""Scale-out bench: publishing throughput with 1, 2 and 4 task clusters sharing one PostgreSQL (ORM broker).

    .venv/bin/python bench/scale.py                       # 4,000 posts over 200 accounts, clusters 1 2 4
    .venv/bin/python bench/scale.py --posts 2000 --clusters 1 2

Always on PostgreSQL (re-runs itself inside scripts/with_postgres.sh). Set-up per cluster count: `--accounts`
fresh sandbox accounts with `--posts` ÷ accounts posts each (20: under the daily cap and Instagram's 100/24 h),
the app (gunicorn) serving the images from signed URLs (the sandbox downloads each, as Instagram does), a
sandbox latency of `--latency-ms` on every Graph call, and N `manage.py runworker` clusters (each: a django-q2
cluster with one worker and its dispatcher loop with PUBLISH_CONCURRENCY = 8 threads). Once every cluster is
up, all posts become due in one UPDATE; the run ends when every post is published.

Figures per cluster count:
- posts_per_s = posts ÷ (last published_at − the moment they fell due);
- bound_s = Graph calls of the publish path × latency ÷ (8 × N) — the time the calls alone take with that
  many threads — and ratio = wall_s ÷ bound_s (calls the clusters' periodic jobs make meanwhile, e.g. metrics,
  are listed apart in other_graph_calls: they are not made by the publish threads);
- due_to_published p50/p95 (everything falls due at once, so this is the drain time of the backlog);
- duplicates and lost, judged by the sandbox's publish ledger (budget 0);
- xact_per_post: PostgreSQL's xact_commit delta (pg_stat_database, this database) ÷ published posts, minus
  this bench's own polling queries;
- where the time went: CPU seconds of the clusters, the web server, the sandbox (this process), PostgreSQL
  (cpu_s, and per published post: cpu_ms_per_post), cpu_floor_s = their sum ÷ the machine's cores (the
  shortest wall time this machine could give that CPU work, to hold against bound_s), and the machine's load
  average (it is a shared 2-core machine).
One JSON line per cluster count, then {"runs": [...], ...}.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, bench/ comes first on sys.path, and bench/calendar.py would shadow the standard library's
# `calendar`: drop bench/ from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import os
import time
from datetime import timedelta

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
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


# The endpoints a publish can call (docs/publishing.md): quota, containers, container status, publish,
# permalink, first comment, and the recent media a reconcile reads.
PUBLISH_PATH = {"content_publishing_limit", "create_container", "container_status", "media_publish", "get_media",
                "post_comment", "list_media"}


def xact_commit() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def pg_stat_flush() -> None:
    """pg_stat counters are flushed by backends at most once a second (PG 15): wait for them to settle."""
    time.sleep(1.5)


def tree_cpu(pid: int) -> float:
    import psutil

    total = 0.0
    try:
        root = psutil.Process(pid)
        for p in [root, *root.children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def postgres_cpu(port: int) -> float:
    import psutil

    for p in psutil.process_iter(["cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if "postgres" in cmd and f"-p {port}" in cmd:
            return tree_cpu(p.pid)
    return 0.0


def one_run(args, env, sb, clusters: int, webg) -> dict:  # noqa: ANN001
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from scheduler.models import Post

    prefix = f"scale{clusters}"
    workspace, accounts = make_accounts(sb, count=args.accounts, prefix=prefix, workspace_slug=prefix)
    later = timezone.now() + timedelta(days=3)
    post_ids = make_posts(workspace, accounts, [later] * args.posts, caption_prefix=f"{prefix}-{env.dir.name}")
    groups = [qcluster(env, f"{prefix}-runworker{i}").start() for i in range(clusters)]
    try:
        import psutil

        for g in groups:  # every cluster up (master, Sentinel, worker, monitor, pusher) before anything falls due
            deadline = time.monotonic() + 60
            while len(psutil.Process(g.proc.pid).children(recursive=True)) < 4:
                if time.monotonic() > deadline or not g.alive:
                    raise RuntimeError(f"{g.name} did not start; see {env.logs}")
                time.sleep(0.2)
        time.sleep(2)
        pg_port = int(env.database_url.rsplit(":", 1)[1].split("/")[0])
        cpu0 = {"clusters": sum(tree_cpu(g.proc.pid) for g in groups), "web": tree_cpu(webg.proc.pid),
                "sandbox": time.process_time(), "postgres": postgres_cpu(pg_port)}
        calls0 = sb.calls()["by_endpoint"]
        pg_stat_flush()
        x0 = xact_commit()
        due = timezone.now()
        Post.objects.filter(pk__in=post_ids).update(publish_at=due)
        log(f"{clusters} cluster(s): {len(post_ids)} posts due now over {len(accounts)} accounts")
        polls = 1
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            polls += 1
            left = Post.objects.filter(pk__in=post_ids).exclude(status=Post.Status.PUBLISHED).count()
            if not left:
                break
            time.sleep(1.0)
        connection.close()
        pg_stat_flush()
        x1 = xact_commit()
        cpu = {"clusters": sum(tree_cpu(g.proc.pid) for g in groups) - cpu0["clusters"],
               "web": tree_cpu(webg.proc.pid) - cpu0["web"], "sandbox": time.process_time() - cpu0["sandbox"],
               "postgres": postgres_cpu(pg_port) - cpu0["postgres"]}
        by_endpoint = {k: n - calls0.get(k, 0) for k, n in sb.calls()["by_endpoint"].items() if n - calls0.get(k, 0)}
        # The bound counts the publish threads' calls only: the clusters' django-q2 worker also runs the periodic
        # jobs (metrics, token checks …), whose calls do not wait in the publish threads.
        calls = sum(n for k, n in by_endpoint.items() if k in PUBLISH_PATH)
        load = os.getloadavg()
        stop_s = max(g.terminate() for g in groups)
    finally:
        for g in groups:
            g.stop(grace=1)
    rows = list(Post.objects.filter(pk__in=post_ids, status=Post.Status.PUBLISHED).values_list("published_at", flat=True))
    last = Post.objects.filter(pk__in=post_ids).aggregate(m=Max("published_at"))["m"]
    wall = (last - due).total_seconds() if last else float("nan")
    delays = [(p - due).total_seconds() for p in rows]
    bound = calls * args.latency_ms / 1000 / (args.workers * clusters)
    figures = outcome_figures(post_ids, sb.ledger())
    published = figures["published"]
    own_queries = polls + 2  # this bench's count() polls and the two xact reads: one transaction each
    result = {
        "clusters": clusters, "posts": len(post_ids), "accounts": len(accounts), "threads_per_cluster": args.workers,
        "latency_ms": args.latency_ms, "wall_s": round(wall, 1), "posts_per_s": round(published / wall, 1) if wall else None,
        "bound_s": round(bound, 1), "ratio": round(wall / bound, 3) if bound else None,
        "due_to_published_p50_s": round(percentile(delays, 50) or 0, 1),
        "due_to_published_p95_s": round(percentile(delays, 95) or 0, 1),
        "duplicates": figures["duplicates"], "lost": figures["lost"], "stuck": figures["stuck"], "published": published,
        "graph_calls": calls, "calls_per_post": round(calls / max(1, published), 2),
        "other_graph_calls": {k: n for k, n in by_endpoint.items() if k not in PUBLISH_PATH},
        "xact_per_post": round((x1 - x0 - own_queries) / max(1, published), 1),
        "cpu_s": {k: round(v, 1) for k, v in cpu.items()},
        "cpu_ms_per_post": {k: round(v * 1000 / max(1, published), 1) for k, v in cpu.items()},
        # The CPU work alone, spread perfectly over this machine's cores: when it nears bound_s, the cores (not
        # the design) set the wall time.
        "cpu_floor_s": round(sum(cpu.values()) / (os.cpu_count() or 1), 1),
        "cpu_share_of_machine": round(sum(cpu.values()) / (wall * (os.cpu_count() or 1)), 2) if wall else None,
        "loadavg_1m_at_end": round(load[0], 2), "cpus": os.cpu_count(), "stop_s": round(stop_s, 1),
    }
    log(f"{clusters} cluster(s): {result['posts_per_s']} posts/s, ratio {result['ratio']}, cpu {result['cpu_s']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=4000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--clusters", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--workers", type=int, default=8, help="PUBLISH_CONCURRENCY of each cluster")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up on a run after this many seconds")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    reexec_with_postgres(sys.argv)
    env = BenchEnv(name="scale", keep=args.keep, PUBLISH_CONCURRENCY=args.workers, Q_WORKERS=1,
                   DISPATCH_BUDGET_SECONDS=50)
    from instagram.sandbox.testing import RunningSandbox

    webg = None
    runs = []
    try:
        # A short usage window with a large budget: the bench measures our throughput, not Meta's rate
        # limit, and the sandbox's per-call window scan stays cheap.
        with RunningSandbox({"video_processing_seconds": 0.3, "usage_window_seconds": 5,
                             "app_call_budget": 1_000_000}) as sb:
            sb.set_latency("*", args.latency_ms)
            env.configure(sb.url)
            log(f"scale: db={env.db} posts={args.posts} accounts={args.accounts} clusters={args.clusters} dir={env.dir}")
            webg = web(env)
            for clusters in args.clusters:
                run = one_run(args, env, sb, clusters, webg)
                emit(run)
                runs.append(run)
    finally:
        if webg:
            webg.stop(grace=1)
        env.cleanup()
    ok12 = all(r["ratio"] is not None and r["ratio"] <= 1.15 for r in runs if r["clusters"] <= 2)
    rates = [r["posts_per_s"] or 0 for r in sorted(runs, key=lambda r: r["clusters"])]
    emit({"runs": runs, "throughput_grows": all(b > a for a, b in zip(rates, rates[1:], strict=False)),
          "ratio_ok_at_1_and_2": ok12, "duplicates": sum(r["duplicates"] for r in runs),
          "lost": sum(r["lost"] for r in runs), "shared_machine_cpus": os.cpu_count()})


if __name__ == "__main__":
    main()
