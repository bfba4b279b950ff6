"""Idempotent demo data: a demo agency with two workspaces and one user per role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User, Workspace
from accounts.permissions import Role
from accounts.services.workspaces import membership_add, workspace_create
from demo.archive import seed_demo_archive
from demo.content import seed_demo_content
from demo.history import seed_demo_history

DEMO_PASSWORD = "pressroom-demo"
WORKSPACES = [("Acme Coffee", "acme", "Europe/Berlin"), ("Bluebird Books", "bluebird", "America/New_York")]
# username, role, workspaces
USERS = [
    ("admin", Role.ADMIN, ["acme", "bluebird"]),
    ("editor", Role.EDITOR, ["acme", "bluebird"]),
    ("social", Role.SOCIAL, ["acme", "bluebird"]),
    ("client", Role.CLIENT, ["acme"]),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo agency: two workspaces and one user per role."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            by_slug = {}
            for name, slug, tz in WORKSPACES:
                ws = Workspace.objects.filter(slug=slug).first() or workspace_create(
                    name=name, slug=slug, timezone_name=tz
                )
                by_slug[slug] = ws
            for username, role, slugs in USERS:
                user, created = User.objects.get_or_create(
                    username=username, defaults={"email": f"{username}@demo.pressroom.local"}
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                for slug in slugs:
                    membership_add(user=user, workspace=by_slug[slug], role=role)
        for hook in self.extra_steps():
            hook(self, by_slug)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ with:"))
        for username, role, slugs in USERS:
            self.stdout.write(f"  {username:<8} / {DEMO_PASSWORD}   {role.value} in {', '.join(slugs)}")

    def extra_steps(self) -> list:
        """Each app's demo data, in order: accounts on the sandbox, then media and posts, 90 days of published history
        with insights, then the archive."""
        return [connect_sandbox_accounts, seed_demo_content, seed_demo_history, seed_demo_archive]


def connect_sandbox_accounts(command: BaseCommand, workspaces: dict[str, Workspace]) -> None:
    """Each demo workspace gets a connected account on the running Instagram sandbox."""
    import requests

    from accounts.services.instagram import demo_sandbox_account_connect

    for slug, ws in workspaces.items():
        try:
            account = demo_sandbox_account_connect(workspace=ws, username=f"{slug}_demo")
        except requests.RequestException:
            command.stdout.write(
                command.style.WARNING(
                    "  The Instagram sandbox is not running, so no demo account was connected. "
                    "Start it (python -m instagram.sandbox) and run seed_demo again."
                )
            )
            return
        command.stdout.write(f"  {ws.name}: connected sandbox account @{account.username}")
