"""The composer's state and its HTMX endpoints: live rule checks, recurrence summary, queue slot, preview, picker.

Every check shown while typing comes from the services' own rule code (``instagram_rules.post_problems``,
``recurrence``, ``timing_svc.queue_slot``), rendered here on the server, so the browser holds no second copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST, require_safe

from accounts import localtime
from accounts.models import InstagramAccount
from accounts.permissions import Action, can, workspace_view
from scheduler import instagram_rules, rules
from scheduler import recurrence_builder as rb
from scheduler.forms.posts import PostForm
from scheduler.models import MediaAsset, Post, PostMedia
from scheduler.recurrence import RecurrenceError, occurrences_between
from scheduler.rules import Op
from scheduler.selectors import media as media_selectors
from scheduler.selectors import places as place_selectors
from scheduler.services import media as media_services
from scheduler.services import timing as timing_svc

# Where each message is shown: the form's fields, with media and repeat grouped under one slot each.
SLOTS = ("form", "account", "kind", "asset_ids", "caption", "first_comment", "collaborators", "user_tags",
         "location_id", "publish_at", "rrule", "manual_reason", "assignee")
_SLOT_OF = {"repeat_days": "rrule", "repeat_interval": "rrule", "repeat_monthday": "rrule", "repeat_until": "rrule",
            "repeat_count": "rrule", "repeat": "rrule", "repeat_end": "rrule", "repeat_setpos": "rrule",
            "repeat_weekday": "rrule", "when": "publish_at", "expected_version": "form", "__all__": "form"}
_TOKEN = re.compile(r"(?<![\w#@])([#@][\w.]+)")


@dataclass
class Item:
    asset: MediaAsset
    alt: str


@dataclass
class Draft:
    """What the composer currently says, checked: the live fragments and the save both read it."""

    kind: str = Post.Kind.FEED
    username: str = ""
    caption: str = ""
    first_comment: str = ""
    location_id: str = ""
    location_name: str = ""
    user_tags: list[Any] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    when: str = "none"
    publish_at: datetime | None = None
    time: localtime.LocalTime | None = None  # the typed time by the policy: its note ("does not exist", "twice")
    queue_slot: datetime | None = None
    rrule: str = ""
    summary: str = ""
    dates: list[datetime] = field(default_factory=list)
    off_rule: bool = False
    msgs: dict[str, list[str]] = field(default_factory=dict)
    counters: list[dict[str, Any]] = field(default_factory=list)
    caption_only: bool = False  # an editor fixing the caption: heads-ups about media are not theirs to act on

    def add(self, slot: str, messages: list[str]) -> None:
        slot = _SLOT_OF.get(slot, slot if slot in SLOTS else "form")
        bucket = self.msgs.setdefault(slot, [])
        bucket.extend(m for m in messages if m not in bucket)

    @property
    def slot_list(self) -> list[tuple[str, list[str]]]:
        return [(name, self.msgs.get(name, [])) for name in SLOTS]

    @property
    def ok(self) -> bool:
        return not any(self.msgs.values())

    @property
    def caption_html(self) -> SafeString:
        """The caption as Instagram shows it: hashtags and mentions in link colour (escaped first)."""
        parts = _TOKEN.split(self.caption)  # odd indexes are the tokens (the pattern's one group)
        return mark_safe("".join(  # noqa: S308 - every piece is escaped here
            f'<span class="ig-tag">{escape(p)}</span>' if i % 2 else escape(p) for i, p in enumerate(parts)))

    @property
    def hints(self) -> list[str]:
        """Heads-ups that do not block saving: what Instagram will do that the user might not expect."""
        out = []
        shapes = [(i.asset.width / i.asset.height) for i in self.items if i.asset.width and i.asset.height]
        if self.kind == Post.Kind.CAROUSEL and len(shapes) > 1:
            odd = [str(n) for n, r in enumerate(shapes[1:], 2) if abs(r - shapes[0]) > 0.01]
            if odd:
                out.append(f"Instagram crops every carousel item to the first one's shape; item{'s' if len(odd) > 1 else ''}"
                           f" {', '.join(odd)} {'have' if len(odd) > 1 else 'has'} another shape.")
        if self.kind == Post.Kind.STORY and self.caption.strip():
            out.append("Stories show no caption; it is kept with the post for your records.")
        missing = [str(n) for n, i in enumerate(self.items, 1) if i.asset.kind == MediaAsset.Kind.IMAGE and not i.alt]
        if missing and self.kind != Post.Kind.STORY and not self.caption_only:
            out.append(f"No alt text on item{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
                       "it lets people using screen readers know what the photo shows.")
        return out

    @property
    def place(self) -> str:
        """What the preview and the post page call the location: the place's name, else its Page id."""
        return self.location_name or (f"Page {self.location_id}" if self.location_id else "")

    @property
    def taggable(self) -> bool:
        """People are placed on the photo of a single-image feed post (the publisher tags no carousel, and a
        reel's or story's tags carry no point)."""
        return (self.kind == Post.Kind.FEED and len(self.items) == 1
                and self.items[0].asset.kind == MediaAsset.Kind.IMAGE)

    @property
    def tag_marks(self) -> list[dict[str, Any]]:
        """The preview's markers: tags whose point is on the photo, in percent (others get the rule's message)."""
        marks = []
        for tag in self.user_tags:
            if isinstance(tag, dict) and not instagram_rules.user_tag_errors([tag]):
                marks.append({"username": tag["username"], "left": round(float(tag.get("x", 0.5)) * 100, 1),
                                  "top": round(float(tag.get("y", 0.5)) * 100, 1)})
        return marks

    @property
    def ratio(self) -> str:
        """The feed card's media box: the first item's aspect ratio within Instagram's 4:5 … 1.91:1."""
        first = self.items[0].asset if self.items else None
        if not first or not (first.width and first.height):
            return "1 / 1"
        r = min(max(first.width / first.height, 0.8), 1.91)
        return f"{r:.4f} / 1"


