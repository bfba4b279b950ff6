"""manage.py archive_import_instaloader <workspace-slug> <folder> --user <username>: import an Instaloader folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Workspace
from archive.services.instaloader import ImportFailed, profile_import_instaloader


class Command(BaseCommand):
    help = "Import a profile folder downloaded by Instaloader (.json.xz metadata and media files) into the archive."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("workspace", help="workspace slug")
        parser.add_argument("folder", type=Path)
        parser.add_argument("--user", required=True, help="a user allowed to manage the archive of the workspace")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        user = get_user_model().objects.filter(username=options["user"]).first()
        if workspace is None or user is None:
            raise CommandError("No such workspace or user.")
        try:
            result = profile_import_instaloader(user=user, workspace=workspace, folder=options["folder"])
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"@{result.profile.username}: {result.posts_new} new posts, {result.files_stored} files stored, "
            f"{result.posts_known} already archived."))
        for problem in result.problems:
            self.stdout.write(self.style.WARNING(f"  {problem}"))
