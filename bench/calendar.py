"""Calendar bench: 5,000 posts (50 of them recurring series) across 20 accounts in one workspace.

    .venv/bin/python bench/calendar.py            # both sizes (issue 25): 5,000/50/20 and 50,000/200/50
    .venv/bin/python bench/calendar.py --posts 5000 --series 50 --accounts 20 [--runs 30]   # one size

Runs on a throwaway SQLite database under a temp folder (or BENCH_DATABASE_URL, e.g. a throwaway PostgreSQL from
scripts/with_postgres.sh, emptied before each size:
`bash scripts/with_postgres.sh sh -c 'BENCH_DATABASE_URL=$DATABASE_URL .venv/bin/python bench/calendar.py'`). Every page is requested through Django's full stack (middleware, session, policy,
templates) as a signed-in social manager: the month, week and agenda views of the current date, and the
workspace's iCalendar feed at its secret token URL (ical.PAST_DAYS back, FUTURE_DAYS ahead, series expanded:
cold, streamed, and the 304 an unchanged feed gets). Posts are spread
over a year around today (about 14 a day); the series repeat weekly or on weekdays. The last line of output is
one JSON object:

    {"posts", "accounts", "month_queries", "week_queries", "agenda_queries", "month_p50_ms", "month_p95_ms",
     "week_p50_ms", "ics_p50_ms", ...}

With both sizes, one line per size, then the last line {"5k": {...}, "50k": {...}, "<view>_ratio": 50k ÷ 5k p50,
"within_budget"} against BUDGETS below (issue 25).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow the standard library's
# `calendar` (which http.cookiejar, and so Django's test client, import).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import timedelta  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import django_in_process, p95, timed  # noqa: E402


def seed(n_posts: int, n_series: int, n_accounts: int):  # noqa: ANN201
    from django.utils import timezone

    from accounts.models import InstagramAccount, Membership, User, Workspace
    from accounts.permissions import Role
    from django.db.models import F

    from scheduler.models import MediaAsset, Post, PostingSlot, PostMedia

    rng = random.Random(11)
    ws = Workspace.objects.create(name="Bench Brand", slug="bench", timezone="Europe/Berlin")
    user = User.objects.create_user("sam", password="x")
    Membership.objects.create(user=user, workspace=ws, role=Role.SOCIAL.value)
    authors = [user]
    for name in ("kim", "lee"):
        u = User.objects.create_user(name, password="x")
        Membership.objects.create(user=u, workspace=ws, role=Role.SOCIAL.value)
        authors.append(u)
    now = timezone.now()
    accounts = InstagramAccount.objects.bulk_create(
        InstagramAccount(workspace=ws, ig_user_id=f"178414{i:011d}", username=f"brand_{i:02d}",
                         access_token="bench-token", expires_at=now + timedelta(days=60),
                         status="reconnect" if i == 7 else "active")
        for i in range(n_accounts))
    PostingSlot.objects.bulk_create(
        PostingSlot(account=a, weekday=d, time=t) for a in accounts for d in range(5)
        for t in (timezone.datetime(2000, 1, 1, 9, 0).time(), timezone.datetime(2000, 1, 1, 17, 30).time()))
    ok = {"ok": True, "reasons": []}
    assets = MediaAsset.objects.bulk_create(
        MediaAsset(workspace=ws, file=f"workspaces/{ws.pk}/media/{uuid.uuid4().hex}.jpg",
                   thumbnail=f"workspaces/{ws.pk}/derived/{uuid.uuid4().hex}-thumb.jpg", original_name=f"IMG_{i}.jpg",
                   sha256=f"{i:064x}", kind="image", mime_type="image/jpeg", size_bytes=300_000, width=1080,
                   height=1350, suitability={"feed": ok, "carousel": ok, "story": ok, "reel": ok}, uploaded_by=user)
        for i in range(300))
    statuses_past = ["published"] * 12 + ["failed", "cancelled", "manual"]
    statuses_future = ["approved"] * 6 + ["draft", "draft", "in_review", "in_review", "manual"]
    kinds = ["feed", "feed", "carousel", "reel", "story"]
    posts = []
    series_every = max(1, n_posts // max(1, n_series))
    for i in range(n_posts):
        at = now + timedelta(seconds=rng.randint(-180 * 86400, 185 * 86400))
        at = at.replace(minute=rng.choice([0, 15, 30, 45]), second=0, microsecond=0)
        future = at > now
        is_series = i % series_every == 0 and i // series_every < n_series
        if is_series:
            at = now + timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 12))
            at = at.replace(minute=0, second=0, microsecond=0)
            future = True
        posts.append(Post(
            workspace=ws, account=accounts[i % n_accounts], kind=kinds[i % len(kinds)],
            caption=f"Bench post {i} — {rng.choice(['new roast', 'latte art', 'team', 'event', 'menu'])} #coffee",
            publish_at=at, status=rng.choice(statuses_future if future else statuses_past),
            rrule=rng.choice(["FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=DAILY;COUNT=60"]) if is_series else "",
            occurrence_at=at if is_series else None, author=authors[i % 3],
            deferred_reason="Daily cap reached" if i % 97 == 0 else "",
            published_at=at if not future else None))
    Post.objects.bulk_create(posts, batch_size=1000)
    # A year of history was written over that year, not in the seed's few seconds (bulk_create stamps every post
    # "now"): a past post was last written 6 hours before it went out, a future one between 5 and 190 days ago. The
    # feed's ETag reads the posts written within minutes of the newest write (scheduler/ical.py); the seconds-old
    # bulk write is measured apart below ("ics_304_after_bulk_write_p50_ms").
    Post.objects.filter(workspace=ws, publish_at__lte=now).update(updated_at=F("publish_at") - timedelta(hours=6))
    Post.objects.filter(workspace=ws, publish_at__gt=now).update(updated_at=F("publish_at") - timedelta(days=190))
    ids = list(Post.objects.filter(workspace=ws).values_list("pk", flat=True))
    PostMedia.objects.bulk_create((PostMedia(post_id=pk, asset=assets[k % len(assets)], position=0)
                                   for k, pk in enumerate(ids)), batch_size=2000)
    return ws, user, sum(1 for p in posts if p.rrule)


def measure(ws, user, runs: int) -> dict:  # noqa: ANN001
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from scheduler.services.calendar import feed_token_get_or_create

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("scheduler:calendar", kwargs={"ws": ws.slug})
    out: dict = {}
    for view in ("month", "week", "agenda"):
        client.get(url, {"view": view})  # warm
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url, {"view": view})
        assert r.status_code == 200, r.status_code
        out[f"{view}_cards"] = r.content.count(b'class="cal-card ')
        out[f"{view}_queries"] = len(ctx.captured_queries)
        times = timed(lambda v=view: client.get(url, {"view": v}), runs)
        out[f"{view}_p50_ms"] = round(statistics.median(times), 1)
        out[f"{view}_p95_ms"] = p95(times)
    out["agenda_page_cards"] = out.pop("agenda_cards")
    token = feed_token_get_or_create(user=user, workspace=ws)
    feed = reverse("scheduler:calendar_feed", kwargs={"token": token.token})
    anon = Client()

    def body(r) -> int:  # noqa: ANN001
        size = 0
        for chunk in r.streaming_content:
            size += len(chunk)
        return size

    first = anon.get(feed)
    assert first.status_code == 200 and first.streaming
    data = b"".join(first.streaming_content)
    out["ics_events"] = data.count(b"BEGIN:VEVENT")
    out["ics_kb"] = round(len(data) / 1024)
    del data
    with CaptureQueriesContext(connection) as ctx:
        body(anon.get(feed))
    out["ics_queries"] = len(ctx.captured_queries)
    # Cold: no If-None-Match, the whole feed rendered and streamed (read chunk by chunk, never held whole).
    times = timed(lambda: body(anon.get(feed)), max(5, runs // 3))
    out["ics_cold_p50_ms"] = round(statistics.median(times), 1)
    # Peak RSS growth while streaming: reset the high-water mark (Linux), stream once, compare.
    out["ics_stream_rss_growth_mb"] = rss_growth(lambda: body(anon.get(feed)))
    # The same as Python sees it: the peak of traced allocations while one feed streams (the whole body is ~9 MB).
    import tracemalloc

    tracemalloc.start()
    body(anon.get(feed))
    out["ics_stream_py_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()
    # A calendar app polling an unchanged feed: its ETag back in If-None-Match, 304 without rendering.
    tag = anon.get(feed)["ETag"]
    with CaptureQueriesContext(connection) as ctx:
        r = anon.get(feed, HTTP_IF_NONE_MATCH=tag)
    assert r.status_code == 304, r.status_code
    out["ics_304_queries"] = len(ctx.captured_queries)
    times = timed(lambda: anon.get(feed, HTTP_IF_NONE_MATCH=tag), runs)
    out["ics_304_p50_ms"] = round(statistics.median(times), 1)
    # Just after a bulk write (an import: every post written within minutes) the ETag sums the whole window instead.
    from scheduler import ical

    recent_rows, ical.RECENT_ROWS = ical.RECENT_ROWS, -1
    try:
        tag = anon.get(feed)["ETag"]
        times = timed(lambda: anon.get(feed, HTTP_IF_NONE_MATCH=tag), runs)
        out["ics_304_after_bulk_write_p50_ms"] = round(statistics.median(times), 1)
    finally:
        ical.RECENT_ROWS = recent_rows
    return out


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_growth(fn) -> float | None:  # noqa: ANN001
    """MB the resident set's peak grew by while `fn` ran (Linux: VmHWM reset through /proc/self/clear_refs)."""
    import gc

    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return None
    before = _status_kb("VmRSS")
    fn()
    return round((_status_kb("VmHWM") - before) / 1024, 1)


