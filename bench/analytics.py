"""Analytics bench: 20 accounts, 3 years of daily account rows, 10,000 published posts with 30 snapshots each.

    .venv/bin/python bench/analytics.py [--posts 10000] [--accounts 20] [--snapshots 30] [--runs 30]

Runs on a throwaway SQLite database under a temp folder (or BENCH_DATABASE_URL, e.g. a throwaway PostgreSQL from
scripts/with_postgres.sh). Pages go through Django's full stack as a signed-in social manager:
- the analytics page for a 90-day range, all accounts (queries of one request; p50/p95 of 30);
- the best-time heatmap of one account (its default 180 days, and a year);
- the CSV of a year (about 3,300 posts), streamed, in a fresh child process that measures its own peak RSS
  before and after reading the whole response.
The last line of output is one JSON object. Budgets (issue 22): analytics ≤ 12 queries and p50 ≤ 150 ms;
heatmap p50 ≤ 100 ms; the year's CSV streams with peak RSS growth ≤ 50 MB.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where bench/calendar.py would shadow the standard
# library's `calendar` (which http.cookiejar, and so Django's test client, import).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import timedelta

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import p95, timed  # noqa: E402


def setup_django(db_url: str, tmp: Path, *, migrate: bool) -> None:
    os.environ.update(DATABASE_URL=db_url, MEDIA_ROOT=str(tmp / "media"), DJANGO_SETTINGS_MODULE="config.settings",
                      DEBUG="true",
                      ALLOWED_HOSTS="*")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def seed(n_posts: int, n_accounts: int, n_snapshots: int) -> None:
    from django.utils import timezone

    from accounts.models import InstagramAccount, Membership, User, Workspace
    from accounts.permissions import Role
    from scheduler.models import AccountDay, MediaAsset, MetricSnapshot, Post, PostMedia

    rng = random.Random(22)
    ws = Workspace.objects.create(name="Bench Brand", slug="bench", timezone="Europe/Berlin")
    user = User.objects.create_user("sam", password="x")
    Membership.objects.create(user=user, workspace=ws, role=Role.SOCIAL.value)  # the role lives on the membership
    now = timezone.now()
    accounts = InstagramAccount.objects.bulk_create(
        InstagramAccount(workspace=ws, ig_user_id=f"178422{i:011d}", username=f"brand_{i:02d}",
                         access_token="bench-token", expires_at=now + timedelta(days=60)) for i in range(n_accounts))
    today = timezone.localdate(timezone=ws.tzinfo)
    days = 3 * 365
    AccountDay.objects.bulk_create(
        (AccountDay(account=a, day=today - timedelta(days=days - d), followers_count=1000 * (k + 1) + 3 * d,
                    media_count=d // 2, reach=rng.randint(200, 2000), views=rng.randint(400, 4000),
                    accounts_engaged=rng.randint(10, 90), total_interactions=rng.randint(15, 150), fetched_at=now)
         for k, a in enumerate(accounts) for d in range(days)), batch_size=5000)
    ok = {"ok": True, "reasons": []}
    assets = MediaAsset.objects.bulk_create(
        MediaAsset(workspace=ws, file=f"workspaces/{ws.pk}/media/b{i}.jpg", thumbnail=f"workspaces/{ws.pk}/derived/b{i}-thumb.jpg",
                   original_name=f"IMG_{i}.jpg", sha256=f"{i:064x}", kind="image", mime_type="image/jpeg",
                   size_bytes=300_000, width=1080, height=1350, suitability={"feed": ok}, uploaded_by=user)
        for i in range(200))
    kinds = ["feed", "feed", "carousel", "reel", "story"]
    span = days * 86400
    posts = []
    for i in range(n_posts):
        at = now - timedelta(seconds=rng.randint(3600 * 30, span))
        posts.append(Post(workspace=ws, account=accounts[i % n_accounts], kind=kinds[i % 5], status="published",
                          caption=f"Bench post {i} — {rng.choice(['new roast', 'latte art', 'team', '=SUM(A1)'])}",
                          publish_at=at, published_at=at, author=user))
    Post.objects.bulk_create(posts, batch_size=2000)
    rows = list(Post.objects.filter(workspace=ws).values_list("pk", "published_at"))
    PostMedia.objects.bulk_create((PostMedia(post_id=pk, asset=assets[k % len(assets)], position=0)
                                   for k, (pk, _) in enumerate(rows)), batch_size=5000)

    def snapshots():  # noqa: ANN202
        for pk, at in rows:
            reach = rng.randint(100, 5000)
            for s in range(n_snapshots):
                share = (s + 1) / n_snapshots
                yield MetricSnapshot(post_id=pk, taken_at=at + timedelta(hours=2 ** (s / 3)), reach=int(reach * share),
                                     views=int(reach * 1.8 * share), likes=int(reach * 0.05 * share),
                                     comments=int(reach * 0.006 * share), saved=int(reach * 0.004 * share),
                                     shares=int(reach * 0.003 * share))

    batch = []
    for snap in snapshots():
        batch.append(snap)
        if len(batch) == 20000:
            MetricSnapshot.objects.bulk_create(batch)
            batch = []
    MetricSnapshot.objects.bulk_create(batch)


def measure(runs: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import InstagramAccount, User, Workspace

    ws = Workspace.objects.get(slug="bench")
    user = User.objects.get(username="sam")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    today = timezone.localdate(timezone=ws.tzinfo)
    out: dict = {}
    url = reverse("scheduler:analytics", kwargs={"ws": ws.slug})
    q90 = {"start": (today - timedelta(days=90)).isoformat(), "end": (today - timedelta(days=1)).isoformat()}
    client.get(url, q90)  # warm (and the session's workspace)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, q90)
    assert r.status_code == 200, r.status_code
    out["analytics_queries"] = len(ctx.captured_queries)
    out["analytics_table_rows"] = r.content.count(b"<tr data-post=")
    times = timed(lambda: client.get(url, q90), runs)
    out["analytics_90d_p50_ms"] = round(statistics.median(times), 1)
    out["analytics_90d_p95_ms"] = p95(times)
    account = InstagramAccount.objects.filter(workspace=ws).order_by("username").first()
    heat = reverse("scheduler:best_time", kwargs={"ws": ws.slug})
    client.get(heat, {"account": account.pk})
    with CaptureQueriesContext(connection) as ctx:
        client.get(heat, {"account": account.pk})
    out["heatmap_queries"] = len(ctx.captured_queries)
    times = timed(lambda: client.get(heat, {"account": account.pk}), runs)
    out["heatmap_180d_p50_ms"] = round(statistics.median(times), 1)
    qyear = {"account": account.pk, "start": (today - timedelta(days=365)).isoformat(),
             "end": (today - timedelta(days=1)).isoformat()}
    times = timed(lambda: client.get(heat, qyear), runs)
    out["heatmap_365d_p50_ms"] = round(statistics.median(times), 1)
    return out


def _rss_kb() -> int:
    """The process's resident set now (VmRSS), in kB; ru_maxrss is a lifetime high-water mark, too coarse here."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def csv_child(db_url: str, tmp: str) -> None:
    """In a fresh process: resident memory before, and its peak while streaming a year's CSV (sampled per 100 rows)."""
    setup_django(db_url, Path(tmp), migrate=False)
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User, Workspace

    ws = Workspace.objects.get(slug="bench")
    client = Client()
    client.force_login(User.objects.get(username="sam"), backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("scheduler:report_csv", kwargs={"ws": ws.slug})
    today = timezone.localdate(timezone=ws.tzinfo)
    small = client.get(url, {"start": (today - timedelta(days=2)).isoformat(), "end": today.isoformat()})
    b"".join(small.streaming_content)  # warm: imports, templates, connections
    before = _rss_kb()
    peak = before
    t = time.perf_counter()
    r = client.get(url, {"start": (today - timedelta(days=365)).isoformat(), "end": (today - timedelta(days=1)).isoformat()})
    size = lines = 0
    for chunk in r.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
        if lines % 100 == 0:
            peak = max(peak, _rss_kb())
    seconds = time.perf_counter() - t
    after = max(peak, _rss_kb())
    print(json.dumps({"csv_rows": lines - 1, "csv_mb": round(size / 1e6, 2), "csv_seconds": round(seconds, 2),
                      "csv_peak_rss_growth_mb": round((after - before) / 1024, 1),
                      "csv_rss_before_mb": round(before / 1024, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--snapshots", type=int, default=30)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--csv-child", nargs=2, metavar=("DB_URL", "TMP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.csv_child:
        csv_child(*args.csv_child)
        return
    tmp = Path(tempfile.mkdtemp(prefix="pressroom-bench-analytics-"))
    try:
        db_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
        setup_django(db_url, tmp, migrate=True)
        t = time.perf_counter()
        seed(args.posts, args.accounts, args.snapshots)
        seeded = time.perf_counter() - t
        print(f"seeded in {seeded:.1f}s", file=sys.stderr)
        figures = {"posts": args.posts, "accounts": args.accounts, "snapshots_per_post": args.snapshots,
                   "account_days": args.accounts * 3 * 365, **measure(args.runs)}
        from django.db import connections

        connections.close_all()
        child = subprocess.run([sys.executable, __file__, "--csv-child", db_url, str(tmp)], capture_output=True,
                               text=True)
        if child.returncode:
            raise SystemExit(child.stderr)
        figures.update(json.loads(child.stdout.strip().splitlines()[-1]))
        figures["db"] = "postgres" if db_url.startswith("postgres") else "sqlite"
        figures["seed_seconds"] = round(seeded, 1)
        figures["within_budget"] = (figures["analytics_queries"] <= 12 and figures["analytics_90d_p50_ms"] <= 150
                                    and figures["heatmap_180d_p50_ms"] <= 100
                                    and figures["csv_peak_rss_growth_mb"] <= 50)
        print(json.dumps(figures), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
