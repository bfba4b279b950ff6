"""Grid planner bench: one account with 2,000 live posts (its own archive, 500 of them also in the publish history)
and 300 planned posts, plus 40 drafts for the rail.

    .venv/bin/python bench/grid.py [--live 2000] [--planned 300] [--runs 30]

Runs on a throwaway SQLite database under a temp folder (or BENCH_DATABASE_URL, e.g. a throwaway PostgreSQL from
scripts/with_postgres.sh). Pages go through Django's full stack (middleware, session, policy, templates) as a
signed-in social manager: the account's grid (first 60 tiles, page 1) and page 5, and the swap round-trip between
two planned posts, alternating: the one request a drop sends (static/js/grid.js, `X-Grid: 1`), answered with the
tiles it changed, which the page puts in place without another request. The last line of output is one JSON object:

    {"live", "planned", "grid_queries", "grid_tiles", "grid_p50_ms", "grid_p95_ms", "page5_p50_ms",
     "swap_queries", "swap_tiles", "swap_p50_ms", "swap_p95_ms", "within_budget", ...}

Budgets (issue 21): grid page ≤ 10 queries and p50 ≤ 60 ms; swap round-trip p50 ≤ 50 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and bench/calendar.py would shadow the standard
# library's `calendar` (which http.cookiejar, and so Django's test client, import).
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
from datetime import time as dtime  # noqa: E402
from datetime import timedelta  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import django_in_process, p95, timed  # noqa: E402


def seed(n_live: int, n_planned: int):  # noqa: ANN201
    from django.utils import timezone

    from accounts.models import InstagramAccount, Membership, User, Workspace
    from accounts.permissions import Role
    from archive.models import ArchivedMedia, ArchivedPost, ArchivedProfile
    from scheduler.models import MediaAsset, Post, PostingSlot, PostMedia

    rng = random.Random(21)
    ws = Workspace.objects.create(name="Bench Brand", slug="bench", timezone="Europe/Berlin")
    user = User.objects.create_user("sam", password="x")
    Membership.objects.create(user=user, workspace=ws, role=Role.SOCIAL.value)
    now = timezone.now()
    account = InstagramAccount.objects.create(workspace=ws, ig_user_id="17841400000000001", username="bench_brand",
                                              access_token="bench-token", expires_at=now + timedelta(days=60))
    InstagramAccount.objects.bulk_create(
        InstagramAccount(workspace=ws, ig_user_id=f"178414{i:011d}", username=f"other_{i}", access_token="t",
                         expires_at=now + timedelta(days=60)) for i in range(2, 6))
    PostingSlot.objects.bulk_create(PostingSlot(account=account, weekday=d, time=t) for d in range(7)
                                    for t in (dtime(9, 0), dtime(13, 0), dtime(18, 30)))
    ok = {"ok": True, "reasons": []}
    assets = MediaAsset.objects.bulk_create(
        MediaAsset(workspace=ws, file=f"workspaces/{ws.pk}/media/{uuid.uuid4().hex}.jpg",
                   thumbnail=f"workspaces/{ws.pk}/derived/{uuid.uuid4().hex}-thumb.jpg", original_name=f"IMG_{i}.jpg",
                   sha256=f"{i:064x}", kind="image", mime_type="image/jpeg", size_bytes=300_000,
                   width=rng.choice([1080, 1080, 1910]), height=rng.choice([1350, 1080, 1000]),
                   suitability={"feed": ok, "carousel": ok, "story": ok, "reel": ok}, uploaded_by=user)
        for i in range(300))
    profile = ArchivedProfile.objects.create(workspace=ws, username=account.username, ig_user_id=account.ig_user_id,
                                             source="own", account=account)
    types = ["IMAGE", "IMAGE", "CAROUSEL_ALBUM", "VIDEO"]
    live_at = [now - timedelta(hours=12 * (i + 1)) for i in range(n_live)]
    ArchivedPost.objects.bulk_create(
        ArchivedPost(workspace=ws, profile=profile, ig_id=f"ig{i}", media_type=types[i % 4], taken_at=live_at[i],
                     caption=f"Live post {i} #coffee", permalink=f"https://www.instagram.com/p/LP{i}/",
                     first_seen_at=now, last_seen_at=now, pinned=i in (40, 300, 900)) for i in range(n_live))
    archived = dict(ArchivedPost.objects.filter(profile=profile).values_list("ig_id", "pk"))
    ArchivedMedia.objects.bulk_create(
        (ArchivedMedia(workspace=ws, post_id=archived[f"ig{i}"], order=o, ig_id=f"ig{i}-{o}", kind="IMAGE",
                       state="done", file=f"ab/{i}-{o}.jpg", thumbnail=f"ab/{i}-{o}-t.jpg")
         for i in range(n_live) for o in range(2 if i % 4 == 2 else 1)), batch_size=2000)
    kinds = ["feed", "feed", "carousel", "reel", "story"]
    posts = [Post(workspace=ws, account=account, kind="feed", caption=f"Published {i}", status="published",
                  publish_at=live_at[i], published_at=live_at[i], ig_media_id=f"ig{i}", author=user)
             for i in range(min(500, n_live))]
    posts += [Post(workspace=ws, account=account, kind=kinds[i % 5], caption=f"Planned {i} #coffee",
                   status=rng.choice(["approved"] * 5 + ["in_review", "draft"]),
                   publish_at=(now + timedelta(hours=7 * (i + 1))).replace(second=0, microsecond=0), author=user)
              for i in range(n_planned)]
    posts += [Post(workspace=ws, account=account, kind="feed", caption=f"Draft {i}", status="draft", author=user)
              for i in range(40)]
    Post.objects.bulk_create(posts, batch_size=1000)
    ids = list(Post.objects.filter(workspace=ws).values_list("pk", flat=True))
    PostMedia.objects.bulk_create((PostMedia(post_id=pk, asset=assets[k % len(assets)], position=0)
                                   for k, pk in enumerate(ids)), batch_size=2000)
    return ws, user, account


def measure(ws, user, account, runs: int) -> dict:  # noqa: ANN001
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from scheduler.models import Post

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("scheduler:grid", kwargs={"ws": ws.slug, "account": account.pk})
    out: dict = {}
    client.get(url)  # warm
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.status_code
    html = r.content.decode()
    out["grid_tiles"] = html.count('<li class="tile ')
    out["grid_slots"] = html.count('class="tile tile-slot')
    out["grid_queries"] = len(ctx.captured_queries)
    times = timed(lambda: client.get(url), runs)
    out["grid_p50_ms"] = round(statistics.median(times), 1)
    out["grid_p95_ms"] = p95(times)
    times = timed(lambda: client.get(url, {"page": 5}), max(5, runs // 3))
    out["page5_p50_ms"] = round(statistics.median(times), 1)

    swap = reverse("scheduler:grid_swap", kwargs={"ws": ws.slug, "account": account.pk})
    a, b = Post.objects.filter(account=account, status="approved", kind="feed").order_by("-publish_at")[:2]

    def one() -> dict:
        va, vb = Post.objects.filter(pk__in=[a.pk, b.pk]).order_by("pk").values_list("version", flat=True)
        return {"post": a.pk, "version": va if a.pk < b.pk else vb, "target": b.pk,
                "target_version": vb if a.pk < b.pk else va}

    with CaptureQueriesContext(connection) as ctx:
        r = client.post(swap, one(), HTTP_X_GRID="1")
    assert r.status_code == 200, (r.status_code, r.content[:300])
    answer = r.content.decode()
    assert 'id="grid-changes"' in answer and f'id="tile-p{a.pk}"' in answer, answer[:300]
    out["swap_queries"] = len(ctx.captured_queries) - 1  # minus the versions read by the bench itself
    out["swap_tiles"] = answer.count('<li class="tile ')
    if os.environ.get("BENCH_SHOW_QUERIES"):
        for q in ctx.captured_queries:
            print(q["sql"][:160], file=sys.stderr)
    samples = []
    for _ in range(runs):
        data = one()
        t = time.perf_counter()
        r = client.post(swap, data, HTTP_X_GRID="1")
        samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.status_code
    out["swap_p50_ms"] = round(statistics.median(samples), 1)
    out["swap_p95_ms"] = p95(samples)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--live", type=int, default=2000)
    parser.add_argument("--planned", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pressroom-bench-grid-"))
    try:
        db_url = django_in_process(tmp)
        t = time.perf_counter()
        ws, user, account = seed(args.live, args.planned)
        seeded = time.perf_counter() - t
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        figures = {"live": args.live, "planned": args.planned, **measure(ws, user, account, args.runs)}
        figures.update(db=db_url.split(":", 1)[0], seed_seconds=round(seeded, 1))
        budgets = {"grid_queries": 10, "grid_p50_ms": 60, "swap_p50_ms": 50}
        figures["within_budget"] = all(figures[k] <= v for k, v in budgets.items())
        print(json.dumps(figures))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
