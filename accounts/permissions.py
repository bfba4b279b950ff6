"""The one policy module: every "may this user do X here" question is answered here.

Membership decides *where* (a non-member gets 404, never 403, so existence is not revealed);
the membership's role — in *that* workspace — decides *what* (a member without the right gets 403).
One person may be Editor for one brand and Client for another. Views, admin (through
accounts.backends.WorkspaceRoleBackend), feeds, services and tasks ask this module; none re-implement it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from accounts.models import Workspace


class Role(enum.StrEnum):
    ADMIN = "Administrator"
    EDITOR = "Editor"
    SOCIAL = "Social manager"
    CLIENT = "Client"


class Action(enum.StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_CALENDAR = "view_calendar"  # clients see approved posts only
    VIEW_ALL_POSTS = "view_all_posts"  # drafts and in-review too
    COMPOSE_POST = "compose_post"
    SUBMIT_POST = "submit_post"
    REVIEW_POST = "review_post"  # approve, reject, request changes
    EDIT_CAPTION = "edit_caption"
    PUBLISH_NOW = "publish_now"
    HANDLE_MANUAL = "handle_manual"
    USE_LIBRARY = "use_library"
    VIEW_ARCHIVE = "view_archive"
    MANAGE_ARCHIVE = "manage_archive"
    DOWNLOAD_ORIGINALS = "download_originals"
    MANAGE_ACCOUNTS = "manage_accounts"  # connect / reconnect Instagram accounts
    MANAGE_WORKSPACE = "manage_workspace"  # users, settings
    USE_ADMIN = "use_admin"
    VIEW_ANALYTICS = "view_analytics"  # analytics, best time to post, the monthly report and its CSV (published posts)
    MANAGE_REPORTS = "manage_reports"  # who gets the monthly report e-mail


# How a refusal names each action to a person (the 403 page shows "Your role may not …").
ACTION_PHRASES: dict[Action, str] = {
    Action.VIEW_DASHBOARD: "open this workspace's dashboard", Action.VIEW_CALENDAR: "see the calendar",
    Action.VIEW_ALL_POSTS: "see drafts and posts in review", Action.COMPOSE_POST: "compose posts",
    Action.SUBMIT_POST: "submit posts for review", Action.REVIEW_POST: "review posts",
    Action.EDIT_CAPTION: "edit captions", Action.PUBLISH_NOW: "publish posts now",
    Action.HANDLE_MANUAL: "work the manual queue", Action.USE_LIBRARY: "use the media library",
    Action.VIEW_ARCHIVE: "see the archive", Action.MANAGE_ARCHIVE: "add or update archived profiles",
    Action.DOWNLOAD_ORIGINALS: "download originals", Action.MANAGE_ACCOUNTS: "manage Instagram accounts",
    Action.MANAGE_WORKSPACE: "manage users and settings", Action.USE_ADMIN: "use the admin",
    Action.VIEW_ANALYTICS: "see analytics and reports", Action.MANAGE_REPORTS: "change who gets the monthly report",
}

_ALL = frozenset(Action)
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: _ALL,
    Role.EDITOR: frozenset(
        {
            Action.VIEW_DASHBOARD,
            Action.VIEW_CALENDAR,
            Action.VIEW_ALL_POSTS,
            Action.REVIEW_POST,
            Action.EDIT_CAPTION,
            Action.VIEW_ARCHIVE,
            Action.DOWNLOAD_ORIGINALS,
            Action.USE_ADMIN,
            Action.VIEW_ANALYTICS,
        }
    ),
    Role.SOCIAL: frozenset(
        {
            Action.VIEW_DASHBOARD,
            Action.VIEW_CALENDAR,
            Action.VIEW_ALL_POSTS,
            Action.COMPOSE_POST,
            Action.SUBMIT_POST,
            Action.EDIT_CAPTION,
            Action.PUBLISH_NOW,
            Action.HANDLE_MANUAL,
            Action.USE_LIBRARY,
            Action.VIEW_ARCHIVE,
            Action.MANAGE_ARCHIVE,
            Action.DOWNLOAD_ORIGINALS,
            Action.VIEW_ANALYTICS,
        }
    ),
    Role.CLIENT: frozenset(
        {Action.VIEW_DASHBOARD, Action.VIEW_CALENDAR, Action.VIEW_ARCHIVE, Action.DOWNLOAD_ORIGINALS,
         Action.VIEW_ANALYTICS}
    ),
}

# Roles that enter the Django admin: a user is staff while they hold one of them in some workspace.
STAFF_ROLES = frozenset({Role.ADMIN, Role.EDITOR})
# Who may hand out which role (Team page, invitations, user admin): never a role above one's own.
ROLE_RANK: dict[Role, int] = {Role.ADMIN: 3, Role.EDITOR: 2, Role.SOCIAL: 2, Role.CLIENT: 1}

_NOT_MEMBER = "not a member"


def _as_role(value: str) -> Role | None:
    return Role(value) if value else None


def _membership(user: Any, workspace_pk: int) -> Role | None | str:
    """The user's role in one workspace (None: member without a role; _NOT_MEMBER), cached on the user object."""
    cache: dict[int, Any] = user.__dict__.setdefault("_pressroom_roles", {})
    if workspace_pk not in cache:
        from accounts.models import Membership

        rows = list(Membership.objects.filter(user=user, workspace_id=workspace_pk).values_list("role", flat=True)[:1])
        cache[workspace_pk] = _as_role(rows[0]) if rows else _NOT_MEMBER
    return cache[workspace_pk]


