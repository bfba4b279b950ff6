"""The review page of one post in the admin: Instagram-like preview, rule warnings, the diff against the last
approved content, history, the caption editor and the decision buttons — each decision one service call."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import localtime
from scheduler import actions, rules
from scheduler.content import content_diff, repeat_words, review_hash, review_snapshot
from scheduler.instagram_rules import count_hashtags, count_mentions
from scheduler.models import Post, ReviewEvent
from scheduler.rules import Op
from scheduler.services import compose as compose_svc
from scheduler.services import lifecycle as lifecycle_svc

S = Post.Status
DETAIL_FIELDS = ("workspace", "account", "kind", "status", "publish_at_local", "first_comment", "collaborators",
                 "user_tags", "location_id", "location_name", "repeat", "series_root", "author", "assignee", "manual_reason")
ENGINE_FIELDS = ("retry_count", "attempt_count", "next_attempt_at_local", "next_check_at_local", "claimed_at_local",
                 "publish_started_at_local", "container_ids", "ig_media_id", "permalink", "published_at_local",
                 "last_error", "last_error_code", "deferred_reason", "review_expired_at_local", "version")
ZONED = {"publish_at": "Publishes", "next_attempt_at": "Next attempt", "next_check_at": "Next check",
         "claimed_at": "Claimed", "publish_started_at": "Publishing started", "published_at": "Published",
         "review_expired_at": "Review expired"}


def in_zone(value: datetime | None, tz: str) -> str:
    """An instant as the workspace reads it, zone named: "Mon 03 May 2027, 10:00 (Europe/Berlin)"."""
    if value is None:
        return "—"
    return f"{localtime.local_text(value, tz, '%a %d %b %Y, %H:%M')} ({tz})"


def _zoned(name: str, label: str) -> Any:
    def show(self: Any, obj: Post) -> str:
        return in_zone(getattr(obj, name), obj.workspace.timezone)

    show.short_description = label  # type: ignore[attr-defined]
    return show


def _parse_local(value: str, tzinfo: Any, fold: Any = None) -> localtime.LocalTime | None:
    """The desk's new time, by the one local-time policy (accounts/localtime.py); empty means "keep the time"."""
    if not (value or "").strip():
        return None
    try:
        return localtime.parse_local(value, tzinfo, choice=fold)
    except localtime.LocalTimeError as exc:
        raise ValidationError({"publish_at": [exc.message]}) from None


def warnings_for(post: Post, items: list[Any]) -> list[str]:
    """What the composer would say about this post: the rules Instagram would refuse it by, then the heads-ups
    (crops, missing alt text) — the composer's own functions (scheduler/views/compose.py::stored_post_checks)."""
    from scheduler.views.compose import stored_post_checks

    draft = stored_post_checks(post, items)
    return [m for _, found in draft.slot_list for m in found] + draft.hints


def _times(post: Post) -> dict[str, Any]:
    """The repeat in words and the next dates the engine will make, for the review page (workspace zone)."""
    from scheduler.views.posts import _describe, _next_dates

    return {"repeat_text": _describe(post), "next_dates": _next_dates(post)}