SIZES = ((5000, 50, 20), (50000, 200, 50))
VIEWS = ("month", "week", "agenda")
# Issue 25, at 50,000 posts: ≤ 10 queries and p50 ≤ 60 ms per view (50k ÷ 5k ≤ 1.3), iCal cold p50 ≤ 300 ms with
# peak RSS growth ≤ 30 MB while streaming, a 304 for an unchanged feed ≤ 10 ms.
BUDGETS = {"month_queries": 10, "week_queries": 10, "agenda_queries": 10, "month_p50_ms": 60, "week_p50_ms": 60,
           "agenda_p50_ms": 60, "ics_cold_p50_ms": 300, "ics_stream_rss_growth_mb": 30, "ics_304_p50_ms": 10}


def one(args: argparse.Namespace) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="pressroom-bench-calendar-"))
    try:
        db_url = django_in_process(tmp)
        if os.environ.get("BENCH_DATABASE_URL"):  # both sizes share one throwaway database: start each from empty
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
        t = time.perf_counter()
        ws, user, n_series = seed(args.posts, args.series, args.accounts)
        seeded = time.perf_counter() - t
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        figures = {"posts": args.posts, "series": n_series, "accounts": args.accounts, **measure(ws, user, args.runs)}
        figures.update(db=db_url.split(":", 1)[0], seed_seconds=round(seeded, 1))
        return figures
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=0, help="one size only (default: both sizes of issue 25)")
    parser.add_argument("--series", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if args.posts:
        print(json.dumps(one(args)))
        return
    # Both sizes, each in a fresh process and database (so the peak RSS of one does not hide the other's).
    import subprocess

    results = []
    for posts, series, accounts in SIZES:
        cmd = [sys.executable, __file__, "--posts", str(posts), "--series", str(series), "--accounts", str(accounts),
               "--runs", str(args.runs)]
        line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        results.append(json.loads(line))
        print(line, flush=True)
    small, big = results
    ratios = {f"{v}_ratio": round(big[f"{v}_p50_ms"] / small[f"{v}_p50_ms"], 2) for v in VIEWS}
    ratios["ics_cold_ratio"] = round(big["ics_cold_p50_ms"] / small["ics_cold_p50_ms"], 2)
    within = all(big[k] is not None and big[k] <= v for k, v in BUDGETS.items()) and all(
        ratios[f"{v}_ratio"] <= 1.3 for v in VIEWS)
    print(json.dumps({"5k": small, "50k": big, **ratios, "within_budget": within}))


if __name__ == "__main__":
    main()
