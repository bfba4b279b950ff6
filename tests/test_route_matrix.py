"""Route × persona matrices: nobody reaches another workspace, and inside one every role gets what the policy says.

1. Every URL pattern under ``w/<slug:ws>/`` (found by walking ``get_resolver()`` through nested includes) is filled
   with real objects of workspace A and requested with GET and POST by each role of workspace B (members of B only)
   and anonymously: the answer must be 404 (B's members) or a redirect to sign-in (anonymous).
2. The same for every ``/admin/<app>/<model>/<pk>/…`` page (change, history, delete, and password for users) of A's
   objects: 404 for B's staff, a redirect to the admin sign-in for everyone else.
3. Inside workspace A every route is requested by each role; the expected answer is the exact status written in
   ``EXPECTED_STATUS`` below (route name → one status per role), an independent table, not the view's decorator:
   allowed → 2xx/3xx only, not allowed → 403 (or 404 where the view hides the object).

ADDING A ROUTE (calendar, composer, archive, exports …): every route needs its line in ``EXPECTED_STATUS``. Routes
whose only parameter is ``ws`` need nothing more. A route
with more parameters needs ONE entry in ``ROUTE_KWARGS`` below: its namespaced name → a function of the ``World``
(A's objects) returning the extra kwargs (or a list of kwargs dicts to try several). If the object it needs is not in
the World yet, add it in ``build_world``. A route without an entry fails these tests, naming the route, so a new route
cannot slip past the matrix. Likewise a model registered in the admin needs one entry in ``ADMIN_OBJECTS`` (label →
function returning A's instance) or, if it holds no workspace data, a line in ``GLOBAL_ADMIN_MODELS`` saying why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.models import InstagramAccount, Notification, User, Workspace
from accounts.permissions import Role
from scheduler.models import MediaAsset, Post, PostingSlot, PublishAttempt, ReviewEvent
from scheduler.services.media import media_upload
from tests.factories import InstagramAccountFactory, UserFactory
from tests.scheduler.media_fixtures import image_bytes, media_settings, upload  # noqa: F401 (the fixture)
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db
WS_PREFIX = "w/<slug:ws>/"


@dataclass
class World:
    """Workspace A's objects that routes and admin pages are filled with."""

    a: Workspace
    account: InstagramAccount
    post: Post  # approved, with media: visible to every role of A, so the role matrix tests the policy alone
    asset: MediaAsset  # used by `post`
    slot: PostingSlot
    event: ReviewEvent
    attempt: PublishAttempt
    notification: Notification
    member: User  # a user of A only
    archive: Any = None  # ArchivedProfile with posts, stored files and a running ArchiveRun (see _archive)


def _post_pk(w: World) -> dict[str, Any]:
    return {"pk": w.post.pk}


def _asset_pk(w: World) -> dict[str, Any]:
    return {"pk": w.asset.pk}


# Route name → how to fill its parameters (besides ws). One entry per route with parameters; see the docstring.
def _archive(workspace: Workspace) -> Any:
    """An archived profile of A with posts, stored files (thumbnail, original, picture) and a running run."""
    from archive.models import ArchivedMedia
    from tests.archive.factories import make_profile, make_run

    profile = make_profile(workspace, posts=3)
    media = ArchivedMedia.objects.filter(post__profile=profile).select_related("post").first()
    profile.picture = media.thumbnail
    profile.save(update_fields=["picture"])
    profile.test_post, profile.test_media, profile.test_run = media.post, media, make_run(profile)
    return profile