def forget_roles(user: Any) -> None:
    """Drop the per-request cache after a membership of `user` changed."""
    user.__dict__.pop("_pressroom_roles", None)
    user.__dict__.pop("_pressroom_role_perms", None)


def role_of(user: Any, workspace: Workspace | int | None) -> Role | None:
    """The user's role in `workspace` (None outside it, or without a role); a superuser counts as Administrator."""
    if workspace is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    found = _membership(user, workspace if isinstance(workspace, int) else workspace.pk)
    return None if found == _NOT_MEMBER else found


def allows(role: Role | None, action: Action) -> bool:
    return role is not None and action in ROLE_ACTIONS[role]


def workspaces_for(user: Any) -> QuerySet[Workspace]:
    from accounts.models import Workspace

    if not getattr(user, "is_authenticated", False):
        return Workspace.objects.none()
    if user.is_superuser:
        return Workspace.objects.all()
    return Workspace.objects.filter(memberships__user=user, archived_at__isnull=True)


def workspaces_with_roles(user: Any, roles: Any) -> QuerySet[Workspace]:
    """Workspaces where the user's membership holds one of `roles` (all of them for a superuser)."""
    from accounts.models import Workspace

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Workspace.objects.none()
    if user.is_superuser:
        return Workspace.objects.all()
    # One filter() call: the role condition must hold on the user's own membership row.
    return Workspace.objects.filter(memberships__user=user, memberships__role__in=[r.value for r in roles],
                                    archived_at__isnull=True)


def workspaces_where(user: Any, action: Action) -> QuerySet[Workspace]:
    """Workspaces in which the user's role allows `action`."""
    return workspaces_with_roles(user, [r for r in Role if action in ROLE_ACTIONS[r]])


def administered_workspaces(user: Any) -> QuerySet[Workspace]:
    """Workspaces whose users and settings `user` manages: all for a superuser, those where they are Administrator."""
    return workspaces_where(user, Action.MANAGE_WORKSPACE)


def grantable_roles(actor: Any, workspace: Workspace) -> list[Role]:
    """Roles `actor` may give in `workspace`: none unless they manage it, and never one above their own."""
    if not can(actor, Action.MANAGE_WORKSPACE, workspace):
        return []
    mine = ROLE_RANK[role_of(actor, workspace)]  # type: ignore[index]
    return [role for role in Role if ROLE_RANK[role] <= mine]


def users_visible_to(user: Any) -> QuerySet:
    """Users an actor may see (admin lists, pickers, autocomplete): members of the actor's workspaces."""
    from accounts.models import Membership, User

    if getattr(user, "is_superuser", False):
        return User.objects.all()
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    shared = Membership.objects.filter(workspace__in=workspaces_for(user).values("pk"))
    return User.objects.filter(pk__in=shared.values("user_id"))


def users_manageable_by(user: Any) -> QuerySet:
    """Users whose account an actor may edit (name, email, password, active, delete).

    Roles live on memberships and are changed per workspace (Team page); the account itself is shared by all of
    a user's workspaces, so a non-superuser Administrator edits only users all of whose memberships lie in
    workspaces they administer. Superusers are never managed by anyone but a superuser.
    """
    from accounts.models import Membership, User

    if getattr(user, "is_superuser", False):
        return User.objects.all()
    mine = administered_workspaces(user).values("pk")
    elsewhere = Membership.objects.exclude(workspace__in=mine).values("user_id")
    inside = Membership.objects.filter(workspace__in=mine).values("user_id")
    return User.objects.filter(pk__in=inside, is_superuser=False).exclude(pk__in=elsewhere)


