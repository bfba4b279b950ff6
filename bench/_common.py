"""Shared harness of the benches: a throwaway environment (database, media, secrets), the app's web server
serving signed media URLs, the Instagram sandbox in this process, task clusters as killable process groups,
fixture posts, and the outcome figures judged against the sandbox's publish ledger.

Only the bench process imports Django, after `configure()` has put the run's environment in os.environ
(settings are read once, at import). Every child process (web, qcluster, dispatcher) gets the same env.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PY = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(REPO / ".venv" / "bin" / "gunicorn")
IMAGE_NAME = "bench/square-1080.jpg"

_t0 = time.monotonic()


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only the JSON figures."""
    print(f"[{time.monotonic() - _t0:7.1f}s] {message}", file=sys.stderr, flush=True)


def emit(figures: dict[str, Any]) -> None:
    print(json.dumps(figures), flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def db_kind(url: str) -> str:
    return "postgres" if url.startswith(("postgres", "postgis")) else "sqlite"


def reexec_with_postgres(argv: list[str]) -> None:
    """Run this bench again inside scripts/with_postgres.sh (a throwaway PostgreSQL 15), unless already there."""
    if db_kind(os.environ.get("DATABASE_URL", "")) == "postgres":
        return
    log("starting a throwaway PostgreSQL (scripts/with_postgres.sh)")
    sys.stdout.flush()
    os.execvp("bash", ["bash", str(REPO / "scripts" / "with_postgres.sh"), PY, *argv])


# --------------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------------


class BenchEnv:
    """One run's world: a temp dir (var, media, logs), the database, and the env every process shares."""

    def __init__(self, *, name: str, keep: bool = False, **knobs: Any) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"pressroom-{name}-"))
        self.keep = keep
        self.logs = self.dir / "logs"
        self.logs.mkdir()
        url = os.environ.get("DATABASE_URL", "")
        if db_kind(url) != "postgres":
            url = f"sqlite:///{self.dir / 'db.sqlite3'}"
        self.database_url = url
        self.db = db_kind(url)
        self.web_port = free_port()
        from cryptography.fernet import Fernet

        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": url,
            "VAR_DIR": str(self.dir / "var"),
            "MEDIA_ROOT": str(self.dir / "media"),
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.web_port}",
            "LOG_LEVEL": "WARNING",
            **{k: str(v) for k, v in knobs.items()},
        }

    def configure(self, sandbox_url: str) -> None:
        """Point everything at the sandbox, then set up Django in this process and migrate."""
        self.env["INSTAGRAM_GRAPH_URL"] = sandbox_url
        self.env["INSTAGRAM_API_VERSION"] = "v25.0"
        os.environ.update(self.env)
        sys.path.insert(0, str(REPO))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)  # post_migrate syncs the schedules
        from scheduler.periodic import ensure_schedules

        ensure_schedules()
        write_image(Path(self.env["MEDIA_ROOT"]) / IMAGE_NAME)

    def cleanup(self) -> None:
        if self.keep:
            log(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def write_image(path: Path) -> None:
    """One real 1080×1080 JPEG that every bench asset points at (the app serves it from a signed URL)."""
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (1080, 1080), (51, 102, 170))
    draw = ImageDraw.Draw(img)
    for k in range(0, 1080, 90):
        draw.rectangle([k, 0, k + 30, 1080], fill=(230, 200, 120))
    img.save(path, "JPEG", quality=82)


# --------------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------------


class ProcessGroup:
    """A child started in its own session, so SIGKILL of its group takes the leader and all its workers."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.cmd, self.env, self.log_dir = name, cmd, env, log_dir
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.started_at = 0.0
        self.started_wall = None

    def start(self) -> ProcessGroup:
        self.starts += 1
        out = open(self.log_dir / f"{self.name}.{self.starts}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(self.cmd, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        self.started_at = time.monotonic()
        self.started_wall = datetime.now().astimezone()
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: no cleanup runs anywhere in it."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None

    def terminate(self, sig: int = signal.SIGTERM, *, group: bool = True, limit: float = 10.0) -> float:
        """Send `sig` to the group (or the leader alone) and wait until the leader and every process it
        started are gone; returns the seconds that took (limit + 1 and SIGKILL when it took longer)."""
        import psutil

        if self.proc is None:
            return 0.0
        procs = [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(recursive=True)]
        started = time.monotonic()
        (os.killpg if group else os.kill)(self.proc.pid, sig)

        def running() -> bool:
            self.proc.poll()
            for p in procs:
                try:
                    if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                        return True
                except psutil.Error:
                    pass
            return False

        while running() and time.monotonic() - started < limit:
            time.sleep(0.05)
        took = time.monotonic() - started
        if running():
            for p in procs:
                try:
                    p.kill()
                except psutil.Error:
                    pass
            took = limit + 1
        self.kill()
        return took

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM, then SIGKILL whatever of the group is left after the grace period."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        self.kill()  # whatever of the group is still there


def qcluster(env: BenchEnv, name: str = "qcluster") -> ProcessGroup:
    """A task cluster as production runs it: `manage.py runworker` (django-q2 cluster + its dispatcher loop)."""
    return ProcessGroup(name, [PY, "manage.py", "runworker"], env.env, env.logs)


def web(env: BenchEnv) -> ProcessGroup:
    """The app itself (gunicorn, as deployed): Instagram downloads the posts' media from its signed URLs."""
    cmd = [GUNICORN, "config.wsgi:application", "--bind", f"127.0.0.1:{env.web_port}", "--workers", "3",
           "--timeout", "60", "--log-level", "warning"]
    group = ProcessGroup("web", cmd, env.env, env.logs).start()
    wait_port(env.web_port)
    return group