def review_context(request: HttpRequest, post: Post) -> dict[str, Any]:
    items = list(post.items.select_related("asset").order_by("position"))
    ws = post.workspace
    from scheduler.views.compose import draft_of_items

    draft = draft_of_items(post, items)
    thumbs = [{"url": reverse("scheduler:asset_file", kwargs={"ws": ws.slug, "pk": i.asset_id,
                                                              "variant": "instagram" if i.asset.rendition else "thumb"}),
               "alt": i.alt_text, "kind": i.asset.kind, "position": i.position + 1,
               "has_image": bool(i.asset.rendition or i.asset.thumbnail), "name": str(i.asset)} for i in items]
    events = list(ReviewEvent.objects.filter(post=post).select_related("actor").order_by("created_at", "id"))
    history = [{"event": e, "verb": actions.history_verb(e.action), "from": actions.status_words(e.from_status),
                "to": actions.status_words(e.to_status)} for e in events]
    last_approval = next((e for e in reversed(events) if e.action == ReviewEvent.Action.APPROVED and e.content), None)
    now = review_snapshot(post, items)
    start = post.occurrence_at or post.publish_at
    diff = content_diff(last_approval.content, now, ws.timezone, start) if last_approval else []
    allowed = rules.allowed_actions(request.user, post)
    local = timezone.localtime(post.publish_at, ws.tzinfo) if post.publish_at else None
    time_passed = bool(post.publish_at and post.publish_at <= timezone.now())
    stale = request.session.pop("stale_review", None)
    return {
        "post": post, "slides": thumbs, "warnings": warnings_for(post, items), "ratio": draft.ratio,
        "hashtags": count_hashtags(post.caption or ""), "mentions": count_mentions(post.caption or ""),
        "chars": len(post.caption or ""), "events": events, "history": history,
        "attempts": list(post.attempts.order_by("number")),
        "diff": diff, "last_approval": last_approval, "local_time": local, "tz": ws.timezone,
        "time_passed": time_passed, **_approval(request.user, post, time_passed), **_times(post),
        "first_approval": (next((e for e in reversed(events) if e.action == ReviewEvent.Action.APPROVED_FIRST), None)
                           if rules.first_approval_valid(post) else None),
        "required_approvals": ws.required_approvals,
        "can_review": bool(allowed & {Op.REJECT, Op.REQUEST_CHANGES}),
        "can_edit_caption": Op.EDIT_CAPTION in allowed or Op.EDIT in allowed,
        "review_url": reverse("admin:scheduler_post_review", args=[post.pk]),
        "app_url": reverse("scheduler:post_detail", kwargs={"ws": ws.slug, "pk": post.pk}),
        "new_time": (new_time := localtime.from_instant(post.publish_at, ws.tzinfo) if local and not time_passed
                     else _next_hour(ws.tzinfo)),
        "new_time_default": new_time.input,
        "followers": [{"when": in_zone(f.publish_at, ws.timezone),
                       "repeat": repeat_words(f.rrule, ws.timezone, f.occurrence_at or f.publish_at) if f.rrule else ""}
                      for f in post.review_followers.filter(status=post.status).order_by("publish_at", "pk")],
        "seen_hash": review_hash(post, items), "reject_confirm": actions.question("reject", post),
        "stale_diff": stale["diff"] if stale and stale.get("pk") == post.pk else None,
    }


def _next_hour(zone: Any) -> localtime.LocalTime:
    """The top of the local hour after the next one: what the desk offers when a post's time has passed."""
    soon = localtime.from_instant(timezone.now() + timedelta(hours=1), zone)
    return localtime.resolve(soon.wall.replace(minute=0), zone, soon.fold)


def _approval(user: Any, post: Post, time_passed: bool) -> dict[str, Any]:
    """May the user approve now, or with a new time (expired), or not at all (and why)?"""
    why = rules.reason(user, Op.APPROVE, post)
    if why and time_passed:
        later = copy.copy(post)
        later.publish_at = timezone.now() + timedelta(days=1)
        if rules.may(user, Op.APPROVE, later):
            return {"can_approve": True, "approve_needs_time": True, "approve_reason": why}
    return {"can_approve": why is None, "approve_needs_time": False, "approve_reason": why or ""}