def draft_of_post(post: Post) -> Draft:
    """The preview of a stored post (its items prefetched with their assets by the detail selector)."""
    return Draft(kind=post.kind, username=post.account.username, caption=post.caption,
                 first_comment=post.first_comment, location_id=post.location_id, location_name=post.location_name,
                 user_tags=list(post.user_tags or []), items=[Item(i.asset, i.alt_text) for i in post.items.all()], publish_at=post.publish_at)


def draft_of_items(post: Post, items: list[PostMedia]) -> Draft:
    """The preview of a stored post from its items (with assets): the same card, ratio and hints as the composer."""
    return Draft(kind=post.kind, username=post.account.username, caption=post.caption or "",
                 first_comment=post.first_comment, location_id=post.location_id, location_name=post.location_name,
                 user_tags=list(post.user_tags or []), items=[Item(i.asset, i.alt_text) for i in items], publish_at=post.publish_at, rrule=post.rrule)


def stored_post_checks(post: Post, items: list[PostMedia]) -> Draft:
    """What the composer would say about a stored post: every rule message (instagram_rules.post_problems, as
    the composer's live check runs it) and the heads-ups (Draft.hints: crops, missing alt text). The review
    desk shows exactly this, so the reviewer and the author see the same warnings."""
    draft = draft_of_items(post, items)
    problems = instagram_rules.post_problems(
        workspace=post.workspace, account=post.account, kind=post.kind, caption=post.caption or "",
        assets=[i.asset for i in items], publish_at=post.publish_at, check_publish_at=False,
        rrule="", collaborators=list(post.collaborators or []), user_tags=list(post.user_tags or []),
        alt_texts=[i.alt_text for i in items], location_id=post.location_id or "",
        first_comment=post.first_comment or "",
    )
    if not items:
        problems.setdefault("asset_ids", []).append("No media: Instagram needs at least one image or video.")
    for name, errors in problems.items():
        draft.add(name, errors)
    return draft


