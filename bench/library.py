"""Media library bench: a 20,000-asset library, the grid's first and 200th page, and a 200 MB upload.

    .venv/bin/python bench/library.py [--assets 20000] [--upload-mb 200] [--runs 25]

Runs on a throwaway SQLite database under a temp folder (or BENCH_DATABASE_URL, e.g. a throwaway PostgreSQL
from scripts/with_postgres.sh). The grid pages are requested through Django's full stack (middleware, session,
policy, templates) as a signed-in social manager; page 200 is reached by its keyset cursor, as the "Load more"
button does. The upload goes over real HTTP to a `runserver` process, streamed from disk, and the server's peak
RSS (VmHWM) is read before and after. The last line of output is one JSON object:

    {"assets", "page1_queries", "page200_queries", "page1_p50_ms", "page200_p50_ms", "upload_mb",
     "upload_rss_growth_mb", ...}

Budgets (issue 4): ≤ 8 queries on both pages, p50 ≤ 50 ms on both, peak RSS growth ≤ 50 MB for 200 MB.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, bench/ comes first on sys.path, and bench/calendar.py would shadow the standard library's
# `calendar` (which http.cookiejar, and so the test client and requests, import): drop bench/ from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import tempfile
import time
import uuid
from datetime import timedelta

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_django(tmp: Path) -> str:
    db_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.update(DATABASE_URL=db_url, MEDIA_ROOT=str(tmp / "media"), DJANGO_SETTINGS_MODULE="config.settings",
                      DEBUG="true", FILE_UPLOAD_TEMP_DIR=str(tmp / "spool"))
    (tmp / "spool").mkdir(exist_ok=True)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp / "spool")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return db_url


def seed(n: int):  # noqa: ANN201
    from django.utils import timezone

    from accounts.models import InstagramAccount, Membership, User, Workspace
    from accounts.permissions import Role
    from scheduler.models import MediaAsset, Post, PostMedia

    ws = Workspace.objects.create(name="Bench Brand", slug="bench", timezone="Europe/Berlin")
    users = []
    for name in ("sam", "kim", "lee"):
        u = User.objects.create_user(name, password="x")
        Membership.objects.create(user=u, workspace=ws, role=Role.SOCIAL.value)
        users.append(u)
    ok = {"ok": True, "reasons": []}
    no_reel = {"ok": False, "reasons": ["Reels need a video."]}
    now = timezone.now()
    words = ["coffee", "latte", "autumn", "team", "store", "bean", "roast", "event", "menu", "summer"]
    batch = []
    for i in range(n):
        video = i % 7 == 0
        batch.append(MediaAsset(
            workspace=ws, file=f"workspaces/{ws.pk}/media/{uuid.uuid4().hex}.{'mp4' if video else 'jpg'}",
            thumbnail=f"workspaces/{ws.pk}/derived/{uuid.uuid4().hex}-thumb.jpg",
            original_name=f"IMG_{i:05d}.{'mp4' if video else 'jpg'}", sha256=f"{i:064x}",
            kind="video" if video else "image", mime_type="video/mp4" if video else "image/jpeg",
            size_bytes=200_000 + (i * 7919) % 5_000_000, width=1080, height=1350 if not video else 1920,
            duration_seconds=12.0 if video else None, title=f"{words[i % 10]} shot {i}",
            tags=f"{words[i % 10]} {words[(i * 3) % 10]}", alt_text="" if i % 3 else f"A {words[i % 10]} photo",
            suitability={"feed": ok, "carousel": ok, "story": ok, "reel": ok if video else no_reel},
            uploaded_by=users[i % 3],
        ))
    MediaAsset.objects.bulk_create(batch, batch_size=1000)
    # created_at is auto_now_add: spread it over two years so date filters and sort keys are realistic.
    assets = list(MediaAsset.objects.filter(workspace=ws).order_by("pk").only("pk", "created_at"))
    step = 730 * 86400 / max(1, len(assets))
    for k, a in enumerate(assets):
        a.created_at = now - timedelta(seconds=(len(assets) - k) * step)
    MediaAsset.objects.bulk_update(assets, ["created_at"], batch_size=500)
    ids = [a.pk for a in assets]
    account = InstagramAccount.objects.create(workspace=ws, ig_user_id="17841400000000001", username="bench_brand",
                                              access_token="bench-token", expires_at=now + timedelta(days=60))
    for k, pk in enumerate(ids[-300::3]):  # some recent assets are in posts: the grid shows "in use"
        post = Post.objects.create(workspace=ws, account=account, kind="feed", caption=f"Bench post {k}",
                                   status="draft", author=users[0])
        PostMedia.objects.create(post=post, asset_id=pk, position=0)
    return ws, users[0]


def measure_pages(ws, user, runs: int) -> dict:  # noqa: ANN001
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from scheduler.selectors.media import LibraryFilters, library_page, library_queryset

    cursor = None
    for _ in range(199):
        cursor = library_page(workspace=ws, filters=LibraryFilters(), cursor=cursor).next_cursor
        assert cursor, "the library is too small for 200 pages"
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("scheduler:library", kwargs={"ws": ws.slug})
    out = {}
    for label, params, headers in (
        ("page1", {}, {}),
        ("page200", {"cursor": cursor}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "load-more"}),
    ):
        client.get(url, params, **headers)  # warm
        reset_queries()  # request_started clears the log; start from empty so the capture is exact
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url, params, **headers)
        assert r.status_code == 200, r.status_code
        assert r.content.count(b'class="asset-card') == 40, "a full page of cards"
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            client.get(url, params, **headers)
            times.append((time.perf_counter() - t) * 1000)
        out[f"{label}_queries"] = len(ctx.captured_queries)
        out[f"{label}_p50_ms"] = round(statistics.median(times), 1)
        out[f"{label}_p95_ms"] = round(sorted(times)[int(0.95 * (len(times) - 1))], 1)
    # Page 1 with the header summary (count, uploaders) not cached: what the first visit in a minute costs.
    from django.core.cache import cache

    times = []
    for _ in range(runs):
        cache.clear()
        t = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    out["page1_uncached_p50_ms"] = round(statistics.median(times), 1)
    # The same page 200 by OFFSET, for comparison: what keyset pagination saves.
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        qs = library_queryset(workspace=ws, filters=LibraryFilters())
        list(qs.order_by("-created_at", "-pk")[199 * 40:200 * 40])
        times.append((time.perf_counter() - t) * 1000)
    t_key = []
    for _ in range(runs):
        t = time.perf_counter()
        library_page(workspace=ws, filters=LibraryFilters(), cursor=cursor)
        t_key.append((time.perf_counter() - t) * 1000)
    out["page200_offset_query_p50_ms"] = round(statistics.median(times), 2)
    out["page200_keyset_query_p50_ms"] = round(statistics.median(t_key), 2)
    return out


def make_big_mp4(path: Path, mb: int) -> None:
    """A real short H.264 MP4 (ffmpeg) padded to `mb` MB with an MP4 `free` box: a valid file of that size."""
    small = path.with_suffix(".small.mp4")
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=540x960:rate=30", "-t", "4",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(small)], check=True)
    pad = mb * 1024 * 1024 - small.stat().st_size
    with open(path, "wb") as out, open(small, "rb") as src:
        shutil.copyfileobj(src, out)
        out.write(struct.pack(">I4s", pad, b"free"))
        chunk = b"\0" * (1024 * 1024)
        left = pad - 8
        while left > 0:
            out.write(chunk[: min(left, len(chunk))])
            left -= min(left, len(chunk))
    small.unlink()


def vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def session_cookie(user) -> tuple[str, str]:  # noqa: ANN001
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.save()
    return settings.SESSION_COOKIE_NAME, s.session_key


def measure_upload(ws, user, tmp: Path, mb: int) -> dict:  # noqa: ANN001
    if not shutil.which("ffmpeg"):
        return {"upload_mb": 0, "upload_rss_growth_mb": None, "upload_note": "ffmpeg missing"}
    big = tmp / "big.mp4"
    make_big_mp4(big, mb)
    port = free_port()
    env = {**os.environ, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cookie_name, session = session_cookie(user)
        token = uuid.uuid4().hex  # an unmasked 32-character CSRF secret: cookie and header agree
        cookies = f"{cookie_name}={session}; csrftoken={token}"
        path = f"/w/{ws.slug}/library/upload"

        def request(method: str, body_file: Path | None = None) -> tuple[int, bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            if body_file is None:
                conn.request(method, f"/w/{ws.slug}/library/", headers={"Cookie": cookies})
            else:
                boundary = uuid.uuid4().hex
                head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{body_file.name}\"\r\n"
                        "Content-Type: video/mp4\r\n\r\n").encode()
                tail = f"\r\n--{boundary}--\r\n".encode()
                conn.putrequest("POST", path)
                for k, v in {"Cookie": cookies, "X-CSRFToken": token, "Accept": "application/json",
                             "Referer": f"http://127.0.0.1:{port}/",
                             "Content-Type": f"multipart/form-data; boundary={boundary}",
                             "Content-Length": str(len(head) + body_file.stat().st_size + len(tail))}.items():
                    conn.putheader(k, v)
                conn.endheaders()
                conn.send(head)
                with open(body_file, "rb") as fh:
                    while chunk := fh.read(1024 * 1024):
                        conn.send(chunk)
                conn.send(tail)
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            return resp.status, data

        status, _ = request("GET")  # warm the server: imports, templates, a first page
        assert status == 200, status
        before = vm_hwm_kb(proc.pid)
        t = time.perf_counter()
        status, data = request("POST", big)
        seconds = time.perf_counter() - t
        after = vm_hwm_kb(proc.pid)
        assert status == 201 and json.loads(data)["ok"], (status, data[:300])
        return {"upload_mb": mb, "upload_rss_growth_mb": round((after - before) / 1024, 1),
                "upload_seconds": round(seconds, 1), "server_peak_rss_mb": round(after / 1024, 1)}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=20_000)
    parser.add_argument("--upload-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pressroom-bench-library-"))
    try:
        db_url = setup_django(tmp)
        t = time.perf_counter()
        ws, user = seed(args.assets)
        seeded = time.perf_counter() - t
        from django.db import connection

        with connection.cursor() as cur:  # statistics as a live database would have them
            cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        figures = {"assets": args.assets, **measure_pages(ws, user, args.runs)}
        figures.update(measure_upload(ws, user, tmp, args.upload_mb))
        figures.update(db=db_url.split(":", 1)[0], seed_seconds=round(seeded, 1))
        budgets = {"page1_queries": 8, "page200_queries": 8, "page1_p50_ms": 50, "page200_p50_ms": 50,
                   "upload_rss_growth_mb": 50}
        figures["within_budget"] = all(figures.get(k) is not None and figures[k] <= v for k, v in budgets.items())
        print(json.dumps(figures))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
