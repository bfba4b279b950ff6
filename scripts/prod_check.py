"""`make prod-check`: the production configuration on this machine, without containers, driven over HTTP.

Runs inside scripts/with_postgres.sh (DATABASE_URL = a throwaway PostgreSQL 15). Starts S3 (moto's server),
the Instagram sandbox, `migrate` + `collectstatic`, gunicorn (DEBUG=false, production settings, throwaway
secrets generated here) and two task clusters (`manage.py runworker`). Then, as a browser would (behind a TLS
proxy: every request carries X-Forwarded-Proto: https):

  sign in → upload an image → compose and submit → approve as another user → publish now → the post reaches
  the sandbox exactly once → archive a public profile → download its ZIP → /healthz 200 → a static file from
  whitenoise with far-future caching → SIGTERM to everything → nothing left, every port free.

Also checks that the production settings refuse to start without their secrets. Prints one summary line
(JSON) and exits 0, or prints what failed (with the tail of each process's log) and exits 1.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import psutil
import requests

REPO = Path(__file__).resolve().parent.parent
PY = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
BIN = Path(PY).parent
PASSWORD = "prod-check-" + secrets.token_hex(8)
T0 = time.monotonic()


class CheckFailed(Exception):
    pass


def say(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def check(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    """Nothing listens on it: a new server could bind it (SO_REUSEADDR, as servers do, so connections the
    old server closed — TIME_WAIT — do not count)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_for(predicate, timeout: float, what: str, step: float = 0.5):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except (requests.RequestException, OSError, ValueError, KeyError):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