ROUTE_KWARGS: dict[str, Callable[[World], dict[str, Any] | list[dict[str, Any]]]] = {
    "archive:profile_add_own": lambda w: {"account_id": w.account.pk},
    "archive:profile": lambda w: {"pk": w.archive.pk},
    "archive:gallery": lambda w: {"pk": w.archive.pk},
    "archive:profile_refresh": lambda w: {"pk": w.archive.pk},
    "archive:profile_settings": lambda w: {"pk": w.archive.pk},
    "archive:export": lambda w: {"pk": w.archive.pk},
    "archive:profile_picture": lambda w: {"pk": w.archive.pk},
    "archive:post_detail": lambda w: {"pk": w.archive.test_post.pk},
    "archive:run_progress": lambda w: {"pk": w.archive.test_run.pk},
    "archive:media_thumb": lambda w: {"pk": w.archive.test_media.pk},
    "archive:media_original": lambda w: {"pk": w.archive.test_media.pk},
    "accounts:instagram_refresh": lambda w: {"pk": w.account.pk},
    "accounts:instagram_disconnect": lambda w: {"pk": w.account.pk},
    "scheduler:post_detail": _post_pk,
    "scheduler:post_edit": _post_pk,
    "scheduler:post_submit": _post_pk,
    "scheduler:post_approve": _post_pk,
    "scheduler:post_reject": _post_pk,
    "scheduler:post_request_changes": _post_pk,
    "scheduler:post_reschedule": _post_pk,
    "scheduler:post_cancel": _post_pk,
    "scheduler:post_publish_now": _post_pk,
    "scheduler:post_skip_occurrence": _post_pk,
    "scheduler:post_stop_series": _post_pk,
    "scheduler:post_queue": _post_pk,
    "scheduler:post_mark_manual": _post_pk,
    "scheduler:post_mark_posted": _post_pk,
    "scheduler:asset_detail": _asset_pk,
    "scheduler:asset_delete": _asset_pk,
    "scheduler:asset_file": lambda w: [{"pk": w.asset.pk, "variant": v} for v in ("thumb", "original", "instagram")],
    "scheduler:calendar_move": _post_pk,
    "scheduler:posting_slots": lambda w: {"pk": w.account.pk},
    "scheduler:grid": lambda w: {"account": w.account.pk},
    "scheduler:grid_swap": lambda w: {"account": w.account.pk},
    "scheduler:grid_place": lambda w: {"account": w.account.pk},
}


def _pending_invitation(w: World) -> Any:
    from accounts.models import Invitation

    return Invitation.objects.get_or_create(
        workspace=w.a, email="invited@example.test",
        defaults={"role": Role.CLIENT.value, "nonce": "n" * 32, "sent_at": timezone.now(),
                  "expires_at": timezone.now() + timedelta(days=7)})[0]


# Team page (issue 20): members and invitations of A.
ROUTE_KWARGS.update({
    "accounts:team_role": lambda w: {"pk": w.member.memberships.get(workspace=w.a).pk},
    "accounts:team_remove": lambda w: {"pk": w.member.memberships.get(workspace=w.a).pk},
    "accounts:team_reset_two_factor": lambda w: {"pk": w.member.memberships.get(workspace=w.a).pk},
    "accounts:invitation_resend": lambda w: {"pk": _pending_invitation(w).pk},
    "accounts:invitation_revoke": lambda w: {"pk": _pending_invitation(w).pk},
})

# Admin model label → A's instance whose change/history/delete pages are probed.
ADMIN_OBJECTS: dict[str, Callable[[World], Any]] = {
    "archive.archivedprofile": lambda w: w.archive,
    "archive.archivedpost": lambda w: w.archive.test_post,
    "archive.archivedmedia": lambda w: w.archive.test_media,
    "archive.archiverun": lambda w: w.archive.test_run,
    "accounts.workspace": lambda w: w.a,
    "accounts.user": lambda w: w.member,
    "accounts.instagramaccount": lambda w: w.account,
    "accounts.notification": lambda w: w.notification,
    "scheduler.post": lambda w: w.post,
    "scheduler.reviewevent": lambda w: w.event,
    "scheduler.publishattempt": lambda w: w.attempt,
    "scheduler.postingslot": lambda w: w.slot,
    "scheduler.mediaasset": lambda w: w.asset,
}
# Registered models that hold no workspace's data (so there is no "A's object" to hide), and why.
GLOBAL_ADMIN_MODELS = {
    "auth.group": "plain Django groups (roles live on memberships); superusers only",
    "axes.accessattempt": "sign-in throttling records; superusers only",
    "axes.accesslog": "sign-in throttling records; superusers only",
    "axes.accessfailurelog": "sign-in throttling records; superusers only",
    "django_q.schedule": "the cluster's schedules (system tasks, no workspace)",
    "django_q.success": "task results of the cluster (system tasks)",
    "django_q.failure": "task results of the cluster (system tasks)",
    "django_q.ormq": "the ORM broker's queue",
    "django_q.task": "task results of the cluster (system tasks)",
    # Two-factor devices (issue 20): a person's own secrets, no workspace's; superusers delete them for a lost phone.
    "otp_totp.totpdevice": "authenticator apps of users; superusers only",
    "otp_static.staticdevice": "recovery codes of users; superusers only",
}


