"""The grid planner: an account's profile grid as it will look, rearranged by swapping planned posts' times.

Thin views: policy (workspace_view) → selector or service → template. A drop (static/js/grid.js) or a "Move
earlier / later" button posts to `grid_swap`; with scripts on, a swap is answered with only the tiles it changed
and a refusal or a placed draft with the re-rendered grid body (its status says how it went); without scripts a
redirect back with a message. `grid_preview` draws the composer's post in place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts import localtime
from accounts.permissions import Action, can, workspace_view
from scheduler.models import MediaAsset, Post
from scheduler.rules import TransitionError
from scheduler.selectors import grid as selectors
from scheduler.services import grid as services
from scheduler.services import timing as timing_svc
from scheduler.services.lifecycle import ConflictError

TEMPLATE = "scheduler/grid.html"
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _account(request: HttpRequest, pk: int) -> Any:
    accounts = selectors.grid_accounts(workspace=request.workspace)
    account = next((a for a in accounts if a.pk == pk), None)
    if account is None:
        raise Http404("No such Instagram account.")
    account.siblings = accounts  # the account switcher, from the same query
    return account


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page") or request.POST.get("page") or ""
    return min(int(raw), 1000) if raw.isdigit() and int(raw) > 0 else 1


def _grid_url(ws: str, account: int, page: int = 1) -> str:
    url = reverse("scheduler:grid", kwargs={"ws": ws, "account": account})
    return f"{url}?{urlencode({'page': page})}" if page > 1 else url


def _context(request: HttpRequest, account: Any) -> dict[str, Any]:
    ws = request.workspace
    can_move = can(request.user, Action.COMPOSE_POST, ws)
    grid = selectors.account_grid(user=request.user, account=account, page=_page(request), with_slots=can_move,
                                  with_drafts=can_move)
    return {
        "grid": grid, "account": account, "tz": ws.timezone, "can_move": can_move,
        "swap_url": reverse("scheduler:grid_swap", kwargs={"ws": ws.slug, "account": account.pk}),
        "place_url": reverse("scheduler:grid_place", kwargs={"ws": ws.slug, "account": account.pk}),
        "composer": reverse("scheduler:post_create", kwargs={"ws": ws.slug}),
        "detail_base": reverse("scheduler:post_detail", kwargs={"ws": ws.slug, "pk": 0})[:-2],
        "here": _grid_url(ws.slug, account.pk, grid.page),
        "more_url": _grid_url(ws.slug, account.pk, grid.page + 1) if grid.has_more else "",
        "prev_url": _grid_url(ws.slug, account.pk, grid.page - 1) if grid.page > 1 else "",
    }


@workspace_view(Action.VIEW_CALENDAR)
@require_safe
def grid(request: HttpRequest, account: int) -> HttpResponse:
    acc = _account(request, account)
    with timezone.override(request.workspace.tzinfo):
        context = _context(request, acc)
        if request.htmx and request.htmx.target == "grid-body":
            return render(request, f"{TEMPLATE}#body", context)
        context["accounts"] = acc.siblings
        return render(request, TEMPLATE, context)


def _posts(request: HttpRequest, account: Any, *names: str) -> list[Post]:
    """The posted posts of this account (one query, with the account); a missing field is a form error (422), an
    unknown post 404. `account`: the account or its id (the query then also answers whether it is this workspace's)."""
    raws = [request.POST.get(name) or "" for name in names]
    for name, raw in zip(names, raws, strict=True):
        if not raw.isdigit():
            raise ValidationError({name: ["Choose a planned post of this grid."]})
    ws = request.workspace
    found = {p.pk: p for p in Post.objects.filter(workspace=ws, account=account,
                                                  pk__in=[int(r) for r in raws]).select_related("account")}
    if len(found) < len(set(raws)) or not can(request.user, Action.VIEW_ALL_POSTS, ws):
        raise Http404("No such post on this account.")
    for post in found.values():
        post.workspace = post.account.workspace = ws  # loaded by workspace_view: no second read
    return [found[int(r)] for r in raws]


def _version(request: HttpRequest, name: str) -> int | None:
    raw = request.POST.get(name) or ""
    return int(raw) if raw.isdigit() else None


def _answer(request: HttpRequest, account: Any, ok: bool, status: int, message: str, key: str) -> HttpResponse:
    if request.htmx or request.headers.get("X-Grid") == "1":
        with timezone.override(request.workspace.tzinfo):
            context = _context(request, account)
        context.update(flash=message, flash_ok=ok, flash_key=key)
        return render(request, f"{TEMPLATE}#body", context, status=status)
    (messages.success if ok else messages.error)(request, message)
    return redirect(_grid_url(request.workspace.slug, account.pk, _page(request)))


def _refusal(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, ConflictError):
        return 409, exc.message
    if isinstance(exc, PermissionDenied):
        return 403, str(exc) or "Your role may not move posts."
    if isinstance(exc, TransitionError):
        return 422, exc.message
    return 422, " ".join(getattr(exc, "messages", [str(exc)]))


def _swapped(request: HttpRequest, account: Any, a: Post, b: Post, message: str) -> HttpResponse:
    """A swap's answer to grid.js: only the tiles it changed. `a` and `b` traded places, so each is drawn where
    the other was (`replaces`); their planned neighbours are redrawn where they are, because their Earlier / Later
    buttons now name other posts. Everything else on the page (slots, drafts, counts) is as it was.

    Rendered without the request: the page's context processors (navigation, banners: two queries) draw nothing
    here; the forms' CSRF token is passed in."""
    with timezone.override(request.workspace.tzinfo):
        tiles = selectors.tiles_around(user=request.user, account=account, posts=[a, b])
        for tile in tiles:
            tile.replaces = {f"p{a.pk}": f"p{b.pk}", f"p{b.pk}": f"p{a.pk}"}.get(tile.key, tile.key)
        context = {
            "tiles": tiles, "account": account, "tz": request.workspace.timezone, "can_move": True,
            "grid": {"page": _page(request)}, "flash": message, "flash_ok": True, "flash_key": f"p{a.pk}",
            "swap_url": reverse("scheduler:grid_swap", kwargs={"ws": request.workspace.slug, "account": account.pk}),
            "detail_base": reverse("scheduler:post_detail", kwargs={"ws": request.workspace.slug, "pk": 0})[:-2],
            "csrf_token": get_token(request),
        }
        return HttpResponse(render_to_string(f"{TEMPLATE}#changes", context))


@workspace_view(Action.COMPOSE_POST)
@require_POST
def grid_swap(request: HttpRequest, account: int) -> HttpResponse:
    """Swap the publish times of two planned posts of this account (drag, or Move earlier / later)."""
    zone = request.workspace.tzinfo
    first = None
    try:
        # The posts' query answers for the account too (no post of it here: 404), so the account list is read
        # only to redraw the whole grid after a refusal.
        first, second = _posts(request, account, "post", "target")
        acc = first.account  # before the moves: lifecycle.cas's refresh drops the posts' cached account
        a, b = services.grid_swap(user=request.user, first=first, second=second,
                                  first_version=_version(request, "version"),
                                  second_version=_version(request, "target_version"))
    except (ConflictError, TransitionError, ValidationError, PermissionDenied) as exc:
        status, message = _refusal(exc)
        return _answer(request, _account(request, account), False, status, message, f"p{first.pk}" if first else "")
    message = (f"Swapped: “{a}” now goes out {a.publish_at.astimezone(zone):%a %-d %b, %H:%M} and “{b}” "
               f"{b.publish_at.astimezone(zone):%a %-d %b, %H:%M} ({request.workspace.timezone}).")
    if request.headers.get("X-Grid") == "1" and not request.htmx:
        return _swapped(request, acc, a, b, message)
    return _answer(request, acc, True, 200, message, f"p{first.pk}")


@workspace_view(Action.COMPOSE_POST)
@require_POST
def grid_place(request: HttpRequest, account: int) -> HttpResponse:
    """Put an unscheduled draft (with media) into one of the account's free slots."""
    acc = _account(request, account)
    raw = request.POST.get("slot") or ""
    post = None
    try:
        (post,) = _posts(request, acc, "post")
        if not raw.isdigit():
            raise ValidationError({"slot": ["Drop the draft on an empty slot of the grid."]})
        at = datetime.fromtimestamp(int(raw), tz=UTC)
        moved = services.grid_place(user=request.user, post=post, publish_at=at,
                                    expected_version=_version(request, "version"))
    except (ConflictError, TransitionError, ValidationError, PermissionDenied, OverflowError, OSError) as exc:
        status, message = _refusal(exc)
        return _answer(request, acc, False, status, message, f"p{post.pk}" if post else "")
    when = moved.publish_at.astimezone(request.workspace.tzinfo)
    return _answer(request, acc, True, 200, f"“{moved}” is planned for {when:%a %-d %b, %H:%M}; it is still a draft "
                   "until it is submitted and approved.", f"p{post.pk}")


@workspace_view(Action.VIEW_ALL_POSTS)
@require_safe
def grid_preview(request: HttpRequest) -> HttpResponse:
    """The composer's post in place among its neighbours on the account's grid (GET with the composer's fields)."""
    ws = request.workspace
    data = request.GET
    raw = data.get("account") or ""
    post_pk = data.get("post") or ""
    post = (Post.objects.filter(workspace=ws, pk=int(post_pk)).select_related("account").first()
            if post_pk.isdigit() else None)
    if raw.isdigit():
        account = selectors.grid_account(workspace=ws, pk=int(raw))
    else:
        account = post.account if post else next(iter(selectors.grid_accounts(workspace=ws)), None)
    if account is None:
        raise Http404("Choose an Instagram account to see its grid.")
    account.workspace = ws
    kind = data.get("kind") if data.get("kind") in Post.Kind.values else (post.kind if post else Post.Kind.FEED)
    try:
        # The one local-time policy (accounts/localtime.py): a gap moves forward, a repeated time is the first
        # unless the composer's fold says otherwise.
        at = (localtime.parse_local((data.get("publish_at") or "").strip()[:16], ws.timezone,
                                    choice=data.get("publish_at_fold")).instant
              if data.get("when", "at") == "at" else None)
    except (ValueError, localtime.LocalTimeError):
        at = None
    note = ""
    if data.get("when") == "queue":
        try:
            at = timing_svc.queue_slot(account=account, exclude_pk=post.pk if post else None)
        except ValidationError:
            at = None
    if at is None:
        at = post.publish_at if post and post.publish_at else timezone.now()
        note = "No time chosen yet: shown where it would land if it went out now."
    asset_ids = [int(i) for i in (data.getlist("item_asset") or (data.get("asset_ids") or "").split(",")) if
                 str(i).strip().isdigit()]
    asset = MediaAsset.objects.filter(workspace=ws, pk=asset_ids[0]).only(
        "id", "thumbnail", "width", "height").first() if asset_ids else None
    with timezone.override(ws.tzinfo):
        local = at.astimezone(ws.tzinfo)
        thumb = ""
        if asset is not None and asset.thumbnail:
            thumb = reverse("scheduler:asset_file", kwargs={"ws": ws.slug, "pk": asset.pk, "variant": "thumb"})
        tile = selectors.Tile(state="preview", at=local, media=str(kind), thumb=thumb, key="preview",
                              crop=selectors.crop_note(asset.width, asset.height) if asset else "")
        context: dict[str, Any] = {"account": account, "tz": ws.timezone, "can_move": False, "note": note,
                                   "off_grid": kind == Post.Kind.STORY}
        if not context["off_grid"]:
            grid = selectors.account_grid(user=request.user, account=account, with_slots=False, with_drafts=False,
                                          preview=tile, exclude_pk=post.pk if post else None)
            context["tiles"] = selectors.preview_window(grid)
        context["grid_url"] = _grid_url(ws.slug, account.pk)
        template = "scheduler/grid_preview.html#window" if request.htmx else "scheduler/grid_preview.html"
        return render(request, template, context)
