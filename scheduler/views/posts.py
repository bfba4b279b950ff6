"""Post views: list, composer, detail with history and actions, the manual queue. Thin: policy → form → service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import InstagramAccount
from accounts.permissions import Action, can, workspace_view
from scheduler import recurrence
from scheduler.forms.posts import ManualForm, NoteForm, PermalinkForm, PostForm, RescheduleForm
from scheduler.models import Post
from scheduler.selectors import posts as selectors
from scheduler.services import posts as services
from scheduler.services.validation import CAPTION_MAX, HASHTAGS_MAX, MENTIONS_MAX

S = Post.Status


def _local_time(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Forms read and templates show times in the workspace's timezone (stored as UTC)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with timezone.override(request.workspace.tzinfo):
            return view(request, *args, **kwargs)

    return wrapper


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _post_or_404(request: HttpRequest, pk: int) -> Post:
    post = Post.objects.filter(workspace=request.workspace, pk=pk).select_related("workspace", "account").first()
    if post is None:
        raise Http404("No such post.")
    return post


def _composer_context(request: HttpRequest, form: PostForm, post: Post | None = None) -> dict[str, Any]:
    ws = request.workspace
    rule = form.data.get("rrule") if form.is_bound else (post.rrule if post else "")
    preview = ""
    if rule:
        try:
            preview = recurrence.describe(rule, ws.timezone)
        except recurrence.RecurrenceError as exc:
            preview = str(exc)
    return {
        "form": form, "post": post, "library": selectors.library_for_composer(workspace=ws),
        "rrule_preview": preview, "limits": {"caption": CAPTION_MAX, "hashtags": HASHTAGS_MAX,
                                             "mentions": MENTIONS_MAX},
        "tz": ws.timezone,
    }


@workspace_view(Action.VIEW_CALENDAR)
@_local_time
def post_list(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    tz = ws.tzinfo
    status = request.GET.get("status") or None
    if status not in S.values:
        status = None
    account_id = request.GET.get("account")
    account_id = int(account_id) if account_id and account_id.isdigit() else None

    def day(name: str, plus_days: int = 0) -> datetime | None:
        try:
            date = datetime.strptime(request.GET.get(name, ""), "%Y-%m-%d").date()
        except ValueError:
            return None
        return datetime.combine(date + timedelta(days=plus_days), time(), tz)

    start, end = day("from"), day("to", plus_days=1)  # "to" includes that whole local day
    posts = selectors.post_list(user=request.user, workspace=ws, status=status, account_id=account_id,
                                start=start, end=end)
    statuses = S.choices if can(request.user, Action.VIEW_ALL_POSTS, ws) else [
        c for c in S.choices if c[0] in selectors.CLIENT_VISIBLE]
    context = {
        "posts": posts, "statuses": statuses, "accounts": InstagramAccount.objects.filter(workspace=ws),
        "filters": {"status": status or "", "account": account_id, "from": request.GET.get("from", ""),
                    "to": request.GET.get("to", "")},
        "can_compose": can(request.user, Action.COMPOSE_POST, ws), "tz": ws.timezone,
    }
    template = "scheduler/posts/list.html#rows" if request.htmx else "scheduler/posts/list.html"
    return render(request, template, context)


@workspace_view(Action.COMPOSE_POST)
@_local_time
def post_create(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    form = PostForm(request.POST or None, workspace=ws, initial={"kind": Post.Kind.FEED})
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_create(user=request.user, workspace=ws, **form.service_kwargs())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Draft saved. Submit it for review when it is ready.")
            return redirect("scheduler:post_detail", ws=ws.slug, pk=post.pk)
    return render(request, "scheduler/posts/form.html", _composer_context(request, form),
                  status=422 if form.is_bound and form.errors else 200)


@workspace_view(Action.VIEW_ALL_POSTS)
@_local_time
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ws = request.workspace
    post = _post_or_404(request, pk)
    caption_only = not can(request.user, Action.COMPOSE_POST, ws)
    if caption_only and not can(request.user, Action.EDIT_CAPTION, ws):
        raise PermissionDenied("Your role may not edit posts.")
    items = list(post.items.order_by("position"))
    initial = {
        "account": post.account_id, "kind": post.kind, "caption": post.caption, "first_comment": post.first_comment,
        "publish_at": post.publish_at, "rrule": post.rrule, "collaborators": ", ".join(post.collaborators),
        "location_id": post.location_id, "manual_reason": post.manual_reason, "assignee": post.assignee_id,
        "asset_ids": ", ".join(str(i.asset_id) for i in items), "expected_version": post.version,
    }
    form = PostForm(request.POST or None, workspace=ws, caption_only=caption_only, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        data.pop("account", None)  # a post stays on its account; compose a new one for another account
        expected = form.cleaned_data.get("expected_version") or post.version
        try:
            services.post_update(user=request.user, post=post, expected_version=expected, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except (services.ConflictError, services.TransitionError) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Post saved.")
            return redirect("scheduler:post_detail", ws=ws.slug, pk=post.pk)
    return render(request, "scheduler/posts/form.html", _composer_context(request, form, post),
                  status=422 if form.is_bound and form.errors else 200)


def _detail_context(request: HttpRequest, post: Post) -> dict[str, Any]:
    ws, user = request.workspace, request.user
    pending = post.status in services.PENDING
    recurring = bool(post.rrule or post.series_root_id)
    return {
        "post": post, "tz": ws.timezone,
        "rrule_text": _describe(post),
        "can": {
            "edit": post.status in services.EDITABLE and (
                can(user, Action.COMPOSE_POST, ws) or can(user, Action.EDIT_CAPTION, ws)),
            "submit": post.status == S.DRAFT and can(user, Action.SUBMIT_POST, ws),
            "review": post.status == S.IN_REVIEW and can(user, Action.REVIEW_POST, ws),
            "schedule": post.status in (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.FAILED)
            and can(user, Action.COMPOSE_POST, ws),
            "cancel": (pending or post.status == S.NEEDS_REVIEW) and can(user, Action.COMPOSE_POST, ws),
            "publish_now": post.status == S.APPROVED and can(user, Action.PUBLISH_NOW, ws),
            "mark_manual": post.status in (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.FAILED, S.NEEDS_REVIEW)
            and can(user, Action.HANDLE_MANUAL, ws),
            "mark_posted": post.status in (S.MANUAL, S.NEEDS_REVIEW, S.FAILED) and can(user, Action.HANDLE_MANUAL, ws),
            "series": recurring and pending and can(user, Action.COMPOSE_POST, ws),
        },
        "reschedule_form": RescheduleForm(initial={"publish_at": post.publish_at, "expected_version": post.version}),
        "manual_form": ManualForm(), "permalink_form": PermalinkForm(), "note_form": NoteForm(),
    }


def _describe(post: Post) -> str:
    rule = post.rrule or (post.series_root.rrule if post.series_root_id and post.series_root else "")
    if not rule:
        return ""
    try:
        return recurrence.describe(rule, post.workspace.timezone)
    except recurrence.RecurrenceError:
        return rule


@workspace_view(Action.VIEW_CALENDAR)
@_local_time
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_detail(user=request.user, workspace=request.workspace, pk=pk)
    return render(request, "scheduler/posts/detail.html", _detail_context(request, post))


def _run(verb: str, request: HttpRequest, post: Post) -> str:
    """Call the service for `verb`; return the success message."""
    user, data = request.user, request.POST
    note = (data.get("note") or "").strip()
    if verb == "submit":
        services.post_submit(user=user, post=post, note=note)
        return "Submitted for review."
    if verb == "approve":
        services.post_approve(user=user, post=post, note=note)
        return "Approved." + (" It is scheduled." if post.publish_at else " Give it a time or add it to the queue.")
    if verb == "reject":
        services.post_reject(user=user, post=post, note=note)
        return "Rejected; the author sees your note."
    if verb == "request-changes":
        services.post_request_changes(user=user, post=post, note=note)
        return "Changes requested."
    if verb == "reschedule":
        form = RescheduleForm(data)
        if not form.is_valid():
            raise ValidationError({"publish_at": ["Give a date and time."]})
        services.post_reschedule(user=user, post=post, publish_at=form.cleaned_data["publish_at"],
                                 expected_version=form.cleaned_data.get("expected_version"))
        return f"Moved to {timezone.localtime(post.publish_at):%a %d %b %Y, %H:%M}."
    if verb == "cancel":
        services.post_cancel(user=user, post=post, note=note)
        return "Cancelled."
    if verb == "publish-now":
        services.post_publish_now(user=user, post=post)
        return "Publishing now; this page shows the result within a minute."
    if verb == "skip":
        nxt = services.post_skip_occurrence(user=user, post=post, note=note)
        return "Skipped." + (f" Next date: {timezone.localtime(nxt.publish_at):%a %d %b %Y, %H:%M}." if nxt else "")
    if verb == "stop-series":
        services.series_stop(user=user, post=post, note=note)
        return "The series is stopped."
    if verb == "queue":
        services.post_add_to_queue(user=user, post=post)
        return f"Queued for {timezone.localtime(post.publish_at):%a %d %b %Y, %H:%M}."
    if verb == "mark-manual":
        services.post_mark_manual(user=user, post=post, reason=data.get("reason", ""), note=note)
        return "Marked as needing a person to post it."
    if verb == "mark-posted":
        services.post_mark_posted_manually(user=user, post=post, permalink=data.get("permalink", ""))
        return "Marked as posted."
    raise Http404("No such action.")


def _next_url(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=False):
        return nxt
    return default


def action_view(verb: str) -> Callable[..., HttpResponse]:
    @workspace_view(Action.VIEW_CALENDAR)
    @require_POST
    @_local_time
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        post = _post_or_404(request, pk)
        ok = True
        try:
            message = _run(verb, request, post)
        except ValidationError as exc:
            ok, message = False, " ".join(exc.messages)
        except (services.ConflictError, services.TransitionError) as exc:
            ok, message = False, exc.message
        (messages.success if ok else messages.error)(request, message)
        detail = reverse("scheduler:post_detail", kwargs={"ws": request.workspace.slug, "pk": post.pk})
        if request.htmx and not request.POST.get("next"):
            fresh = selectors.post_detail(user=request.user, workspace=request.workspace, pk=post.pk)
            context = {**_detail_context(request, fresh), "flash": message, "flash_ok": ok}
            return render(request, "scheduler/posts/detail.html#panel", context, status=200 if ok else 422)
        return redirect(_next_url(request, detail))

    view.__name__ = f"post_{verb.replace('-', '_')}"
    return view


post_submit = action_view("submit")
post_approve = action_view("approve")
post_reject = action_view("reject")
post_request_changes = action_view("request-changes")
post_reschedule = action_view("reschedule")
post_cancel = action_view("cancel")
post_publish_now = action_view("publish-now")
post_skip = action_view("skip")
post_stop_series = action_view("stop-series")
post_queue = action_view("queue")
post_mark_manual = action_view("mark-manual")
post_mark_posted = action_view("mark-posted")


@workspace_view(Action.HANDLE_MANUAL)
@_local_time
def manual_queue(request: HttpRequest) -> HttpResponse:
    posts = selectors.manual_queue(workspace=request.workspace)
    return render(request, "scheduler/posts/manual_queue.html",
                  {"posts": posts, "permalink_form": PermalinkForm(), "tz": request.workspace.timezone})