def build_world(workspace: Workspace) -> World:
    account = InstagramAccountFactory(workspace=workspace)
    uploader = UserFactory(role=Role.SOCIAL, workspaces=[workspace])
    # A real file (thumbnail, rendition, original), so file routes answer with the file, not "missing from storage".
    asset = media_upload(user=uploader, workspace=workspace, uploaded_file=upload("a.jpg", image_bytes())).asset
    post = PostFactory(workspace=workspace, account=account, status=Post.Status.APPROVED, media=[asset],
                       publish_at=timezone.now() + timedelta(days=3), rrule="FREQ=WEEKLY;COUNT=3")
    return World(
        a=workspace, account=account, post=post, asset=asset,
        slot=PostingSlot.objects.create(account=account, weekday=0, time="09:00"),
        event=ReviewEvent.objects.create(post=post, action="approved", from_status="in_review", to_status="approved"),
        attempt=PublishAttempt.objects.create(post=post, number=1, started_at=timezone.now()),
        notification=Notification.objects.create(user=UserFactory(workspaces=[workspace]), workspace=workspace,
                                                 kind="x", title="For A"),
        member=UserFactory(username=f"{workspace.slug}-only", role=Role.SOCIAL, workspaces=[workspace]),
        archive=_archive(workspace),
    )


@pytest.fixture
def world(request, workspace, settings) -> World:
    request.getfixturevalue("media_settings")  # files in a temporary MEDIA_ROOT
    # Nothing here may reach the network: an Instagram call (token refresh) meets a closed local port at once.
    settings.INSTAGRAM_GRAPH_URL = settings.INSTAGRAM_OAUTH_URL = settings.INSTAGRAM_API_URL = "http://127.0.0.1:9"
    return build_world(workspace)


