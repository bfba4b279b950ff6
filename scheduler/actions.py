"""The one registry of post actions: operation → service call, button label, confirmation question, success
message, URL slug. The app's post page (scheduler/views/posts.py) and the review desk (scheduler/admin/review.py)
both dispatch through :func:`perform`, so a decision means the same thing, asks the same question and answers
with the same words wherever it is taken.

Review decisions carry the version the reviewer saw (``seen_hash``, the post's ``review_hash`` rendered into the
page); a page that does not send it is treated as stale. Irreversible actions have a ``confirm`` question: a page
asks it in a ``<dialog>`` (static/js/confirm.js) and, without JavaScript, the server asks it on a confirm page
(:func:`needs_confirmation`) before running anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from accounts import localtime
from accounts.models import InstagramAccount
from scheduler.models import Post, ReviewEvent
from scheduler.rules import Op

S = Post.Status


@dataclass(frozen=True)
class PostAction:
    slug: str  # the app's URL: posts/<pk>/<slug>
    op: Op  # the transition table's row (rules.TABLE): who may, from which statuses
    label: str
    run: Callable[..., str]  # (user, post, data, **extra) → the success message
    confirm: str = ""  # irreversible: the question asked before it runs
    decision: bool = False  # a review decision: carries the seen version


def _when(post: Post) -> str:
    """A post's time as its workspace reads it (with the zone's abbreviation where that wall time happens twice)."""
    return localtime.local_text(post.publish_at, post.workspace.tzinfo, "%a %d %b %Y, %H:%M")


def _note(data: Mapping[str, str]) -> str:
    return (data.get("note") or "").strip()


def _seen(data: Mapping[str, str]) -> str:
    # A page that did not say which version it showed cannot approve "what it saw": "" never matches.
    return (data.get("seen_hash") or "").strip()


def _approve(user: Any, post: Post, data: Mapping[str, str], publish_at: datetime | None = None) -> str:
    from scheduler.services import approval

    approval.post_approve(user=user, post=post, note=_note(data), publish_at=publish_at, seen_hash=_seen(data))
    if post.status == S.IN_REVIEW:  # a workspace that requires two approvals
        return "First approval recorded; a second editor has to approve it too."
    return "Approved." + (" It is scheduled." if post.publish_at else " Give it a time or add it to the queue.")


def _approve_comment(user: Any, post: Post, data: Mapping[str, str], publish_at: datetime | None = None) -> str:
    if not _note(data):
        raise ValidationError("Write the comment to send with the approval (or use Approve).")
    done = _approve(user, post, data, publish_at=publish_at)
    return done if post.status == S.IN_REVIEW else "Approved; the author gets your comment."


def _reject(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.services import approval

    approval.post_reject(user=user, post=post, note=_note(data), seen_hash=_seen(data))
    return "Rejected; the author sees your note."


def _request_changes(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.services import approval

    approval.post_request_changes(user=user, post=post, note=_note(data), seen_hash=_seen(data))
    return "Sent back to the author for changes."


def _submit(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.services import approval

    approval.post_submit(user=user, post=post, note=_note(data))
    return "Submitted for review."


def _reschedule(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.forms.posts import RescheduleForm
    from scheduler.services import timing

    form = RescheduleForm(data, zone=post.workspace.tzinfo)
    if not form.is_valid():  # the real reason: empty, or not a date and time
        raise ValidationError({"publish_at": form.errors.get("publish_at") or ["Give a date and time."]})
    typed = form.local_time("publish_at").keeping(post.publish_at)
    timing.post_reschedule(user=user, post=post, publish_at=typed.instant,
                             expected_version=form.cleaned_data.get("expected_version"))
    return " ".join(filter(None, [f"Moved to {_when(post)}.", typed.message]))


def _cancel(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.services import timing

    timing.post_cancel(user=user, post=post, note=_note(data))
    return "Cancelled."


def goes_to_manual_queue(post: Post) -> bool:
    """Content Instagram's API cannot publish (stickers, music, product tags, an account that cannot publish):
    "publish now" hands it to a person through the manual queue (scheduler/engine/publish.py decides the same)."""
    return bool(post.manual_reason) or post.account.status == InstagramAccount.Status.DISCONNECTED


def _publish_now(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.services import timing

    manual = goes_to_manual_queue(post)
    timing.post_publish_now(user=user, post=post)
    if manual:
        return "Sent to the manual queue; a person posts it and records the link there."
    return "Publishing now; this page shows the result within a minute."


def _skip(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.services import series

    nxt = series.post_skip_occurrence(user=user, post=post, note=_note(data))
    return "Skipped." + (f" Next date: {_when(nxt)}." if nxt else "")


def _stop_series(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.services import series

    series.series_stop(user=user, post=post, note=_note(data))
    return "The series is stopped."


def _queue(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.services import timing

    timing.post_add_to_queue(user=user, post=post)
    return f"Queued for {_when(post)}."


def _mark_manual(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.services import manual

    manual.post_mark_manual(user=user, post=post, reason=data.get("reason", ""), note=_note(data))
    return "Marked as needing a person to post it."


def _mark_posted(user: Any, post: Post, data: Mapping[str, str], **_: Any) -> str:
    from scheduler.services import manual

    manual.post_mark_posted_manually(user=user, post=post, permalink=data.get("permalink", ""))
    return "Marked as posted."


ACTIONS: dict[str, PostAction] = {a.slug: a for a in (
    PostAction("submit", Op.SUBMIT, "Submit for review", _submit),
    PostAction("approve", Op.APPROVE, "Approve", _approve, decision=True),
    PostAction("approve-comment", Op.APPROVE, "Approve with comment", _approve_comment, decision=True),
    PostAction("request-changes", Op.REQUEST_CHANGES, "Request changes", _request_changes, decision=True),
    PostAction("reject", Op.REJECT, "Reject", _reject, decision=True,
               confirm="Reject this post? It goes back to the author as a draft with your note."),
    PostAction("reschedule", Op.RESCHEDULE, "Reschedule", _reschedule),
    PostAction("cancel", Op.CANCEL, "Cancel post", _cancel,
               confirm="Cancel this post? It will not be published; this cannot be undone."),
    PostAction("publish-now", Op.PUBLISH_NOW, "Publish now", _publish_now,
               confirm="Publish this post on Instagram now? Once it is out it cannot be taken back from here."),
    PostAction("skip", Op.SKIP, "Skip this date", _skip),
    PostAction("stop-series", Op.STOP_SERIES, "Stop the series", _stop_series,
               confirm="Stop this series? No further dates are created and dates not yet posted are cancelled."),
    PostAction("queue", Op.QUEUE, "Add to queue", _queue),
    PostAction("mark-manual", Op.MARK_MANUAL, "Needs a person", _mark_manual),
    PostAction("mark-posted", Op.MARK_POSTED, "Mark posted", _mark_posted),
)}

# The review desk's decision buttons (their form values) → the registry's slugs.
ADMIN_DECISIONS = {"approve": "approve", "approve_comment": "approve-comment", "request_changes": "request-changes",
                   "reject": "reject"}


def get(slug: str) -> PostAction | None:
    return ACTIONS.get(slug)


def label(slug: str, post: Post) -> str:
    """The button's words for this post ("Publish now" on content a person must post says where it goes)."""
    if slug == "publish-now" and goes_to_manual_queue(post):
        return "Send to the manual queue"
    return ACTIONS[slug].label


