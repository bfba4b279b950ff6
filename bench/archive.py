"""Archive bench: a 2,000-post / 3,000-media sandbox profile with 50 ms CDN latency, fetched, refreshed, exported.

    .venv/bin/python bench/archive.py [--latency-ms 50] [--concurrency 3] [--profile megabrand]

The sandbox runs as its own process (so the figures are the archive's alone) with @megabrand. Each phase runs in a
fresh child process that reports its own peak RSS (ru_maxrss): the first full archive run (listing + downloads +
thumbnails + storage, as the task cluster runs it, step after step), a refresh with nothing new (API calls counted by
the sandbox), and the ZIP export of the whole profile through Django's full stack, consumed as the browser would.
The database is a throwaway SQLite file (or BENCH_DATABASE_URL). The last line of output is one JSON object:

    {"posts", "media", "cdn_latency_ms", "concurrency", "wall_s", "media_per_s", "bound_media_per_s", "peak_rss_mb",
     "refresh_api_calls", "export_zip_mb", "export_peak_rss_mb", ...}

Budgets (issue 14): media_per_s ≥ 0.8 × concurrency ÷ latency; peak RSS ≤ 200 MB (fetch and export); a refresh with
nothing new ≤ 2 API calls. `bound_media_per_s` = concurrency ÷ latency: every file costs one CDN round trip.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/calendar.py would shadow the standard library's calendar (used by http.cookiejar, i.e. requests).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import requests  # noqa: E402

from bench._common import emit, free_port, log, wait_port  # noqa: E402


def _django(tmp: Path) -> None:
    os.environ.update(DATABASE_URL=os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}",
                      MEDIA_ROOT=str(tmp / "media"), VAR_DIR=str(tmp / "var"), DJANGO_SETTINGS_MODULE="config.settings",
                      DEBUG="true", LOG_LEVEL="WARNING")
    import django

    django.setup()


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- child phases (each in a fresh process) -------------------------------------------------------------------


def phase_setup(tmp: Path, sandbox: str, username: str) -> dict:
    _django(tmp)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth import get_user_model

    from accounts.models import InstagramAccount, Workspace
    from accounts.permissions import Role
    from accounts.services.workspaces import membership_add
    from archive.services.profiles import profile_add

    ws = Workspace.objects.create(name="Bench Brand", slug="bench")
    user = get_user_model().objects.create_user("bench-social", password="x")
    membership_add(user=user, workspace=ws, role=Role.SOCIAL)
    client = get_user_model().objects.create_user("bench-client", password="x")
    membership_add(user=client, workspace=ws, role=Role.CLIENT)
    remote = requests.post(f"{sandbox}/_control/accounts", json={"username": "bench_asker"}, timeout=10).json()
    InstagramAccount.objects.create(workspace=ws, ig_user_id=remote["ig_user_id"], username="bench_asker",
                                    access_token=remote["access_token"], login_api="facebook")
    profile, _ = profile_add(user=user, workspace=ws, username=username, enqueue=False)
    return {"run_id": profile.runs.get().pk, "profile_id": profile.pk}


def phase_fetch(tmp: Path, run_id: int) -> dict:
    _django(tmp)
    from archive.models import ArchiveRun
    from archive.services.runs import run_advance

    started = time.monotonic()
    steps, outcome = 0, "continue"
    while outcome == "continue":
        outcome = run_advance(run_id=run_id)
        steps += 1
    wall = time.monotonic() - started
    run = ArchiveRun.objects.get(pk=run_id)
    return {"outcome": outcome, "wall_s": round(wall, 2), "steps": steps, "posts": run.posts_seen,
            "media": run.media_total, "media_done": run.media_done, "media_failed": run.media_failed,
            "api_calls": run.api_calls, "bytes": run.bytes_downloaded, "peak_rss_mb": _rss_mb()}


def phase_refresh(tmp: Path, profile_id: int) -> dict:
    _django(tmp)
    from archive.models import ArchivedProfile
    from archive.services import runs

    runs.enqueue_run = lambda run_id: None
    profile = ArchivedProfile.objects.get(pk=profile_id)
    run = runs.run_start(profile=profile, enqueue=False)
    outcome = "continue"
    while outcome == "continue":
        outcome = runs.run_advance(run_id=run.pk)
    run.refresh_from_db()
    return {"outcome": outcome, "api_calls": run.api_calls, "posts_new": run.posts_new}


def phase_export(tmp: Path, profile_id: int) -> dict:
    _django(tmp)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    c = Client()
    c.force_login(get_user_model().objects.get(username="bench-client"),
                  backend="django.contrib.auth.backends.ModelBackend")
    started = time.monotonic()
    response = c.get(reverse("archive:export", kwargs={"ws": "bench", "pk": profile_id}))
    size = 0
    for chunk in response.streaming_content:  # consumed as a browser would, chunk by chunk
        size += len(chunk)
    return {"status": response.status_code, "export_zip_mb": round(size / 1024 / 1024, 1),
            "export_s": round(time.monotonic() - started, 2), "export_peak_rss_mb": _rss_mb()}


# --- orchestration ----------------------------------------------------------------------------------------------


def child(phase: str, tmp: Path, env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, "--tmp", str(tmp), *args], env=env,
                         capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"phase {phase} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--profile", default="megabrand")
    parser.add_argument("--phase")
    parser.add_argument("--tmp")
    parser.add_argument("args", nargs="*")
    a = parser.parse_args()
    if a.phase:
        tmp = Path(a.tmp)
        fn = {"setup": phase_setup, "fetch": phase_fetch, "refresh": phase_refresh, "export": phase_export}[a.phase]
        extra = [int(x) if x.isdigit() else x for x in a.args]
        print(json.dumps(fn(tmp, *extra)), flush=True)
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    port = free_port()
    sandbox_url = f"http://127.0.0.1:{port}"
    log(f"sandbox on {sandbox_url}, work dir {tmp}")
    sb = subprocess.Popen([sys.executable, "-m", "instagram.sandbox", "--port", str(port), "--large-profile",
                           "--cache-dir", str(tmp / "sandbox-cache"), "--log-level", "WARNING"], cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        env = {**os.environ, "INSTAGRAM_GRAPH_URL": sandbox_url, "ARCHIVE_DOWNLOAD_CONCURRENCY": str(a.concurrency)}
        setup = child("setup", tmp, env, sandbox_url, a.profile)
        requests.post(f"{sandbox_url}/_control/latency", json={"endpoint": "cdn", "ms": a.latency_ms}, timeout=10)
        log("setup done; fetching")
        fetch = child("fetch", tmp, env, str(setup["run_id"]))
        log(f"fetch: {fetch}")
        requests.delete(f"{sandbox_url}/_control/calls", timeout=10)
        refresh = child("refresh", tmp, env, str(setup["profile_id"]))
        calls = requests.get(f"{sandbox_url}/_control/calls", timeout=10).json()
        log(f"refresh: {refresh}, sandbox counted {calls['total']} API calls")
        export = child("export", tmp, env, str(setup["profile_id"]))
        log(f"export: {export}")
    finally:
        sb.terminate()
        sb.wait(timeout=10)
    bound = a.concurrency / (a.latency_ms / 1000)
    media_per_s = fetch["media"] / fetch["wall_s"]
    figures = {
        "posts": fetch["posts"], "media": fetch["media"], "cdn_latency_ms": a.latency_ms,
        "concurrency": a.concurrency, "wall_s": fetch["wall_s"], "media_per_s": round(media_per_s, 1),
        "bound_media_per_s": round(bound, 1), "peak_rss_mb": fetch["peak_rss_mb"],
        "refresh_api_calls": calls["total"], "export_zip_mb": export["export_zip_mb"],
        "export_peak_rss_mb": export["export_peak_rss_mb"],
        "media_done": fetch["media_done"], "media_failed": fetch["media_failed"], "fetch_api_calls": fetch["api_calls"],
        "export_s": export["export_s"], "steps": fetch["steps"],
        "db": "postgres" if "postgres" in os.environ.get("BENCH_DATABASE_URL", "") else "sqlite",
        "budgets_met": {"throughput": media_per_s >= 0.8 * bound, "rss": max(fetch["peak_rss_mb"],
                        export["export_peak_rss_mb"]) <= 200, "refresh": calls["total"] <= 2},
    }
    emit(figures)


if __name__ == "__main__":
    main()