def workspace_routes(resolver: URLResolver | None = None, prefix: str = "",
                     namespaces: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(namespaced name, full route) of every pattern, through nested includes."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from workspace_routes(entry, route, namespaces + ((entry.namespace,) if entry.namespace else ()))
        elif isinstance(entry, URLPattern) and route.startswith(WS_PREFIX):
            yield ":".join([*namespaces, entry.name or f"<unnamed {route}>"]), route


def route_urls(w: World) -> tuple[list[tuple[str, str]], list[str]]:
    """[(route name, URL filled with A's objects)], [routes that could not be filled]."""
    urls, unfillable = [], []
    for name, route in sorted(set(workspace_routes())):
        params = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - {"ws"}
        filler = ROUTE_KWARGS.get(name)
        if params and filler is None:
            unfillable.append(f"{name} ({route}): add ROUTE_KWARGS[{name!r}] in tests/test_route_matrix.py")
            continue
        options = filler(w) if filler else {}
        for kwargs in options if isinstance(options, list) else [options]:
            try:
                urls.append((name, reverse(name, kwargs={"ws": w.a.slug, **kwargs})))
            except Exception as exc:  # noqa: BLE001 — a wrong filler is a failure that names the route
                unfillable.append(f"{name} ({route}): {exc}")
    return urls, unfillable


def test_every_workspace_route_can_be_filled(world):
    urls, unfillable = route_urls(world)
    assert not unfillable, "Routes the matrix cannot fill:\n" + "\n".join(unfillable)
    assert len(urls) >= 20  # the walk found the app's routes (includes followed)


def _isolated(client: Any, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    """One request whose writes are rolled back, so each route meets the same World."""
    with transaction.atomic():
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        transaction.set_rollback(True)
    return response


@pytest.fixture
def b_personas(other_workspace, outsider) -> dict[str, User | None]:
    """One user per role of workspace B (members of B only), and anonymous."""
    return {
        "B administrator": outsider,
        "B editor": UserFactory(username="b-editor", role=Role.EDITOR, workspaces=[other_workspace]),
        "B social manager": UserFactory(username="b-social", role=Role.SOCIAL, workspaces=[other_workspace]),
        "B client": UserFactory(username="b-client", role=Role.CLIENT, workspaces=[other_workspace]),
        "anonymous": None,
    }


def _as(client: Any, user: User | None) -> Any:
    client.logout()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_no_persona_of_another_workspace_reaches_any_workspace_route(client, world, b_personas):
    urls, unfillable = route_urls(world)
    assert not unfillable, "Routes the matrix cannot fill:\n" + "\n".join(unfillable)
    before = Post.objects.values_list("pk", "status", "version").get(pk=world.post.pk)
    wrong = []
    for persona, user in b_personas.items():
        _as(client, user)
        for name, url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if user is None:
                    ok = response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
                else:
                    ok = response.status_code == 404
                if not ok:
                    wrong.append(f"{persona} {method.upper()} {name} {url} → {response.status_code}")
    assert not wrong, "Reached workspace A from outside:\n" + "\n".join(wrong)
    assert Post.objects.values_list("pk", "status", "version").get(pk=world.post.pk) == before
    assert MediaAsset.objects.filter(pk=world.asset.pk).exists()


def admin_urls(w: World) -> tuple[list[tuple[str, str]], list[str]]:
    urls, missing = [], []
    for model in admin.site._registry:
        label = model._meta.label_lower
        if label in GLOBAL_ADMIN_MODELS:
            continue
        if label not in ADMIN_OBJECTS:
            missing.append(f"{label}: add ADMIN_OBJECTS[{label!r}] (or GLOBAL_ADMIN_MODELS) in tests/test_route_matrix.py")
            continue
        obj = ADMIN_OBJECTS[label](w)
        info = (model._meta.app_label, model._meta.model_name)
        for page in ("change", "history", "delete"):
            urls.append((f"{label} {page}", reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[obj.pk])))
        if model is User:
            urls.append((f"{label} password", reverse("admin:auth_user_password_change", args=[obj.pk])))
    return urls, missing


def test_no_persona_of_another_workspace_reaches_an_admin_page_of_workspace_a(client, world, b_personas):
    urls, missing = admin_urls(world)
    assert not missing, "Admin models the matrix does not know:\n" + "\n".join(missing)
    wrong = []
    admin_login = reverse("admin:login")
    for persona, user in b_personas.items():
        _as(client, user)
        staff = user is not None and user.is_staff
        for page, url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if staff:
                    ok = response.status_code == 404
                else:
                    ok = response.status_code == 302 and response["Location"].startswith(admin_login)
                if not ok:
                    wrong.append(f"{persona} {method.upper()} {page} {url} → {response.status_code}")
    assert not wrong, "Admin pages of workspace A reached from outside:\n" + "\n".join(wrong)
    world.member.refresh_from_db()
    assert world.member.check_password("pw-for-tests-123") and world.member.is_active


ROLE_FIXTURES = {Role.ADMIN: "admin_user", Role.EDITOR: "editor", Role.SOCIAL: "social", Role.CLIENT: "client_user"}


# ---- Inside workspace A: every route × role, the exact answer -------------------------------------------------
# Written here from DESIGN.md's roles (Administrator: everything; Editor: review and edit captions; Social manager:
# compose, library, calendar, submit, publish-now; Client: read-only), NOT read from the views' decorators, so a
# route guarded by the wrong permission fails. Each route is requested with GET, and with POST when GET answers 405
# (a role without the right gets 403 before the method is checked, so its GET already answers 403). An allowed
# persona gets 2xx/3xx only, never a form error (400/409/422): routes that need a body get one in ROUTE_POST_DATA.
# A route missing here fails the test, naming it. Columns: Administrator, Editor, Social manager, Client.
MATRIX_ROLES = (Role.ADMIN, Role.EDITOR, Role.SOCIAL, Role.CLIENT)
EXPECTED_STATUS: dict[str, tuple[int, int, int, int]] = {
    "accounts:instagram_accounts": (200, 403, 403, 403),
    "accounts:instagram_connect": (302, 403, 403, 403),
    "accounts:instagram_disconnect": (302, 403, 403, 403),
    "accounts:instagram_refresh": (302, 403, 403, 403),
    "accounts:invitation_resend": (302, 403, 403, 403),
    "accounts:invitation_revoke": (302, 403, 403, 403),
    "accounts:team": (200, 403, 403, 403),
    "accounts:team_invite": (302, 403, 403, 403),
    "accounts:team_remove": (302, 403, 403, 403),
    "accounts:team_reset_two_factor": (302, 403, 403, 403),
    "accounts:team_role": (302, 403, 403, 403),
    "accounts:workspace_settings": (200, 403, 403, 403),
    "archive:export": (200, 200, 200, 200),
    "archive:gallery": (200, 200, 200, 200),
    "archive:index": (200, 200, 200, 200),
    "archive:media_original": (200, 200, 200, 200),
    "archive:media_thumb": (200, 200, 200, 200),
    "archive:post_detail": (200, 200, 200, 200),
    "archive:profile": (200, 200, 200, 200),
    "archive:profile_add": (302, 403, 302, 403),
    "archive:profile_add_own": (302, 403, 302, 403),
    "archive:profile_picture": (200, 200, 200, 200),
    "archive:profile_refresh": (302, 403, 302, 403),
    "archive:profile_settings": (302, 403, 302, 403),
    "archive:run_progress": (200, 200, 200, 200),
    "scheduler:analytics": (200, 200, 200, 200),
    "scheduler:asset_delete": (302, 403, 302, 403),
    "scheduler:asset_detail": (200, 403, 200, 403),
    "scheduler:asset_file": (200, 200, 200, 200),
    "scheduler:best_time": (200, 200, 200, 200),
    "scheduler:best_time_slots": (200, 403, 200, 403),
    "scheduler:calendar": (200, 200, 200, 200),
    "scheduler:calendar_feeds": (200, 200, 200, 200),
    "scheduler:calendar_move": (200, 403, 200, 403),
    "scheduler:compose_check": (200, 200, 200, 403),
    "scheduler:compose_picker": (200, 403, 200, 403),
    "scheduler:compose_places": (200, 403, 200, 403),
    "scheduler:dashboard": (200, 200, 200, 200),
    "scheduler:grid": (200, 200, 200, 200),
    "scheduler:grid_place": (302, 403, 302, 403),
    "scheduler:grid_preview": (200, 200, 200, 403),
    "scheduler:grid_swap": (302, 403, 302, 403),
    "scheduler:library": (200, 403, 200, 403),
    "scheduler:library_upload": (302, 403, 302, 403),
    "scheduler:manual_queue": (200, 403, 200, 403),
    "scheduler:post_approve": (302, 302, 403, 403),
    "scheduler:post_cancel": (200, 403, 200, 403),
    "scheduler:post_create": (200, 403, 200, 403),
    "scheduler:post_detail": (200, 200, 200, 200),
    "scheduler:post_edit": (200, 200, 200, 403),
    "scheduler:post_list": (200, 200, 200, 200),
    "scheduler:post_mark_manual": (302, 403, 302, 403),
    "scheduler:post_mark_posted": (302, 403, 302, 403),
    "scheduler:post_publish_now": (200, 403, 200, 403),
    "scheduler:post_queue": (302, 403, 302, 403),
    "scheduler:post_reject": (302, 302, 403, 403),
    "scheduler:post_request_changes": (302, 302, 403, 403),
    "scheduler:post_reschedule": (302, 403, 302, 403),
    "scheduler:post_skip_occurrence": (302, 403, 302, 403),
    "scheduler:post_stop_series": (200, 403, 200, 403),
    "scheduler:post_submit": (302, 403, 302, 403),
    "scheduler:posting_slots": (200, 403, 200, 403),
    "scheduler:report": (200, 200, 200, 200),
    "scheduler:report_csv": (200, 200, 200, 200),
    "scheduler:report_email": (200, 403, 403, 403),
}
# Routes an allowed persona must POST a valid body to (an empty one is a form error, which proves nothing).
ROUTE_POST_DATA: dict[str, dict[str, Any]] = {
    "accounts:team_invite": {"email": "new-person@example.test", "role": Role.CLIENT.value},
}


def test_the_expected_table_allows_only_2xx_3xx_and_refuses_only_403_404():
    odd = {name: codes for name, codes in EXPECTED_STATUS.items() if any(400 <= c and c not in (403, 404) for c in codes)}
    assert odd == {}


def test_the_expected_table_names_only_existing_routes(world):
    urls, _ = route_urls(world)
    assert sorted(set(EXPECTED_STATUS) - {name for name, _ in urls}) == []


@pytest.mark.parametrize("role", MATRIX_ROLES, ids=[r.name.lower() for r in MATRIX_ROLES])
def test_inside_the_workspace_every_route_answers_each_role_exactly(request, client, world, role):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    _as(client, user)
    urls, unfillable = route_urls(world)
    assert not unfillable, "Routes the matrix cannot fill:\n" + "\n".join(unfillable)
    column = MATRIX_ROLES.index(role)
    wrong = []
    for name, url in urls:
        if getattr(resolve(url).func, "pressroom_action", None) is None:
            wrong.append(f"{name}: not guarded by accounts.permissions.workspace_view")
            continue
        if name not in EXPECTED_STATUS:
            wrong.append(f"{name}: add EXPECTED_STATUS[{name!r}] (the answer per role) in tests/test_route_matrix.py")
            continue
        response = _isolated(client, "get", url)
        if response.status_code == 405:
            response = _isolated(client, "post", url, ROUTE_POST_DATA.get(name, {}))
        want = EXPECTED_STATUS[name][column]
        if response.status_code != want:
            wrong.append(f"{role.value} {name} {url} → {response.status_code} (expected {want})")
    assert not wrong, "Routes that answer a role otherwise than the table says:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", list(Role), ids=[r.name.lower() for r in Role])