def question(slug: str, post: Post) -> str:
    """The confirmation question for this post ("" when the action is reversible)."""
    if slug == "publish-now" and goes_to_manual_queue(post):
        return "Send this post to the manual queue now? A person posts it on Instagram and records the link."
    return ACTIONS[slug].confirm


def needs_confirmation(slug: str, post: Post, data: Mapping[str, str]) -> bool:
    """An irreversible action posted without its confirmation (no JavaScript, or a forged form)."""
    return bool(question(slug, post)) and data.get("confirmed") != "1"


def perform(slug: str, *, user: Any, post: Post, data: Mapping[str, str], **extra: Any) -> str:
    """Run the action's service for `user` on `post`; returns the success message. Services raise the refusals
    (ValidationError, PermissionDenied, rules.TransitionError, lifecycle.ConflictError / StaleReviewError)."""
    return ACTIONS[slug].run(user, post, data, **extra)


# --- the history in words: one phrase per ReviewEvent action, for the app's post page and the review desk -------



def history_verb(action: str) -> str:
    """What happened, in words ("moved one date of the series", never "seriesdatemoved")."""
    A = ReviewEvent.Action
    return A(action).label if action in A.values else action.replace("_", " ")


def status_words(status: str) -> str:
    """A status as a person reads it ("In review"); "new" for a post's first event."""
    return S(status).label if status in S.values else ("new" if not status else status.replace("_", " "))


__all__ = ["ACTIONS", "history_verb", "status_words", "ADMIN_DECISIONS", "PostAction", "get", "goes_to_manual_queue", "label", "needs_confirmation",
           "perform", "question"]