class World:
    """Every process of the production configuration, each in its own process group."""

    def __init__(self) -> None:
        from cryptography.fernet import Fernet

        self.dir = Path(tempfile.mkdtemp(prefix="pressroom-prodcheck-"))
        self.ports = {name: free_port() for name in ("web", "s3", "sandbox")}
        self.base = f"http://127.0.0.1:{self.ports['web']}"
        self.procs: dict[str, subprocess.Popen] = {}
        self.bucket = "pressroom-media"
        database_url = os.environ.get("DATABASE_URL", "")
        check(database_url.startswith("postgres"), "run me through scripts/with_postgres.sh (DATABASE_URL=postgres://…)")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "Q_", "AWS_"))},
            "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1", "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50), "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_URL": database_url,
            "VAR_DIR": str(self.dir / "var"), "STATIC_ROOT": str(self.dir / "static"),
            "AWS_STORAGE_BUCKET_NAME": self.bucket, "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.ports['s3']}",
            "AWS_S3_REGION_NAME": "us-east-1", "AWS_ACCESS_KEY_ID": "prodcheck", "AWS_SECRET_ACCESS_KEY": "prodcheck",
            "INSTAGRAM_GRAPH_URL": f"http://127.0.0.1:{self.ports['sandbox']}", "PUBLIC_BASE_URL": self.base,
            "LOG_LEVEL": "WARNING", "HEARTBEAT_STALE_SECONDS": "180",
        }

    # --- processes -------------------------------------------------------------------------------------
    def start(self, name: str, cmd: list[str]) -> None:
        out = open(self.dir / f"{name}.log", "wb")  # noqa: SIM115
        self.procs[name] = subprocess.Popen(cmd, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()

    def manage(self, *args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([PY, "manage.py", *args], cwd=REPO, env=env or self.env, capture_output=True, text=True,
                              timeout=timeout)

    def tree(self) -> list[psutil.Process]:
        found = []
        for proc in self.procs.values():
            try:
                root = psutil.Process(proc.pid)
                found += [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        return found

    def stop_all(self, sig: int = signal.SIGTERM) -> tuple[float, list[str]]:
        """`sig` to every process group; seconds until all are gone, and what was left after 10 s."""
        procs = self.tree()
        started = time.monotonic()
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass

        def left() -> list[str]:
            names = []
            for proc in self.procs.values():
                proc.poll()
            for p in procs:
                try:
                    if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                        names.append(f"{p.pid} {' '.join(p.cmdline()[:4])}")
                except psutil.Error:
                    pass
            return names

        while left() and time.monotonic() - started < 10:
            time.sleep(0.1)
        return time.monotonic() - started, left()

    def kill_all(self) -> None:
        for p in self.tree():
            try:
                p.kill()
            except psutil.Error:
                pass

    def logs_tail(self, lines: int = 15) -> str:
        out = []
        for log in sorted(self.dir.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(out)


class Browser:
    """A requests session that behaves like a browser behind the TLS proxy."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.https_origin = base.replace("http://", "https://")
        self.s = requests.Session()
        self.s.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "prod-check"})

    def _unsecure_cookies(self) -> None:
        for cookie in self.s.cookies:  # Secure cookies over the proxy's plain-HTTP hop, as the proxy would do
            cookie.secure = False

    def get(self, path: str, **kw) -> requests.Response:  # noqa: ANN003
        r = self.s.get(self.base + path, allow_redirects=False, timeout=60, **kw)
        self._unsecure_cookies()
        return r

    def post(self, path: str, data=None, files=None, headers=None) -> requests.Response:  # noqa: ANN001
        token = self.s.cookies.get("csrftoken") or ""
        hdrs = {"X-CSRFToken": token, "Origin": self.https_origin, "Referer": self.https_origin + path, **(headers or {})}
        r = self.s.post(self.base + path, data=data, files=files, headers=hdrs, allow_redirects=False, timeout=60)
        self._unsecure_cookies()
        return r

    def sign_in(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        check(page.status_code == 200, f"login page answered {page.status_code}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        check(token, "the login page has no CSRF token")
        r = self.post("/accounts/login/", {"csrfmiddlewaretoken": token.group(1), "username": username,
                                           "password": password})
        check(r.status_code == 302, f"sign-in as {username} answered {r.status_code} (expected a redirect)")
        check("sessionid" in self.s.cookies, f"sign-in as {username} set no session cookie")


SETUP = """
from accounts.models import User
from accounts.permissions import Role
from accounts.services.instagram import demo_sandbox_account_connect
from accounts.services.users import user_sync_staff
from accounts.services.workspaces import membership_add, workspace_create
ws = workspace_create(name="Prod Check", slug="prodcheck", timezone_name="UTC")
for name, role in (("pc-social", Role.SOCIAL), ("pc-editor", Role.EDITOR), ("pc-admin", Role.ADMIN)):
    user = User.objects.create_user(username=name, email=name + "@example.com", password=PASSWORD)
    membership_add(user=user, workspace=ws, role=role)
    user_sync_staff(user=user)
account = demo_sandbox_account_connect(workspace=ws, username="prodcheck_brand")
print(account.pk)
"""


def jpeg_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1080, 1080), (40, 110, 160)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def run(world: World) -> dict:
    env, ports = world.env, world.ports
    figures: dict = {}

    # 0. production settings refuse to start without their secrets
    bare = {k: v for k, v in env.items() if k not in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ALLOWED_HOSTS")}
    refused = world.manage("check", env=bare, timeout=60)
    check(refused.returncode != 0 and "SECRET_KEY" in refused.stderr and "FIELD_ENCRYPTION_KEY" in refused.stderr,
          "DEBUG=false without secrets did not refuse to start:\n" + refused.stderr[-800:])
    figures["refuses_without_secrets"] = True

    # 1. S3 (moto server) with the bucket, the sandbox
    world.start("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(ports["s3"])])
    world.start("sandbox", [PY, "-m", "instagram.sandbox", "--host", "127.0.0.1", "--port", str(ports["sandbox"]),
                            "--state-file", str(world.dir / "sandbox-state.json"), "--log-level", "WARNING"])
    wait_for(lambda: requests.get(env["AWS_S3_ENDPOINT_URL"], timeout=2).status_code < 500, 60, "moto's S3 server")
    import boto3

    boto3.client("s3", endpoint_url=env["AWS_S3_ENDPOINT_URL"], region_name="us-east-1", aws_access_key_id="prodcheck",
                 aws_secret_access_key="prodcheck").create_bucket(Bucket=world.bucket)
    sandbox = env["INSTAGRAM_GRAPH_URL"]
    wait_for(lambda: requests.get(f"{sandbox}/_control/ledger", timeout=2).ok, 60, "the Instagram sandbox")
    say("S3 (moto) and the sandbox are up")

    # 2. release steps: migrate, collectstatic, deploy checks; the users and a connected sandbox account
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        done = world.manage(*step)
        check(done.returncode == 0, f"manage.py {step[0]} failed:\n{done.stderr[-1500:]}")
    deploy = world.manage("check", "--deploy", "--fail-level", "ERROR")
    check(deploy.returncode == 0, f"manage.py check --deploy failed:\n{deploy.stderr[-1500:]}")
    setup = world.manage("shell", "-c", SETUP.replace("PASSWORD", repr(PASSWORD)))
    check(setup.returncode == 0, f"creating the users failed:\n{setup.stderr[-1500:]}")
    say("migrated, static files collected, users and a sandbox account created")

    # 3. gunicorn and two task clusters
    world.start("web", [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{ports['web']}",
                        "--workers", "2", "--threads", "4", "--timeout", "60", "--graceful-timeout", "5",
                        "--access-logfile", "-"])
    world.start("worker1", [PY, "manage.py", "runworker"])
    world.start("worker2", [PY, "manage.py", "runworker"])
    wait_for(lambda: not port_free(ports["web"]), 60, "gunicorn to listen")
    say("gunicorn and two task clusters started")

    social, editor, admin = Browser(world.base), Browser(world.base), Browser(world.base)
    plain = requests.get(world.base + "/accounts/login/", allow_redirects=False, timeout=30)
    check(plain.status_code == 301 and plain.headers["Location"].startswith("https://"),
          f"plain HTTP was not redirected to HTTPS ({plain.status_code})")
    social.sign_in("pc-social", PASSWORD)
    editor.sign_in("pc-editor", PASSWORD)
    admin.sign_in("pc-admin", PASSWORD)
    ws = "/w/prodcheck"

    # 4. upload → compose → approve (another user) → publish now
    up = social.post(f"{ws}/library/upload", files={"file": ("harbour.jpg", jpeg_bytes(), "image/jpeg")},
                     headers={"Accept": "application/json"})
    check(up.status_code == 201 and up.json().get("ok"), f"upload answered {up.status_code}: {up.text[:300]}")
    asset_id = up.json()["asset"]["id"]
    account_id = int(setup.stdout.strip().splitlines()[-1])
    caption = f"prod-check {secrets.token_hex(4)} #pressroom"
    tomorrow = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 86400))
    composed = social.post(f"{ws}/posts/new", {"account": account_id, "kind": "feed", "caption": caption, "when": "at",
                                               "publish_at": tomorrow, "item_asset": [asset_id], "item_alt": ["A harbour"],
                                               "intent": "submit"})
    check(composed.status_code == 302, f"compose answered {composed.status_code}: {composed.text[-500:]}")
    post_id = int(re.search(r"/posts/(\d+)/", composed.headers["Location"]).group(1))
    self_approve = social.post(f"{ws}/posts/{post_id}/approve")
    check(self_approve.status_code in (302, 403), f"self-approval answered {self_approve.status_code}")
    figures["self_approval_status"] = self_approve.status_code  # 403: a social manager may not approve at all
    # A decision carries the version the reviewer saw (issue 17): read it off the post page as a browser would.
    page = editor.get(f"{ws}/posts/{post_id}/").text
    seen = re.search(r'name="seen_hash" value="([^"]+)"', page)
    check(seen is not None, "the post page offers the editor no approval form")
    approved = editor.post(f"{ws}/posts/{post_id}/approve", {"seen_hash": seen.group(1)})
    check(approved.status_code == 302, f"approval answered {approved.status_code}")
    stale = editor.post(f"{ws}/posts/{post_id}/approve", {"seen_hash": "0" * 64})
    figures["stale_approval_status"] = stale.status_code
    now = social.post(f"{ws}/posts/{post_id}/publish-now", {"confirmed": "1"})  # irreversible: confirmed
    check(now.status_code == 302, f"publish-now answered {now.status_code}")
    started = time.monotonic()

    def ledger_entries() -> list:
        return [e for e in requests.get(f"{sandbox}/_control/ledger", timeout=5).json()["data"]
                if e.get("caption") == caption]

    wait_for(ledger_entries, 90, "the post to reach the sandbox")
    figures["approve_to_published_s"] = round(time.monotonic() - started, 1)
    wait_for(lambda: "Published" in social.get(f"{ws}/posts/{post_id}/").text, 60, "the post page to say Published")
    say(f"published in {figures['approve_to_published_s']} s")

    # 5. archive a public profile and download its ZIP
    # Production requires two-factor sign-in of Administrators (issue 20): the admin, signed in with a password only,
    # is sent to enrolment; the social manager (no 2FA required for the role) adds the profile.
    gated = admin.post(f"{ws}/archive/add", {"username": "verde_kitchen"})
    check(gated.status_code == 302 and "/accounts/two-factor/" in gated.headers.get("Location", ""),
          f"an Administrator without two-factor answered {gated.status_code} {gated.headers.get('Location', '')}")
    figures["admin_without_2fa"] = gated.headers["Location"]
    admin = social
    added = admin.post(f"{ws}/archive/add", {"username": "verde_kitchen"})
    check(added.status_code == 302 and "/archive/p/" in added.headers.get("Location", ""),
          f"adding a profile answered {added.status_code}")
    profile_path = re.search(r"(/w/prodcheck/archive/p/\d+/)", added.headers["Location"]).group(1)

    def archived_zip() -> zipfile.ZipFile | None:
        r = admin.get(profile_path + "export.zip")
        if r.status_code != 200:
            return None
        archive = zipfile.ZipFile(io.BytesIO(r.content))
        media = [n for n in archive.namelist() if n.lower().endswith((".jpg", ".jpeg", ".png", ".mp4", ".webp"))]
        return archive if len(media) >= 5 else None

    archive = wait_for(archived_zip, 150, "the archive ZIP to contain the profile's media", step=2)
    figures["zip_entries"] = len(archive.namelist())
    say(f"archive ZIP downloaded: {figures['zip_entries']} entries")

    # 6. /healthz and static files
    def healthy() -> bool:
        r = requests.get(world.base + "/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=10)
        figures["healthz"] = r.json()
        return r.status_code == 200

    wait_for(healthy, 120, "/healthz to answer 200 (the cluster heartbeat is scheduled once a minute)", step=2)
    figures["healthz"] = 200
    login_html = social.get("/accounts/login/").text + social.get(f"{ws}/").text
    static = re.search(r'(/static/[^"\']+\.[0-9a-f]{12}\.(?:css|js))', login_html)
    check(static, "no hashed static file (whitenoise manifest) is linked from the pages")
    r = requests.get(world.base + static.group(1), headers={"X-Forwarded-Proto": "https"}, timeout=10)
    cache = r.headers.get("Cache-Control", "")
    max_age = int(re.search(r"max-age=(\d+)", cache).group(1)) if "max-age" in cache else 0
    check(r.status_code == 200 and max_age >= 365 * 86400 and "immutable" in cache,
          f"static {static.group(1)}: {r.status_code}, Cache-Control {cache!r} (want a year or more, immutable)")
    figures["static_max_age_days"] = max_age // 86400

    # 7. still exactly once, then SIGTERM to everything
    time.sleep(3)
    entries = ledger_entries()
    check(len(entries) == 1, f"the sandbox ledger has the post {len(entries)} times")
    figures["ledger_entries"] = len(entries)
    took, left = world.stop_all(signal.SIGTERM)
    check(not left, f"still running 10 s after SIGTERM: {left}")
    busy = [name for name, port in ports.items() if not port_free(port)]
    check(not busy, f"ports still taken after the stop: {busy}")
    figures["stop_s"] = round(took, 1)
    return figures


def main() -> int:
    world = World()
    try:
        figures = run(world)
        figures["wall_s"] = round(time.monotonic() - T0, 1)
        print("prod-check OK " + json.dumps({"db": "postgres", "storage": "s3 (moto)", "clusters": 2, **figures}),
              flush=True)
        return 0
    except (CheckFailed, requests.RequestException, subprocess.TimeoutExpired) as exc:
        print(f"prod-check FAILED: {exc}\n{world.logs_tail()}", flush=True)
        return 1
    finally:
        world.kill_all()
        import shutil

        shutil.rmtree(world.dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