def resolve_items(workspace_id: int, pairs: list[tuple[int, str]]) -> tuple[list[Item], list[str]]:
    assets, errors = instagram_rules.resolve_assets(workspace_id, [i for i, _ in pairs])
    by_id = {a.pk: a for a in assets}
    return [Item(by_id[i], alt) for i, alt in pairs if i in by_id], errors


def read_draft(request: HttpRequest, form: PostForm, post: Post | None = None) -> Draft:
    """Validate the form and run every rule the services will run, collecting messages instead of raising."""
    ws = request.workspace
    form.is_valid()
    d = getattr(form, "cleaned_data", {})
    draft = Draft(caption=d.get("caption", form.data.get("caption", "") if form.is_bound else ""))
    for name, errors in form.errors.items():
        draft.add(name, list(errors))
    draft.counters = instagram_rules.caption_report(draft.caption)
    if form.caption_only:  # an editor fixing the caption: the rest of the preview is the post as stored
        draft.add("caption", instagram_rules.caption_errors(draft.caption))
        draft.caption_only = True
        if post is not None:
            stored = draft_of_post(post)
            draft.kind, draft.username, draft.items = stored.kind, stored.username, stored.items
            draft.first_comment, draft.location_id, draft.publish_at = (stored.first_comment, stored.location_id,
                                                                        stored.publish_at)
            draft.location_name, draft.user_tags = stored.location_name, stored.user_tags
        return draft
    account = d.get("account") or (post.account if post else None)
    draft.kind = d.get("kind") or (post.kind if post else Post.Kind.FEED)
    draft.username = account.username if account else ""
    draft.first_comment, draft.location_id = d.get("first_comment", ""), d.get("location_id", "")
    draft.location_name, draft.user_tags = d.get("location_name", ""), list(d.get("user_tags") or [])
    items, asset_errors = resolve_items(ws.pk, form.items() or [(i, "") for i in d.get("asset_ids") or []])
    draft.items = items
    draft.when = d.get("when") or "none"
    if draft.when == "at" and d.get("publish_at"):
        # Sent back unchanged, a stored time stays exactly what it was (its fold and seconds included).
        draft.time = form.local_time("publish_at").keeping(post.publish_at if post else None)
        draft.publish_at = draft.time.instant
    elif draft.when == "queue" and account is not None:
        try:
            draft.queue_slot = draft.publish_at = timing_svc.queue_slot(account=account,
                                                                      exclude_pk=post.pk if post else None)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                draft.add(name, errors)
    if form.is_bound and hasattr(form, "cleaned_data") and not form.errors.get("repeat_until"):
        start = localtime.from_instant(draft.publish_at, ws.tzinfo).wall if draft.publish_at else None
        try:
            draft.rrule = form.builder().rule(start)
        except RecurrenceError as exc:
            draft.add("rrule", [exc.message])
    elif post is not None:
        draft.rrule = post.rrule
    if draft.rrule and draft.publish_at:
        try:
            draft.summary = rb.summarize(draft.rrule, ws.timezone, series_start_utc=draft.publish_at)
            draft.dates = rb.upcoming(draft.rrule, ws.timezone, first_utc=draft.publish_at)
            draft.off_rule = len(draft.dates) > 1 and not _on_rule(draft, ws.timezone)
        except RecurrenceError as exc:
            draft.add("rrule", [exc.message])
    if account is None or not (d.get("kind") or post):
        return draft
    moved = post is None or draft.publish_at != post.publish_at
    problems = instagram_rules.post_problems(
        workspace=ws, account=account, kind=draft.kind, caption=draft.caption, assets=[i.asset for i in items],
        asset_errors=asset_errors, publish_at=draft.publish_at, check_publish_at=moved and draft.when == "at",
        rrule="" if draft.msgs.get("rrule") else draft.rrule, collaborators=d.get("collaborators", []),
        user_tags=d.get("user_tags", []), alt_texts=[i.alt for i in items], location_id=draft.location_id,
        first_comment=draft.first_comment,
    )
    for name, errors in problems.items():
        draft.add(name, errors)
    return draft


