"""The navigation, defined once: each entry names the policy action that grants it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from accounts.permissions import Action, allows, role_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: Action
    workspace_scoped: bool = True
    group: str = ""  # "" = on the bar; otherwise the name of the menu it folds into (keeps the bar one line)


NAV: list[NavItem] = [
    NavItem("Dashboard", "scheduler:dashboard", Action.VIEW_DASHBOARD),
    NavItem("Calendar", "scheduler:calendar", Action.VIEW_CALENDAR),
    NavItem("Posts", "scheduler:post_list", Action.VIEW_ALL_POSTS),
    NavItem("Manual queue", "scheduler:manual_queue", Action.HANDLE_MANUAL),
    NavItem("Media library", "scheduler:library", Action.USE_LIBRARY),
    NavItem("Archive", "archive:index", Action.VIEW_ARCHIVE),
    NavItem("Analytics", "scheduler:analytics", Action.VIEW_ANALYTICS),
    NavItem("Report", "scheduler:report", Action.VIEW_ANALYTICS),
    NavItem("Instagram accounts", "accounts:instagram_accounts", Action.MANAGE_ACCOUNTS, group="Workspace"),
    NavItem("Team", "accounts:team", Action.MANAGE_WORKSPACE, group="Workspace"),
    NavItem("Settings", "accounts:workspace_settings", Action.MANAGE_WORKSPACE, group="Workspace"),
    NavItem("Review desk", "admin:index", Action.USE_ADMIN, workspace_scoped=False),
]


def nav_for(user, workspace) -> list[dict[str, str]]:  # noqa: ANN001
    role = role_of(user, workspace)
    items = []
    for item in NAV:
        if not allows(role, item.action):
            continue
        try:
            url = reverse(item.url_name, kwargs={"ws": workspace.slug}) if item.workspace_scoped else reverse(item.url_name)
        except NoReverseMatch:
            continue  # the page arrives with a later issue
        items.append({"label": item.label, "url": url, "name": item.url_name, "group": item.group})
    return items
