"""The review page of one post in the admin: Instagram-like preview, rule warnings, the diff against the last
approved content, history, the caption editor and the decision buttons — each decision one service call."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import localtime
from scheduler import rules
from scheduler.content import content_diff, content_snapshot
from scheduler.instagram_rules import caption_errors, count_hashtags, count_mentions, media_errors
from scheduler.models import Post, ReviewEvent
from scheduler.rules import Op
from scheduler.services import approval as approval_svc
from scheduler.services import compose as compose_svc
from scheduler.services import lifecycle as lifecycle_svc

S = Post.Status
DETAIL_FIELDS = ("workspace", "account", "kind", "status", "publish_at", "first_comment", "collaborators",
                 "user_tags", "location_id", "rrule", "series_root", "author", "assignee", "manual_reason")
ENGINE_FIELDS = ("retry_count", "attempt_count", "next_attempt_at", "next_check_at", "claimed_at",
                 "publish_started_at", "container_ids", "ig_media_id", "permalink", "published_at", "last_error",
                 "last_error_code", "deferred_reason", "review_expired_at", "version")
DECISIONS = {
    "approve": (Op.APPROVE, "Approved."),
    "approve_comment": (Op.APPROVE, "Approved; the author gets your comment."),
    "request_changes": (Op.REQUEST_CHANGES, "Sent back to the author for changes."),
    "reject": (Op.REJECT, "Rejected; the author gets your note."),
}


def _parse_local(value: str, tzinfo: Any, fold: Any = None) -> localtime.LocalTime | None:
    """The desk's new time, by the one local-time policy (accounts/localtime.py); empty means "keep the time"."""
    if not (value or "").strip():
        return None
    try:
        return localtime.parse_local(value, tzinfo, choice=fold)
    except localtime.LocalTimeError as exc:
        raise ValidationError({"publish_at": [exc.message]}) from None


def warnings_for(post: Post, items: list[Any]) -> list[str]:
    """Instagram's rules the post breaks now (caption limits, media fit for the kind)."""
    found = list(caption_errors(post.caption or ""))
    found += media_errors(post.kind, [i.asset for i in items])
    if not items:
        found.append("No media: Instagram needs at least one image or video.")
    return found


def review_context(request: HttpRequest, post: Post) -> dict[str, Any]:
    items = list(post.items.select_related("asset").order_by("position"))
    ws = post.workspace
    thumbs = [{"url": reverse("scheduler:asset_file", kwargs={"ws": ws.slug, "pk": i.asset_id,
                                                              "variant": "instagram" if i.asset.rendition else "thumb"}),
               "alt": i.alt_text, "kind": i.asset.kind, "position": i.position + 1,
               "has_image": bool(i.asset.rendition or i.asset.thumbnail), "name": str(i.asset)} for i in items]
    events = list(ReviewEvent.objects.filter(post=post).select_related("actor").order_by("created_at", "id"))
    last_approval = next((e for e in reversed(events) if e.action == "approved" and e.content), None)
    diff = []
    if last_approval and post.approved_hash and post.content_hash != post.approved_hash:
        diff = content_diff(last_approval.content, content_snapshot(post, items))
    allowed = rules.allowed_actions(request.user, post)
    local = timezone.localtime(post.publish_at, ws.tzinfo) if post.publish_at else None
    time_passed = bool(post.publish_at and post.publish_at <= timezone.now())
    return {
        "post": post, "slides": thumbs, "warnings": warnings_for(post, items),
        "hashtags": count_hashtags(post.caption or ""), "mentions": count_mentions(post.caption or ""),
        "chars": len(post.caption or ""), "events": events, "attempts": list(post.attempts.order_by("number")),
        "diff": diff, "last_approval": last_approval, "local_time": local, "tz": ws.timezone,
        "time_passed": time_passed, **_approval(request.user, post, time_passed),
        "first_approval": (next((e for e in reversed(events) if e.action == "approved_first"), None)
                           if rules.first_approval_valid(post) else None),
        "required_approvals": ws.required_approvals,
        "can_review": bool(allowed & {Op.REJECT, Op.REQUEST_CHANGES}),
        "can_edit_caption": Op.EDIT_CAPTION in allowed or Op.EDIT in allowed,
        "review_url": reverse("admin:scheduler_post_review", args=[post.pk]),
        "app_url": reverse("scheduler:post_detail", kwargs={"ws": ws.slug, "pk": post.pk}),
        "new_time": (new_time := localtime.from_instant(post.publish_at, ws.tzinfo) if local and not time_passed
                     else _next_hour(ws.tzinfo)),
        "new_time_default": new_time.input,
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
            return super().change_view(request, object_id, form_url, extra)  # type: ignore[misc]

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
        """One decision (approve, approve with comment, request changes, reject) → one service call."""
        post = self.get_queryset(request).select_related("workspace", "account", "author").filter(  # type: ignore[attr-defined]
            pk=unquote(object_id)).first()
        if post is None:
            raise Http404("Not found.")  # another workspace's post, or none: nothing happens
        decision = request.POST.get("decision", "")
        if decision not in DECISIONS:
            raise Http404("No such decision.")
        note = (request.POST.get("note") or "").strip()
        change_url = reverse("admin:scheduler_post_change", args=[post.pk])
        new_time = None
        try:
            if decision == "approve_comment" and not note:
                raise ValidationError("Write the comment to send with the approval (or use Approve).")
            if decision == "approve" or decision == "approve_comment":
                new_time = _parse_local(request.POST.get("publish_at", ""), post.workspace.tzinfo,
                                        request.POST.get("publish_at_fold"))
                approval_svc.post_approve(user=request.user, post=post, note=note,
                                      publish_at=new_time.instant if new_time else None)
            elif decision == "request_changes":
                approval_svc.post_request_changes(user=request.user, post=post, note=note)
            else:
                approval_svc.post_reject(user=request.user, post=post, note=note)
        except (lifecycle_svc.ConflictError, rules.TransitionError) as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(change_url)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return HttpResponseRedirect(change_url)
        done = DECISIONS[decision][1]
        if decision.startswith("approve") and post.status == S.IN_REVIEW:
            done = "First approval recorded; a second editor has to approve it too."
        if new_time is not None and new_time.message:  # a new time that did not exist or happens twice
            done = f"{done} {new_time.message}"
        messages.success(request, f"“{post}”: {done}")
        return HttpResponseRedirect(reverse("admin:scheduler_post_changelist"))  # back to the queue
