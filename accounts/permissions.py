"""The one policy module: every "may this user do X here" question is answered here.

Membership decides *where* (a non-member gets 404, never 403, so existence is not revealed);
the user's role — a Django Group — decides *what* (a member without the right gets 403).
Views, admin, services and tasks ask this module; none re-implement it.
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

# Staff flag (admin access) follows the role; kept here so seeding and user admin agree.
STAFF_ROLES = frozenset({Role.ADMIN, Role.EDITOR})


def role_of(user: Any) -> Role | None:
    """The user's role; a superuser counts as Administrator. Cached on the user object per request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    cached = getattr(user, "_pressroom_role", False)
    if cached is not False:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    role = next((r for r in Role if r.value in names), None)  # Role order = precedence
    user._pressroom_role = role
    return role


def allows(role: Role | None, action: Action) -> bool:
    return role is not None and action in ROLE_ACTIONS[role]


def workspaces_for(user: Any) -> QuerySet[Workspace]:
    from accounts.models import Workspace

    if not getattr(user, "is_authenticated", False):
        return Workspace.objects.none()
    if user.is_superuser:
        return Workspace.objects.all()
    return Workspace.objects.filter(memberships__user=user)


def administered_workspaces(user: Any) -> QuerySet[Workspace]:
    """Workspaces whose users and settings `user` manages: all for a superuser, their own for an Administrator."""
    from accounts.models import Workspace

    if getattr(user, "is_superuser", False):
        return Workspace.objects.all()
    if role_of(user) is not Role.ADMIN:
        return Workspace.objects.none()
    return workspaces_for(user)


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
    """Users an actor may edit (password, role, staff flag, active, delete).

    A non-superuser Administrator manages only users all of whose memberships lie in workspaces they
    administer: roles are global, so editing a user shared with another workspace would change their rights
    there too. Superusers are never managed by anyone but a superuser.
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
    cache: dict[int, bool] = user.__dict__.setdefault("_pressroom_member", {})
    if workspace.pk not in cache:
        cache[workspace.pk] = workspace.memberships.filter(user=user).exists()
    return cache[workspace.pk]


def can(user: Any, action: Action, workspace: Workspace) -> bool:
    return is_member(user, workspace) and allows(role_of(user), action)


# Post statuses (scheduler.Post.Status values; accounts imports no app above it) whose media a client may see:
# the approved calendar and what went out of it. Drafts and posts in review stay with the team.
CLIENT_VISIBLE_POST_STATUSES = ("approved", "publishing", "published")
# Posts on their way out (or just out): Instagram may fetch their media through a signed public URL.
PUBLIC_MEDIA_POST_STATUSES = ("approved", "publishing", "published", "failed", "needs_review", "manual")


def can_view_asset(user: Any, asset: Any, *, variant: str = "thumb") -> bool:
    """May `user` fetch this library file (thumb, instagram rendition or original)?

    Members only. Roles that work with the library or see every post see every file; a client sees files of
    approved or published posts only; originals need the download right too.
    """
    workspace = asset.workspace
    if not is_member(user, workspace):
        return False
    role = role_of(user)
    if variant == "original" and not allows(role, Action.DOWNLOAD_ORIGINALS):
        return False
    if allows(role, Action.USE_LIBRARY) or allows(role, Action.VIEW_ALL_POSTS):
        return True
    if allows(role, Action.VIEW_CALENDAR):
        return asset.post_items.filter(post__status__in=CLIENT_VISIBLE_POST_STATUSES).exists()
    return False


def can_fetch_public_asset(asset: Any) -> bool:
    """The signed public URL (no session: Instagram's fetcher) serves only media of posts on their way out."""
    return asset.post_items.filter(post__status__in=PUBLIC_MEDIA_POST_STATUSES).exists()


def require(user: Any, action: Action, workspace: Workspace) -> None:
    """404 for non-members (existence stays hidden), 403 for members whose role lacks the action."""
    if not is_member(user, workspace):
        raise Http404("No such workspace.")
    if not allows(role_of(user), action):
        raise PermissionDenied(f"Your role may not {ACTION_PHRASES.get(action, action.value.replace('_', ' '))}.")


def get_workspace(user: Any, slug: str, action: Action) -> Workspace:
    from accounts.models import Workspace

    qs = Workspace.objects.filter(slug=slug)
    if getattr(user, "is_authenticated", False) and not user.is_superuser:
        # Membership in the same query: one round trip for "which workspace, and may I be here".
        from django.db.models import Exists, OuterRef

        from accounts.models import Membership

        qs = qs.annotate(_member=Exists(Membership.objects.filter(workspace=OuterRef("pk"), user=user)))
    workspace = qs.first()
    if workspace is None:
        raise Http404("No such workspace.")
    if hasattr(workspace, "_member"):
        user.__dict__.setdefault("_pressroom_member", {})[workspace.pk] = workspace._member
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
            request.role = role_of(request.user)
            if request.session.get("workspace") != request.workspace.slug:  # no session write per request
                request.session["workspace"] = request.workspace.slug
            return view(request, *args, **kwargs)

        # Read by the route × role matrix test: the expected answer of every route comes from the policy.
        wrapper.pressroom_action = action
        return wrapper

    return decorator