class ReviewPageMixin:
    """The change view of a post is its review page (template admin/scheduler/post/change_form.html)."""

    for _name, _label in ZONED.items():
        locals()[f"{_name}_local"] = _zoned(_name, _label)
    del _name, _label

    def repeat(self, obj: Post) -> str:
        return repeat_words(obj.rrule, obj.workspace.timezone, obj.occurrence_at or obj.publish_at)

    repeat.short_description = "Repeats"  # type: ignore[attr-defined]

    def get_fieldsets(self, request: Any, obj: Post | None = None) -> Any:
        return [
            ("Caption", {"fields": ["caption", "expected_version"],
                         "description": "Editors may fix the caption; the author sees the edit in the history."}),
            ("Details", {"fields": list(DETAIL_FIELDS), "classes": ["collapse"]}),
            ("Publishing details", {"fields": list(ENGINE_FIELDS), "classes": ["collapse"]}),
        ]

    def get_readonly_fields(self, request: Any, obj: Post | None = None) -> Any:
        fixed = [*DETAIL_FIELDS, *ENGINE_FIELDS]
        if obj is not None and not (rules.may(request.user, Op.EDIT_CAPTION, obj)
                                    or rules.may(request.user, Op.EDIT, obj)):
            fixed.append("caption")
        return fixed

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        if "caption" not in form.base_fields and "expected_version" in form.base_fields:
            form.base_fields["expected_version"].required = False
        return form

    def change_view(self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        self._hide_unless_in_scope(request, object_id)  # type: ignore[attr-defined]
        post = self.get_queryset(request).select_related("workspace", "account", "author").get(  # type: ignore[attr-defined]
            pk=unquote(object_id))
        extra = {**(extra_context or {}), **review_context(request, post), "title": "Review post"}
        with timezone.override(post.workspace.tzinfo):
            response = super().change_view(request, object_id, form_url, extra)  # type: ignore[misc]
            if hasattr(response, "render"):
                response.render()  # inside the workspace's zone: a lazy render would draw times in UTC
            return response

    def save_model(self, request: Any, obj: Post, form: Any, change: bool) -> None:
        if not change or "caption" not in form.changed_data:
            return
        current = Post.objects.select_related("workspace", "account", "author").get(pk=obj.pk)
        try:
            compose_svc.post_update(user=request.user, post=current,
                                 expected_version=form.cleaned_data["expected_version"] or current.version,
                                 caption=form.cleaned_data["caption"])
        except (lifecycle_svc.ConflictError, rules.TransitionError) as exc:
            request._pressroom_not_saved = True
            self.message_user(request, exc.message, messages.ERROR)  # type: ignore[attr-defined]
        except (PermissionDenied, ValidationError) as exc:
            request._pressroom_not_saved = True
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])),  # type: ignore[attr-defined]
                              messages.ERROR)

    def response_change(self, request: Any, obj: Post) -> HttpResponse:
        if getattr(request, "_pressroom_not_saved", False):
            # Back to the page, which now shows the newer data; no "changed successfully" on top of the error.
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)  # type: ignore[misc]

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(require_POST(self.review_view))  # type: ignore[attr-defined]
        return [path("<path:object_id>/review/", view, name="scheduler_post_review"),
                *super().get_urls()]  # type: ignore[misc]

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """One decision (approve, approve with comment, request changes, reject) → the action registry's service
        call, with the version the page showed (``seen_hash``)."""
        object_id = unquote(object_id)
        if not object_id.isdigit():
            raise Http404("Not found.")  # "abc" is no post: 404, never a 500
        post = self.get_queryset(request).select_related("workspace", "account", "author").filter(  # type: ignore[attr-defined]
            pk=int(object_id)).first()
        if post is None:
            raise Http404("Not found.")  # another workspace's post, or none: nothing happens
        slug = actions.ADMIN_DECISIONS.get(request.POST.get("decision", ""))
        if slug is None:
            raise Http404("No such decision.")
        change_url = reverse("admin:scheduler_post_change", args=[post.pk])
        if actions.needs_confirmation(slug, post, request.POST) and rules.may(request.user, actions.ACTIONS[slug].op,
                                                                              post):
            fields = [(k, v) for k in request.POST for v in request.POST.getlist(k)
                      if k not in ("csrfmiddlewaretoken", "confirmed")]
            return TemplateResponse(request, "admin/scheduler/post/confirm.html", {
                **self.admin_site.each_context(request), "title": f"{actions.label(slug, post)}?",  # type: ignore[attr-defined]
                "post": post, "question": actions.question(slug, post), "label": actions.label(slug, post),
                "fields": fields, "action_url": request.path, "back_url": change_url, "opts": self.model._meta,  # type: ignore[attr-defined]
            })
        new_time = None
        try:
            if slug.startswith("approve"):  # only an approval may give a new time
                new_time = _parse_local(request.POST.get("publish_at", ""), post.workspace.tzinfo,
                                        request.POST.get("publish_at_fold"))
            done = actions.perform(slug, user=request.user, post=post, data=request.POST,
                                   publish_at=new_time.instant if new_time else None)
        except lifecycle_svc.StaleReviewError as exc:
            request.session["stale_review"] = {"pk": post.pk, "diff": exc.diff}
            messages.error(request, exc.message)
            return HttpResponseRedirect(change_url)
        except (lifecycle_svc.ConflictError, rules.TransitionError) as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(change_url)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return HttpResponseRedirect(change_url)
        if new_time is not None and new_time.message:  # a new time that did not exist or happens twice
            done = f"{done} {new_time.message}"
        messages.success(request, f"“{post}”: {done}")
        return HttpResponseRedirect(reverse("admin:scheduler_post_changelist"))  # back to the queue
