"""Post views: list, composer, detail with history and actions, the manual queue. Thin: policy → form → service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import localtime
from accounts.models import InstagramAccount
from accounts.permissions import Action, can, workspace_view
from accounts.redirects import safe_next
from scheduler import actions, recurrence, recurrence_builder, rules
from scheduler.charts import Series, line_chart
from scheduler.content import review_hash
from scheduler.forms.posts import ManualForm, NoteForm, PermalinkForm, PostForm, RescheduleForm
from scheduler.models import MetricSnapshot, Post
from scheduler.rules import Op
from scheduler.selectors import posts as selectors
from scheduler.services import compose as compose_svc
from scheduler.services import lifecycle as lifecycle_svc
from scheduler.views import compose

S = Post.Status


def _local_time(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Forms read and templates show times in the workspace's timezone (stored as UTC)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with timezone.override(request.workspace.tzinfo):
            return view(request, *args, **kwargs)

    return wrapper


def _post_or_404(request: HttpRequest, pk: int) -> Post:
    post = Post.objects.filter(workspace=request.workspace, pk=pk).select_related("workspace", "account").first()
    if post is None:
        raise Http404("No such post.")
    return post


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
        return localtime.day_start(date + timedelta(days=plus_days), tz)

    start, end = day("from"), day("to", plus_days=1)  # "to" includes that whole local day
    posts = selectors.post_list(user=request.user, workspace=ws, status=status, account_id=account_id,
                                start=start, end=end)
    statuses = S.choices if can(request.user, Action.VIEW_ALL_POSTS, ws) else [
        c for c in S.choices if c[0] in rules.CLIENT_VISIBLE]
    context = {
        "posts": posts, "statuses": statuses, "accounts": InstagramAccount.objects.filter(workspace=ws),
        "filters": {"status": status or "", "account": account_id, "from": request.GET.get("from", ""),
                    "to": request.GET.get("to", "")},
        "can_compose": can(request.user, Action.COMPOSE_POST, ws), "tz": ws.timezone,
    }
    template = "scheduler/posts/list.html#rows" if request.htmx else "scheduler/posts/list.html"
    return render(request, template, context)


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """The composer opened from the calendar: ?at=<YYYY-MM-DDTHH:MM local>&account=<id>."""
    initial: dict[str, Any] = {"kind": Post.Kind.FEED, "when": "none", "repeat_end": "never", "repeat_interval": 1}
    try:  # the week's "+" of a repeated hour says which pass (fold=1: the second)
        at = localtime.parse_local(request.GET.get("at", ""), request.workspace.tzinfo, choice=request.GET.get("fold"))
    except localtime.LocalTimeError:
        at = None
    if at is not None:
        initial.update(publish_at=at.instant, when="at")
    account = request.GET.get("account", "")
    if account.isdigit() and InstagramAccount.objects.filter(workspace=request.workspace, pk=int(account)).exists():
        initial["account"] = int(account)
    return initial


def _compose_response(request: HttpRequest, post: Post | None, caption_only: bool = False) -> HttpResponse:
    """GET shows the composer; POST with ``op`` applies a no-JS picker/reorder step; POST otherwise saves
    (as a draft, or submits it for review with intent=submit) when every rule passes."""
    ws, user = request.workspace, request.user
    if request.method != "POST":
        initial = PostForm.initial_for(post) if post else _prefill(request)
        form = PostForm(workspace=ws, caption_only=caption_only, initial=initial)
        draft = compose.draft_from(request, form, post)
        return render(request, "scheduler/posts/form.html", compose.composer_context(request, form, draft, post))
    op = request.POST.get("op", "")
    data, note = (compose.apply_op(request.POST, op, request.FILES, request=request) if op and not caption_only
                  else (request.POST, ""))
    form = PostForm(data, workspace=ws, caption_only=caption_only)
    draft = compose.read_draft(request, form, post)
    if op:
        if note:
            messages.info(request, note)
        return render(request, "scheduler/posts/form.html", compose.composer_context(request, form, draft, post, data))
    if draft.ok:
        kwargs = form.service_kwargs(publish_at=draft.publish_at, rrule=draft.rrule)
        # A new time that did not exist or happens twice: the page said so as it was typed; say it once more.
        time_note = draft.time.message if draft.time and (post is None or draft.publish_at != post.publish_at) else ""
        try:
            if post is None:
                post = compose_svc.post_create(user=user, workspace=ws, **kwargs)
                done = "Draft saved. Submit it for review when it is ready."
            else:
                kwargs.pop("account", None)  # a post stays on its account; compose a new one for another account
                compose_svc.post_update(user=user, post=post,
                                     expected_version=form.cleaned_data.get("expected_version") or post.version,
                                     **kwargs)
                done = "Post saved."
            if request.POST.get("intent") == "submit" and rules.may(user, Op.SUBMIT, post):
                done = actions.perform("submit", user=user, post=post, data={})
        except ValidationError as exc:
            for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [("form", exc.messages)]):
                draft.add(field, errors)
        except (lifecycle_svc.ConflictError, rules.TransitionError) as exc:
            draft.add("form", [exc.message])
        else:
            messages.success(request, f"{done} {time_note}".strip())
            return redirect("scheduler:post_detail", ws=ws.slug, pk=post.pk)
    return render(request, "scheduler/posts/form.html", compose.composer_context(request, form, draft, post, data),
                  status=422)


@workspace_view(Action.COMPOSE_POST)
@_local_time
def post_create(request: HttpRequest) -> HttpResponse:
    return _compose_response(request, None)


@workspace_view(Action.VIEW_ALL_POSTS)
@_local_time
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    caption_only = not can(request.user, Action.COMPOSE_POST, request.workspace)
    if caption_only and not can(request.user, Action.EDIT_CAPTION, request.workspace):
        raise PermissionDenied("Your role may not edit posts.")
    return _compose_response(request, post, caption_only)




# What the detail page plots, in this order, with the line colour.
METRIC_SERIES = (("likes", "Likes", "#d62976"), ("comments", "Comments", "#3450d1"), ("views", "Views", "#1e7d32"),
                 ("reach", "Reach", "#a05a00"))


def _metric_charts(snapshots: list[Any], tz: Any) -> list[Any]:
    """One small chart per metric that has data (small multiples), oldest snapshot left."""
    snapshots = sorted(snapshots, key=lambda s: s.taken_at)
    charts = []
    for key, label, color in METRIC_SERIES:
        chart = line_chart([Series(key, label, color, [(s.taken_at, getattr(s, key)) for s in snapshots])], tz=tz,
                           title=f"{label} over time", width=320, height=120, css_class="chart", ticks=False,
                           legend=False, min_points=1)
        if not chart.empty:
            charts.append(chart)
    return charts


def _detail_context(request: HttpRequest, post: Post) -> dict[str, Any]:
    ws, user = request.workspace, request.user
    history = sorted(
        [("event", e.created_at, e, actions.history_verb(e.action), actions.status_words(e.from_status),
          actions.status_words(e.to_status)) for e in post.review_events.all()]
        + [("attempt", a.started_at, a, "", "", "") for a in post.attempts.all()],
        key=lambda row: row[1],
    )
    # Which buttons show comes from the one transition table, so a page never offers what the service refuses.
    allowed = rules.allowed_actions(user, post)
    return {
        "post": post, "tz": ws.timezone, "history": history, "d": compose.draft_of_post(post),
        # Back to a page in this role's navigation (accounts/navigation.py): a client has no post list (issue 23).
        "back": (reverse("scheduler:post_list", kwargs={"ws": ws.slug}), "Posts")
        if can(user, Action.VIEW_ALL_POSTS, ws) else (reverse("scheduler:calendar", kwargs={"ws": ws.slug}), "Calendar"),
        "when_text": localtime.local_text(post.publish_at, ws.tzinfo, "%A %-d %B %Y, %H:%M") if post.publish_at else "",
        "charts": _metric_charts(list(post.metrics.all()), ws.tzinfo),
        "rrule_text": _describe(post), "next_dates": _next_dates(post),
        # Review notes are the team's own talk: clients (read-only) see the post, its preview and its results.
        "show_history": can(user, Action.VIEW_ALL_POSTS, ws),
        "can": {
            "edit": bool(allowed & {Op.EDIT, Op.EDIT_CAPTION}),
            "submit": Op.SUBMIT in allowed,
            "review": bool(allowed & {Op.REJECT, Op.REQUEST_CHANGES}),
            "approve": Op.APPROVE in allowed,
            "schedule": Op.RESCHEDULE in allowed,
            "queue": Op.QUEUE in allowed,
            "cancel": Op.CANCEL in allowed,
            "publish_now": Op.PUBLISH_NOW in allowed,
            "mark_manual": Op.MARK_MANUAL in allowed,
            "mark_posted": Op.MARK_POSTED in allowed,
            "series": Op.SKIP in allowed,
            "stop_series": Op.STOP_SERIES in allowed,
        },
        "reschedule_form": (reschedule := RescheduleForm(
            initial={"publish_at": post.publish_at, "expected_version": post.version}, zone=ws.tzinfo)),
        "reschedule_time": reschedule.local_time("publish_at"),  # its fold travels back with the form
        "manual_form": ManualForm(), "permalink_form": PermalinkForm(), "note_form": NoteForm(),
        # The version on screen: every review decision sends it back, so it decides on exactly this.
        "seen_hash": review_hash(post),
        "labels": {slug.replace("-", "_"): actions.label(slug, post) for slug in actions.ACTIONS},
        "confirms": {slug.replace("-", "_"): actions.question(slug, post) for slug in actions.ACTIONS},
    }


def _describe(post: Post) -> str:
    root = post.series_root if post.series_root_id and post.series_root else post
    if not root.rrule:
        return ""
    try:
        return recurrence_builder.summarize(root.rrule, post.workspace.timezone,
                                            series_start_utc=root.occurrence_at or root.publish_at)
    except recurrence.RecurrenceError:
        return root.rrule


def _next_dates(post: Post) -> list[datetime]:
    """The next dates of a series this post starts (as the engine will make them), for the detail page."""
    if not post.rrule or post.publish_at is None or post.series_stopped or post.status not in rules.PENDING:
        return []
    try:
        return recurrence_builder.upcoming(post.rrule, post.workspace.timezone,
                                           first_utc=post.occurrence_at or post.publish_at)
    except recurrence.RecurrenceError:
        return []


def _with_metrics(post: Post) -> Post:
    """The metric snapshots for the chart, oldest first, in one query whatever their number."""
    prefetch_related_objects([post], Prefetch("metrics", queryset=MetricSnapshot.objects.order_by("taken_at", "id")))
    return post


@workspace_view(Action.VIEW_CALENDAR)
@_local_time
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = _with_metrics(selectors.post_detail(user=request.user, workspace=request.workspace, pk=pk))
    stale = request.session.pop("stale_review", None)
    context = {**_detail_context(request, post),
               "stale_diff": stale["diff"] if stale and stale.get("pk") == post.pk else None}
    return render(request, "scheduler/posts/detail.html", context)


def _next_url(request: HttpRequest, default: str) -> str:
    return safe_next(request, default)


def _confirm_page(request: HttpRequest, post: Post, verb: str) -> HttpResponse:
    """The no-JavaScript confirmation of an irreversible action: the same form again, with `confirmed`."""
    fields = [(k, v) for k in request.POST for v in request.POST.getlist(k)
              if k not in ("csrfmiddlewaretoken", "confirmed")]
    return render(request, "scheduler/posts/confirm.html", {
        "post": post, "question": actions.question(verb, post), "label": actions.label(verb, post),
        "fields": fields, "action_url": request.path,
        "back_url": reverse("scheduler:post_detail", kwargs={"ws": request.workspace.slug, "pk": post.pk}),
    })


def action_view(verb: str) -> Callable[..., HttpResponse]:
    # The route's role check is the transition table's, so a role without the right gets 403 before any lookup.
    @workspace_view(rules.TABLE[actions.ACTIONS[verb].op].action)
    @require_POST
    @_local_time
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        post = _post_or_404(request, pk)
        if actions.needs_confirmation(verb, post, request.POST) and rules.may(request.user, actions.ACTIONS[verb].op,
                                                                              post):
            return _confirm_page(request, post, verb)
        ok, stale = True, None
        try:
            message = actions.perform(verb, user=request.user, post=post, data=request.POST)
        except ValidationError as exc:
            ok, message = False, " ".join(exc.messages)
        except lifecycle_svc.StaleReviewError as exc:
            ok, message, stale = False, exc.message, exc.diff
        except (lifecycle_svc.ConflictError, rules.TransitionError) as exc:
            ok, message = False, exc.message
        if request.htmx and not request.POST.get("next"):
            # The fragment carries the message itself; queued in the session too, it would show up again on
            # whatever page the user opens next.
            fresh = _with_metrics(selectors.post_detail(user=request.user, workspace=request.workspace, pk=post.pk))
            context = {**_detail_context(request, fresh), "flash": message, "flash_ok": ok, "stale_diff": stale}
            return render(request, "scheduler/posts/detail.html#panel", context, status=200 if ok else 422)
        (messages.success if ok else messages.error)(request, message)
        if stale is not None:
            request.session["stale_review"] = {"pk": post.pk, "diff": stale}
        detail = reverse("scheduler:post_detail", kwargs={"ws": request.workspace.slug, "pk": post.pk})
        target = _next_url(request, detail)
        if not ok and target == reverse("scheduler:manual_queue", kwargs={"ws": request.workspace.slug}):
            # The queue shows the refusal next to the card's form and keeps what was typed (nothing lost).
            typed = {k: request.POST[k] for k in RETRY_FIELDS if k in request.POST}
            request.session["failed_action"] = {"pk": post.pk, "verb": verb, "data": typed, "error": message}
        return redirect(target)

    view.__name__ = f"post_{verb.replace('-', '_')}"
    return view


# What a refused plain-POST action keeps for the page it returns to.
RETRY_FIELDS = ("permalink", "note", "reason")

post_submit = action_view("submit")
post_approve = action_view("approve")
post_reject = action_view("reject")
post_request_changes = action_view("request-changes")
post_reschedule = action_view("reschedule")
post_cancel = action_view("cancel")
post_publish_now = action_view("publish-now")
post_skip_occurrence = action_view("skip")
post_stop_series = action_view("stop-series")
post_queue = action_view("queue")
post_mark_manual = action_view("mark-manual")
post_mark_posted = action_view("mark-posted")


@workspace_view(Action.HANDLE_MANUAL)
@_local_time
def manual_queue(request: HttpRequest) -> HttpResponse:
    posts = selectors.manual_queue(workspace=request.workspace)
    failed = request.session.pop("failed_action", None)
    failed = failed if failed and failed.get("verb") == "mark-posted" else None
    return render(request, "scheduler/posts/manual_queue.html",
                  {"posts": posts, "permalink_form": PermalinkForm(), "tz": request.workspace.timezone,
                   "failed": failed})