def can_manage_user(actor: Any, target: Any) -> bool:
    if getattr(actor, "is_superuser", False):
        return True
    if target is None or getattr(target, "is_superuser", False):
        return False
    return users_manageable_by(actor).filter(pk=target.pk).exists()


def is_member(user: Any, workspace: Workspace) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if getattr(workspace, "archived_at", None) is not None:
        return False  # an archived workspace is the agency owner's alone
    return _membership(user, workspace.pk) != _NOT_MEMBER


def member_since(user: Any, workspace: Workspace) -> Any:
    """When the user's current membership began (None for none): secrets issued before it are void."""
    from accounts.models import Membership

    return Membership.objects.filter(user=user, workspace=workspace).values_list("created_at", flat=True).first()


def can(user: Any, action: Action, workspace: Workspace) -> bool:
    return is_member(user, workspace) and allows(role_of(user, workspace), action)


def workspace_lookup(model: Any) -> str | None:
    """The lookup from `model` to its workspace ("workspace", "account__workspace", "post__workspace"), if any."""
    names = {f.name: f for f in model._meta.get_fields()}
    if "workspace" in names:
        return "workspace"
    for hop in ("account", "post", "asset", "profile"):
        field = names.get(hop)
        if field is not None and field.is_relation and field.related_model is not None:
            deeper = workspace_lookup(field.related_model)
            if deeper:
                return f"{hop}__{deeper}"
    return None


def workspace_of(obj: Any) -> Workspace | None:
    """The workspace a row belongs to (the workspace itself for a Workspace), or None for global rows."""
    from accounts.models import Workspace

    if isinstance(obj, Workspace):
        return obj
    path = workspace_lookup(type(obj)) if hasattr(obj, "_meta") else None
    if path is None:
        return None
    for hop in path.split("__"):
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return obj


def admin_scope(user: Any, queryset: QuerySet, field: str, perms: tuple[str, ...]) -> QuerySet:
    """Rows of workspaces where the user's role holds one of the model permissions `perms` (admin lists)."""
    from accounts.roles import roles_with_permission

    if getattr(user, "is_superuser", False):
        return queryset
    roles = {role for perm in perms for role in roles_with_permission(perm)}
    return queryset.filter(**{f"{field}__in": workspaces_with_roles(user, roles).values("pk")})


def require(user: Any, action: Action, workspace: Workspace) -> None:
    """404 for non-members (existence stays hidden), 403 for members whose role lacks the action."""
    if not is_member(user, workspace):
        raise Http404("No such workspace.")
    if not allows(role_of(user, workspace), action):
        raise PermissionDenied(f"Your role may not {ACTION_PHRASES.get(action, action.value.replace('_', ' '))}.")


def get_workspace(user: Any, slug: str, action: Action) -> Workspace:
    from accounts.models import Workspace

    qs = Workspace.objects.filter(slug=slug)
    if getattr(user, "is_authenticated", False) and not user.is_superuser:
        # Membership in the same query: one round trip for "which workspace, and may I be here".
        from django.db.models import Exists, OuterRef, Subquery

        from accounts.models import Membership

        mine = Membership.objects.filter(workspace=OuterRef("pk"), user=user)
        qs = qs.annotate(_member=Exists(mine), _role=Subquery(mine.values("role")[:1]))
    workspace = qs.first()
    if workspace is None:
        raise Http404("No such workspace.")
    if hasattr(workspace, "_member"):
        cache = user.__dict__.setdefault("_pressroom_roles", {})
        cache[workspace.pk] = _as_role(workspace._role or "") if workspace._member else _NOT_MEMBER
    require(user, action, workspace)
    return workspace


def scope(user: Any, queryset: QuerySet, field: str = "workspace") -> QuerySet:
    """Limit any queryset of workspace-owned rows to the user's workspaces."""
    if getattr(user, "is_superuser", False):
        return queryset
    return queryset.filter(**{f"{field}__in": workspaces_for(user).values("pk")})


def workspace_view(action: Action) -> Callable:
    """Decorator for views under /w/<ws>/…: signs in, resolves the workspace, checks the policy.

    The view receives `request.workspace` and `request.role`.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, ws: str, *args: Any, **kwargs: Any) -> HttpResponse:
            request.workspace = get_workspace(request.user, ws, action)
            request.role = role_of(request.user, request.workspace)
            if request.session.get("workspace") != request.workspace.slug:  # no session write per request
                request.session["workspace"] = request.workspace.slug
            return view(request, *args, **kwargs)

        # Read by the route × role matrix test: the expected answer of every route comes from the policy.
        wrapper.pressroom_action = action
        return wrapper

    return decorator