def test_every_navigation_link_a_role_is_shown_opens_for_that_role(request, client, world, role):
    """The nav is built from the same policy: no role is shown a link that answers 403 or 404."""
    from accounts.navigation import nav_for

    user = request.getfixturevalue(ROLE_FIXTURES[role])
    _as(client, user)
    items = nav_for(user, world.a)
    assert items, f"{role.value} sees no navigation at all"
    wrong = [f"{item['label']} {item['url']} → {code}" for item in items
             if (code := client.get(item["url"]).status_code) != 200]
    assert not wrong, f"Links shown to {role.value} that do not open:\n" + "\n".join(wrong)


# ---- Admin pages that are read-only or superuser-only: the exact answer per persona -----------------------------
# An Editor holds no notification permission in any workspace: the list answers 403, and its rows are outside
# what the role may see at all, so one row answers 404 (issue 20: admin rows are scoped by the role per workspace).
# Expected statuses come from issue 17: notifications are read-only in the admin for everyone (superusers may view;
# a workspace's Administrator views their workspace's, scoped), and the task cluster's pages are for superusers only.
# "login" = redirect to the admin sign-in (not staff). Columns: superuser, A administrator, A editor, A social
# manager, A client, B administrator, anonymous.
ADMIN_PERSONAS = ("superuser", "A administrator", "A editor", "A social manager", "A client", "B administrator",
                  "anonymous")
