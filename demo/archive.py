"""Demo archive: one sandbox profile per workspace, archived through the real services, so galleries are not empty."""

from __future__ import annotations

from datetime import timedelta

import requests

from accounts.models import InstagramAccount, User, Workspace
from archive.models import ArchivedProfile, ProfileSnapshot
from archive.services import runs
from archive.services.profiles import ProfileAddError, profile_add

DEMO_PROFILES = {"acme": "northwind_coffee", "bluebird": "harbor_books"}
HISTORY_DAYS = 60  # the demo profile looks followed for two months, so its page has a growth chart on day one


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
        _backfill_history(profile)
        command.stdout.write(f"  {ws.name}: archived @{username} ({run.posts_seen} posts, {run.media_done} files)")


def _backfill_history(profile: ArchivedProfile) -> None:
    """Demo only: earlier daily snapshots leading up to the real first fetch (a steady climb), so the profile page
    shows its followers-and-posts chart instead of "appears after the second fetch" on a fresh install."""
    first = profile.snapshots.order_by("taken_at").first()
    if first is None or first.followers_count is None:
        return
    ProfileSnapshot.objects.bulk_create(
        ProfileSnapshot(profile=profile, taken_at=first.taken_at - timedelta(days=days),
                        followers_count=round(first.followers_count * (1 - 0.003 * days)),
                        follows_count=first.follows_count,
                        media_count=None if first.media_count is None else max(0, first.media_count - days // 3))
        for days in range(HISTORY_DAYS, 0, -1))