# --------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------


def make_accounts(sandbox, *, count: int, prefix: str, workspace_slug: str = "bench"):  # noqa: ANN001, ANN201
    """One workspace (UTC) and `count` connected accounts, each a real sandbox account with its token."""
    from django.utils import timezone

    from accounts.models import InstagramAccount, Workspace

    workspace, _ = Workspace.objects.get_or_create(slug=workspace_slug, defaults={"name": "Bench", "timezone": "UTC"})
    accounts = []
    for i in range(count):
        remote = sandbox.create_account(f"{prefix}_{i:03d}")
        accounts.append(InstagramAccount.objects.create(
            workspace=workspace, ig_user_id=remote["ig_user_id"], username=remote["username"],
            access_token=remote["access_token"], expires_at=timezone.now() + timedelta(days=60),
            scopes=remote["scopes"],
        ))
    return workspace, accounts


def make_posts(workspace, accounts, publish_times: list[datetime], *, caption_prefix: str) -> list[int]:  # noqa: ANN001
    """Approved single-image feed posts, round-robin over the accounts; each caption is unique, so every
    ledger entry maps back to exactly one post."""
    from scheduler.models import MediaAsset, Post, PostMedia

    ok = {use: {"ok": True, "reasons": []} for use in MediaAsset.USES}
    size = (Path(os.environ["MEDIA_ROOT"]) / IMAGE_NAME).stat().st_size
    assets = MediaAsset.objects.bulk_create([
        MediaAsset(workspace=workspace, file=IMAGE_NAME, original_name="square.jpg",
                   sha256=uuid.uuid4().hex + uuid.uuid4().hex, kind=MediaAsset.Kind.IMAGE, mime_type="image/jpeg",
                   size_bytes=size, width=1080, height=1080, suitability=ok)
        for _ in publish_times
    ])
    posts = Post.objects.bulk_create([
        Post(workspace=workspace, account=accounts[i % len(accounts)], kind=Post.Kind.FEED,
             caption=f"{caption_prefix} #{i:05d} #bench", status=Post.Status.APPROVED, publish_at=at)
        for i, at in enumerate(publish_times)
    ])
    if any(p.pk is None for p in posts):  # backends that do not return ids from bulk_create
        posts = list(Post.objects.filter(caption__startswith=f"{caption_prefix} #").order_by("pk"))
    PostMedia.objects.bulk_create([PostMedia(post=p, asset=a, position=0) for p, a in zip(posts, assets, strict=True)])
    return [p.pk for p in posts]


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------


def outcome_figures(post_ids: list[int], ledger: list[dict[str, Any]]) -> dict[str, int]:
    """Judge the posts by the sandbox's ledger (every successful media_publish), not by our own records.

    duplicates: ledger entries beyond one per post.
    stuck:      still `publishing` (held or parked) when the run ended.
    lost:       should have gone out but did not and nobody was told why — not published, not stuck, and
                not failed/needs-review with a reason shown; plus posts we record as published that the
                ledger does not have.
    unrecorded: in the ledger but not recorded as published (a person would be told the wrong thing).
    """
    from scheduler.models import Post

    rows = list(Post.objects.filter(pk__in=post_ids).values("pk", "status", "caption", "last_error"))
    per_caption = Counter(r["caption"] for r in ledger)
    figures = Counter()
    for row in rows:
        in_ledger = per_caption.get(row["caption"], 0)
        figures["duplicates"] += max(0, in_ledger - 1)
        status = row["status"]
        if status == Post.Status.PUBLISHED:
            figures["published"] += 1
            if not in_ledger:
                figures["lost"] += 1
                figures["phantom"] += 1
            continue
        if in_ledger:
            figures["unrecorded"] += 1
        if status == Post.Status.PUBLISHING:
            figures["stuck"] += 1
        elif status in (Post.Status.FAILED, Post.Status.NEEDS_REVIEW) and row["last_error"]:
            figures[str(status)] += 1
        else:
            figures["lost"] += 1
    figures["lost"] += len(post_ids) - len(rows)  # deleted rows would be lost too
    ours = {r["caption"] for r in rows}
    figures["foreign_ledger_entries"] = sum(n for c, n in per_caption.items() if c not in ours)
    out = {k: figures.get(k, 0) for k in ("duplicates", "lost", "stuck", "published", "failed", "needs_review",
                                          "unrecorded", "phantom", "foreign_ledger_entries")}
    return out


def attempt_outcomes(post_ids: list[int]) -> dict[str, int]:
    """PublishAttempt outcomes; `running` ones were cut off by a kill (the evidence a kill hit a publish)."""
    from django.db.models import Count

    from scheduler.models import PublishAttempt

    rows = PublishAttempt.objects.filter(post_id__in=post_ids).values("outcome").annotate(n=Count("id"))
    return {r["outcome"]: r["n"] for r in rows}


def jitter(a: float, b: float, rng: random.Random | None = None) -> float:
    return (rng or random).uniform(a, b)


# In-process page benches (calendar, grid, analytics): milliseconds per call, and their 95th percentile.
def timed(fn, runs: int) -> list[float]:  # noqa: ANN001
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(values: list[float]) -> float:
    return round(sorted(values)[int(0.95 * (len(values) - 1))], 1)


def django_in_process(tmp: Path) -> str:
    """Set Django up in this process for an in-process page bench (calendar, grid): a throwaway SQLite file under
    `tmp`, or BENCH_DATABASE_URL; media under `tmp`; migrated. Returns the database URL."""
    db_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.update(DATABASE_URL=db_url, MEDIA_ROOT=str(tmp / "media"), DJANGO_SETTINGS_MODULE="config.settings",
                      DEBUG="true")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return db_url