RESTRICTED_ADMIN_PAGES: list[tuple[str, str, tuple[Any, ...]]] = [
    # (what, method, expected per persona, in ADMIN_PERSONAS order)
    ("notification changelist", "get", (200, 200, 403, "login", "login", 200, "login")),
    ("notification add", "get", (403, 403, 403, "login", "login", 403, "login")),
    ("notification add", "post", (403, 403, 403, "login", "login", 403, "login")),
    ("notification change", "get", (200, 200, 404, "login", "login", 404, "login")),
    ("notification change", "post", (403, 403, 404, "login", "login", 404, "login")),
    ("notification history", "get", (200, 200, 404, "login", "login", 404, "login")),
    ("notification delete", "get", (403, 403, 404, "login", "login", 404, "login")),
    ("notification delete", "post", (403, 403, 404, "login", "login", 404, "login")),
    ("django_q app index", "get", (200, 404, 404, "login", "login", 404, "login")),
    ("schedule changelist", "get", (200, 403, 403, "login", "login", 403, "login")),
    ("schedule change", "get", (200, 403, 403, "login", "login", 403, "login")),
    ("schedule change", "post", (302, 403, 403, "login", "login", 403, "login")),  # a superuser saves
    ("schedule add", "get", (200, 403, 403, "login", "login", 403, "login")),
    ("schedule delete", "get", (200, 403, 403, "login", "login", 403, "login")),
    ("success changelist", "get", (200, 403, 403, "login", "login", 403, "login")),
    ("success change", "get", (200, 403, 403, "login", "login", 403, "login")),
    ("success resubmit", "post", (302, 403, 403, "login", "login", 403, "login")),
    ("failure changelist", "get", (200, 403, 403, "login", "login", 403, "login")),
    ("failure change", "get", (200, 403, 403, "login", "login", 403, "login")),
    ("failure resubmit", "post", (302, 403, 403, "login", "login", 403, "login")),
    ("queue changelist", "get", (200, 403, 403, "login", "login", 403, "login")),
]


