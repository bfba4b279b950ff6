"""Child process for the crash test: `setup` an archive on a file database, or `run` one until done (or killed)."""

from __future__ import annotations

import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()


def setup(token: str, ig_user_id: str, username: str) -> dict:
    from django.contrib.auth import get_user_model

    from accounts.models import InstagramAccount, Workspace
    from accounts.permissions import Role
    from accounts.services.workspaces import membership_add
    from archive.services.profiles import profile_add

    ws = Workspace.objects.create(name="Crash Co", slug="crash")
    user = get_user_model().objects.create(username="crash-social")
    membership_add(user=user, workspace=ws, role=Role.SOCIAL)
    InstagramAccount.objects.create(workspace=ws, ig_user_id=ig_user_id, username="crash_asker", access_token=token,
                                    login_api="facebook")
    profile, _ = profile_add(user=user, workspace=ws, username=username, enqueue=False)
    return {"run_id": profile.runs.get().pk}


def run(run_id: int) -> dict:
    from archive.models import ArchiveRun
    from archive.services.runs import run_advance

    outcome = "continue"
    while outcome == "continue":
        outcome = run_advance(run_id=run_id)
    r = ArchiveRun.objects.get(pk=run_id)
    return {"outcome": outcome, "media_done": r.media_done, "media_total": r.media_total, "failed": r.media_failed}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    result = setup(*args) if command == "setup" else run(int(args[0]))
    print(json.dumps(result), flush=True)