def draft_from(request: HttpRequest, form: PostForm, post: Post | None) -> Draft:
    """The composer's first look (nothing typed yet): the post as stored, or the prefill; no messages."""
    ws = request.workspace
    init = form.initial
    draft = Draft(caption=init.get("caption", ""), kind=init.get("kind") or Post.Kind.FEED,
                  first_comment=init.get("first_comment", ""), location_id=init.get("location_id", ""),
                  location_name=init.get("location_name", ""),
                  when=init.get("when", "none"), publish_at=init.get("publish_at"), caption_only=form.caption_only)
    draft.counters = instagram_rules.caption_report(draft.caption)
    if draft.when == "at":
        draft.time = form.local_time("publish_at")
    account = post.account if post else None
    if account is None and "account" in form.fields:
        qs = form.fields["account"].queryset
        account = qs.filter(pk=init["account"]).first() if init.get("account") else qs.first()
    draft.username = account.username if account else ""
    if post is not None:
        draft.user_tags = list(post.user_tags or [])
        draft.items = [Item(i.asset, i.alt_text) for i in post.items.select_related("asset").order_by("position")]
        draft.rrule = post.rrule
        if draft.rrule and draft.publish_at:
            try:
                draft.summary = rb.summarize(draft.rrule, ws.timezone, series_start_utc=draft.publish_at)
                draft.dates = rb.upcoming(draft.rrule, ws.timezone, first_utc=draft.publish_at)
            except RecurrenceError:
                draft.summary = draft.rrule
    return draft


def _on_rule(draft: Draft, tz: str) -> bool:
    """Whether the first post falls on a date the rule itself produces (else it posts once, off the pattern)."""
    start = draft.publish_at
    assert start is not None
    hits = occurrences_between(rule=draft.rrule, series_start_utc=start, tz=tz, start_utc=start,
                               end_utc=start + timedelta(minutes=1), limit=1)
    return bool(hits)


def apply_op(data: QueryDict, op: str, files: Any = None, *, request: HttpRequest) -> tuple[QueryDict, str]:
    """The no-JavaScript composer: picker "add", "search", "upload" and the item buttons re-render the form
    with the change applied (nothing is saved). Returns the new form data and a message."""
    data = data.copy()
    ids, alts = data.getlist("item_asset"), data.getlist("item_alt")
    alts += [""] * (len(ids) - len(alts))
    message = ""
    verb, _, arg = op.partition(":")
    n = int(arg) if arg.isdigit() else -1
    if verb == "add":
        picked = [p for p in data.getlist("pick") if p.isdigit() and p not in ids]
        ids += picked
        alts += [""] * len(picked)
        message = f"Added {len(picked)} item{'s' if len(picked) != 1 else ''}." if picked else "Tick media to add."
    elif verb == "upload":
        uploaded = (files.getlist("file") if files else []) or []
        for f in uploaded:
            try:
                result = media_services.media_upload(user=request.user, workspace=request.workspace, uploaded_file=f)
            except media_services.MediaRejected as exc:
                message += f"{exc} "
            else:
                message += f"{result.message} "
                if str(result.asset.pk) not in ids:
                    ids.append(str(result.asset.pk))
                    alts.append("")
        message = message.strip() or "Choose a file to upload."
    elif verb in ("up", "down", "remove") and 0 <= n < len(ids):
        if verb == "remove":
            del ids[n], alts[n]
        else:
            m = n - 1 if verb == "up" else n + 1
            if 0 <= m < len(ids):
                ids[n], ids[m] = ids[m], ids[n]
                alts[n], alts[m] = alts[m], alts[n]
    data.setlist("item_asset", ids)
    data.setlist("item_alt", alts)
    data.setlist("pick", [])
    return data, message