def _task_rows() -> dict[str, Any]:
    from django_q.models import Failure, Schedule, Success

    now = timezone.now()
    common = {"func": "scheduler.tasks.dispatch_due", "started": now, "stopped": now, "group": "pressroom"}
    return {
        "schedule": Schedule.objects.create(name="a-test-schedule", func="scheduler.tasks.dispatch_due",
                                            schedule_type=Schedule.MINUTES, minutes=1),
        "success": Success.objects.create(id="a" * 32, name="alpha-bravo", success=True, **common),
        "failure": Failure.objects.create(id="b" * 32, name="charlie-delta", success=False, result="boom", **common),
    }


def _restricted_admin_url(what: str, world: World, rows: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    subject, page = what.rsplit(" ", 1)
    if subject == "django_q app":
        return reverse("admin:app_list", kwargs={"app_label": "django_q"}), {}
    model = {"notification": "accounts_notification", "schedule": "django_q_schedule", "success": "django_q_success",
             "failure": "django_q_failure", "queue": "django_q_ormq"}[subject]
    obj = world.notification if subject == "notification" else rows.get(subject)
    if page == "resubmit":
        return (reverse(f"admin:{model}_changelist"),
                {"action": "resubmit_task", "_selected_action": [obj.pk], "index": 0})
    if page in ("changelist", "add"):
        return reverse(f"admin:{model}_{page}"), {}
    data = {"name": "changed", "func": "scheduler.tasks.dispatch_due", "schedule_type": "I", "minutes": 5,
            "repeats": -1, "next_run_0": "2030-01-01", "next_run_1": "10:00"} if subject == "schedule" else {}
    return reverse(f"admin:{model}_{page}", args=[obj.pk]), data


def test_read_only_and_superuser_only_admin_pages_answer_each_persona_exactly(
        client, world, admin_user, editor, social, client_user, outsider, monkeypatch):
    import django_q.admin
    from django_q.models import Schedule

    resubmitted: list[str] = []
    monkeypatch.setattr(django_q.admin, "async_task", lambda func, *a, **kw: resubmitted.append(func))
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    users = dict(zip(ADMIN_PERSONAS, (superuser, admin_user, editor, social, client_user, outsider, None),
                     strict=True))
    before = Notification.objects.values_list("pk", "title", "url").get(pk=world.notification.pk)
    wrong = []
    admin_login = reverse("admin:login")
    for what, method, expected in RESTRICTED_ADMIN_PAGES:
        for persona, want in zip(ADMIN_PERSONAS, expected, strict=True):
            _as(client, users[persona])
            with transaction.atomic():
                rows = _task_rows()
                url, data = _restricted_admin_url(what, world, rows)
                response = getattr(client, method)(url, data) if method == "post" else client.get(url)
                transaction.set_rollback(True)
            code = response.status_code
            if want == "login":
                ok = code == 302 and response["Location"].startswith(admin_login)
            else:
                ok = code == want
            if not ok:
                wrong.append(f"{persona} {method.upper()} {what} {url} → {code} (expected {want})")
    assert not wrong, "Admin pages answering the wrong persona:\n" + "\n".join(wrong)
    # Nothing written: the notification is unchanged, nothing resubmitted by anyone but the superuser.
    assert Notification.objects.values_list("pk", "title", "url").get(pk=world.notification.pk) == before
    assert resubmitted == ["scheduler.tasks.dispatch_due"] * 2  # the superuser's two resubmits only
    assert not Schedule.objects.filter(name="changed").exists()
