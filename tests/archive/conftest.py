"""Archive fixtures: the sandbox over HTTP, a connected account to ask with, local media storage, run driving."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import InstagramAccount


@pytest.fixture
def ig(sandbox):
    """The shared sandbox (reset, the app pointed at it), under the name the archive tests use."""
    return sandbox


@pytest.fixture
def archive_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ARCHIVE_DOWNLOAD_CONCURRENCY = 3
    settings.ARCHIVE_SLOWDOWN_SECONDS = 0
    return settings


@pytest.fixture
def no_enqueue(monkeypatch):
    """Runs are driven by the test (drive()), not by the task cluster."""
    import archive.services.runs as runs

    queued: list[int] = []
    monkeypatch.setattr(runs, "enqueue_run", lambda run_id: queued.append(run_id))
    return queued


def connect(sandbox, workspace, username="acme_brand", login="facebook") -> InstagramAccount:
    remote = sandbox.create_account(username, login=login)
    return InstagramAccount.objects.create(
        workspace=workspace, ig_user_id=remote["ig_user_id"], username=remote["username"],
        access_token=remote["access_token"], expires_at=timezone.now() + timedelta(days=60), login_api=login,
    )


@pytest.fixture
def asker(ig, workspace, archive_settings, no_enqueue) -> InstagramAccount:
    return connect(ig, workspace)


def drive(run, *, budget_seconds: float = 60, max_steps: int = 50) -> str:
    """Advance a run until it finishes, waits or fails (what the task cluster does step by step)."""
    from archive.services.runs import run_advance

    outcome = "continue"
    for _ in range(max_steps):
        outcome = run_advance(run_id=run.pk, budget_seconds=budget_seconds)
        if outcome != "continue":
            break
    run.refresh_from_db()
    return outcome