def picker_page(request: HttpRequest, params: Any) -> dict[str, Any]:
    filters = media_selectors.LibraryFilters.from_query(
        {"q": params.get("picker_q", ""), "kind": params.get("picker_kind", ""),
         "suitable": params.get("picker_suitable", "")})
    page = media_selectors.library_page(workspace=request.workspace, filters=filters,
                                        cursor=params.get("cursor") or None)
    return {"picker": page, "picker_filters": filters}


def composer_context(request: HttpRequest, form: PostForm, draft: Draft, post: Post | None = None,
                     params: Any = None) -> dict[str, Any]:
    ws = request.workspace
    ctx = {
        "form": form, "post": post, "d": draft, "tz": ws.timezone, "slots": SLOTS,
        # A new post may be submitted by whoever may submit; an existing one as the transition table says.
        "can_submit": rules.may(request.user, Op.SUBMIT, post) if post else can(request.user, Action.SUBMIT_POST, ws),
        "can_library": can(request.user, Action.USE_LIBRARY, ws),
        "kinds": Post.Kind.choices, "weekdays": rb.WEEKDAYS,
    }
    if "account" in form.fields:  # the accounts whose login has a place search (Facebook Login)
        ctx["place_search_accounts"] = list(form.fields["account"].queryset.filter(
            login_api=InstagramAccount.LoginApi.FACEBOOK).values_list("pk", flat=True))
    if ctx["can_library"] and not form.caption_only:
        ctx.update(picker_page(request, params if params is not None else request.GET))
        ctx["max_mb"] = media_services.upload_limit_mb()
    return ctx


def _post_for_check(request: HttpRequest) -> Post | None:
    pk = request.GET.get("post", "")
    if not pk.isdigit():
        return None
    return (Post.objects.filter(workspace=request.workspace, pk=int(pk)).select_related("account")
            .prefetch_related(Prefetch("items", queryset=PostMedia.objects.select_related("asset").order_by("position")))
            .first())


@workspace_view(Action.VIEW_ALL_POSTS)
@require_POST
def compose_check(request: HttpRequest) -> HttpResponse:
    """The live fragments (rule messages next to each field, counters, repeat summary and next dates, queue slot,
    preview) for what the composer holds right now, as out-of-band swaps. Saves nothing."""
    ws = request.workspace
    caption_only = not can(request.user, Action.COMPOSE_POST, ws)
    if caption_only and not can(request.user, Action.EDIT_CAPTION, ws):
        raise PermissionDenied("Your role may not compose posts.")
    post = _post_for_check(request)
    with timezone.override(ws.tzinfo):
        form = PostForm(request.POST, workspace=ws, caption_only=caption_only)
        draft = read_draft(request, form, post)
        return render(request, "scheduler/posts/_live.html",
                      {"d": draft, "form": form, "post": post, "tz": ws.timezone, "slots": SLOTS, "oob": True})


@workspace_view(Action.USE_LIBRARY)
@require_safe
def compose_picker(request: HttpRequest) -> HttpResponse:
    """The picker's results (search, kind, suitability, next page) as a fragment."""
    context = picker_page(request, request.GET)
    template = "scheduler/posts/_picker.html#more" if request.GET.get("cursor") else "scheduler/posts/_picker.html#results"
    return render(request, template, context)


@workspace_view(Action.COMPOSE_POST)
@require_safe
def compose_places(request: HttpRequest) -> HttpResponse:
    """The place search's results for the composer's location combobox (a listbox fragment). Saves nothing; an
    account of another workspace is no account at all here."""
    pk = request.GET.get("account", "")
    account = (InstagramAccount.objects.filter(workspace=request.workspace, pk=int(pk)).first()
               if pk.isdigit() else None)
    search = place_selectors.place_search(account=account, query=request.GET.get("place_q", ""))
    return render(request, "scheduler/posts/_places.html", {"search": search})
