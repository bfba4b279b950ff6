"""Demo archive: one sandbox profile per workspace, archived through the real services, so galleries are not empty."""

from __future__ import annotations

import requests

from accounts.models import InstagramAccount, User, Workspace
from archive.models import ArchivedProfile
from archive.services import runs
from archive.services.profiles import ProfileAddError, profile_add

DEMO_PROFILES = {"acme": "northwind_coffee", "bluebird": "harbor_books"}


def seed_demo_archive(command, workspaces: dict[str, Workspace]) -> None:  # noqa: ANN001
    social = User.objects.filter(username="social").first()
    if social is None:
        return
    for slug, ws in workspaces.items():
        username = DEMO_PROFILES.get(slug)
        if not username or ArchivedProfile.objects.filter(workspace=ws).exists():
            continue
        if not InstagramAccount.objects.filter(workspace=ws).exists():
            command.stdout.write(f"  {ws.name}: no connected account, so no demo archive")
            continue
        try:
            # Run it here, step by step, rather than waiting for a task cluster that may not be running yet.
            profile, _ = profile_add(user=social, workspace=ws, username=username, enqueue=False)
            run = profile.runs.order_by("-id").first()
            outcome = "continue"
            while outcome == "continue":
                outcome = runs.run_advance(run_id=run.pk)
        except (ProfileAddError, requests.RequestException) as exc:
            command.stdout.write(command.style.WARNING(f"  {ws.name}: no demo archive ({exc})"))
            continue
        run.refresh_from_db()
        command.stdout.write(f"  {ws.name}: archived @{username} ({run.posts_seen} posts, {run.media_done} files)")
