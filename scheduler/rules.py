"""The one table of post transitions (per operation: from which statuses, which policy Action) and the status sets.

The status sets (editable, movable, final, client-visible, public media) and the asset checks that depend on them
(`can_view_asset`, `can_fetch_public_file`) live here too, beside the table, so no module keeps its own list.

Services enforce it (`check`), views, templates and the admin ask it (`may`, `allowed_actions`), so an
action offered on a page is exactly an action the service accepts. Where a post goes *to* stays in the
service that performs the move; this table answers "may this user do X to this post now?".
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.permissions import Action, allows, is_member, require, role_of
from scheduler.models import MediaAsset, Post, ReviewEvent

S = Post.Status


class TransitionError(Exception):
    """The post is not in a state that allows this action (or a workflow rule forbids it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Op(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    EDIT = "edit"  # any content, schedule or assignment field
    EDIT_CAPTION = "edit_caption"  # the caption only (editors fixing a typo)
    RESCHEDULE = "reschedule"
    QUEUE = "queue"
    CANCEL = "cancel"
    PUBLISH_NOW = "publish_now"
    MARK_MANUAL = "mark_manual"
    MARK_POSTED = "mark_posted"
    SKIP = "skip"
    STOP_SERIES = "stop_series"


# The status sets, defined once (every other module imports them from here).
# Statuses in which a post still waits to go out: it can be edited, moved, cancelled. A failed post is one of them:
# given a new time it is approved again (services/timing.py), so it is not over.
EDITABLE = (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.FAILED, S.MANUAL)
PENDING = EDITABLE
MOVABLE = (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.FAILED)
# Statuses a post never leaves: its media are history (the library may delete an asset used only by these).
FINAL = (S.PUBLISHED, S.CANCELLED)
# What a client (read-only) may see: the approved calendar and what went out of it. Drafts, posts in review and
# failures stay with the team.
CLIENT_VISIBLE = (S.APPROVED, S.PUBLISHING, S.PUBLISHED)
# Posts on their way out (or just out): Instagram may fetch their media through a signed public URL.
PUBLIC_MEDIA = (S.APPROVED, S.PUBLISHING, S.PUBLISHED, S.FAILED, S.NEEDS_REVIEW, S.MANUAL)
ALL = tuple(S)


def _recurring(post: Post) -> str | None:
    if post.rrule or post.series_root_id:
        return None
    return "Only a date of a repeating post can be skipped; cancel a one-off post instead."


def series_root(post: Post) -> Post | None:
    """The post that carries the series' rule (the post itself or its series root); None for a one-off post."""
    root = post.series_root if post.series_root_id else post
    return root if root is not None and root.rrule else None


def series_stopped(post: Post) -> bool:
    """The one "series stopped" rule: the series this post belongs to creates no further dates."""
    root = series_root(post)
    return bool(root is not None and root.series_stopped)


def status_after_new_time(post: Post) -> str:
    """A failed post given a new time gets another chance (its content was approved and has not changed): it
    becomes approved; every other status stays as it is."""
    return S.APPROVED if post.status == S.FAILED else post.status


def _series_running(post: Post) -> str | None:
    if series_root(post) is None:
        return "This post does not repeat; there is no series to stop."
    if series_stopped(post):
        return "This series is already stopped."
    return None


# ReviewEvent actions that write a post's reviewable content (caption, media, …, a longer or denser repeat).
CONTENT_WRITES = (ReviewEvent.Action.CREATED, ReviewEvent.Action.EDITED)


def content_writers(post: Post) -> set[int]:
    """Who wrote what a reviewer would approve now: the author, and whoever changed the content (or extended its
    repeat) since its last full approval. Read from the post's history (ReviewEvent)."""
    events = ReviewEvent.objects.filter(post=post)
    last = events.filter(action=ReviewEvent.Action.APPROVED).order_by("-id").values_list("id", flat=True).first()
    if last is not None:
        events = events.filter(id__gt=last)
    writers = set(events.filter(action__in=CONTENT_WRITES, actor__isnull=False).values_list("actor_id", flat=True))
    if post.author_id:
        writers.add(post.author_id)
    return writers


def written_by_q(user: Any) -> Q:
    """`content_writers` as a filter on posts, for lists and counts: the posts `user` wrote — as author, or by a
    content write since the post's last full approval."""
    last_approval = (ReviewEvent.objects.filter(post=OuterRef("post"), action=ReviewEvent.Action.APPROVED)
                     .order_by("-id").values("id")[:1])
    writes = ReviewEvent.objects.filter(post=OuterRef("pk"), actor=user, action__in=CONTENT_WRITES,
                                        id__gt=Coalesce(Subquery(last_approval), Value(0)))
    return Q(author=user) | Q(Exists(writes))


def four_eyes(workspace: Any) -> bool:
    """Whether the workspace forbids approving what you wrote (two-approval workspaces always do)."""
    return bool(getattr(workspace, "forbid_self_approval", False) or getattr(workspace, "required_approvals", 1) >= 2)


def four_eyes_q() -> Q:
    """`four_eyes` as a filter on posts."""
    return Q(workspace__forbid_self_approval=True) | Q(workspace__required_approvals__gte=2)


def _not_self_approval(post: Post, user: Any) -> str | None:
    """Four eyes: nobody approves content they wrote — as its author or by changing it since the last approval."""
    if getattr(user, "pk", None) is None or not four_eyes(post.workspace):
        return None
    if post.author_id == user.pk:
        return "You wrote this post; another editor has to approve it (this workspace forbids self-approval)."
    if user.pk in content_writers(post):
        return ("You changed this post's content since it was last approved; another editor has to approve it "
                "(this workspace forbids approving what you wrote).")
    return None


def first_approval_valid(post: Post) -> bool:
    """A first approval (two-approval workspaces) counts only for the content it was given to."""
    if not post.first_approval_by_id or not post.first_approval_hash:
        return False
    from scheduler.content import content_hash

    return post.first_approval_hash == content_hash(post)


def _not_second_vote_by_same(post: Post, user: Any) -> str | None:
    if getattr(post.workspace, "required_approvals", 1) < 2 or post.first_approval_by_id != getattr(user, "pk", None):
        return None
    if first_approval_valid(post):
        return "You gave the first approval; this workspace needs a second editor to approve it too."
    return None


def _time_not_passed(post: Post, user: Any) -> str | None:
    if post.publish_at is not None and post.publish_at <= timezone.now():
        return "Its time has passed; give it a new time before approving it."
    return None


@dataclass(frozen=True)
class Rule:
    verb: str  # for messages: "Can't <verb> a post that is …"
    action: Action  # the policy question (role) behind the operation
    from_statuses: tuple[str, ...]
    # Extra conditions on the post (and user): each returns a sentence when the operation is not possible.
    conditions: tuple[Callable[..., str | None], ...] = ()


TABLE: dict[Op, Rule] = {
    Op.SUBMIT: Rule("submit for review", Action.SUBMIT_POST, (S.DRAFT,)),
    Op.APPROVE: Rule("approve", Action.REVIEW_POST, (S.IN_REVIEW,), (_not_self_approval, _not_second_vote_by_same,
                                                                 _time_not_passed)),
    Op.REJECT: Rule("reject", Action.REVIEW_POST, (S.IN_REVIEW,)),
    Op.REQUEST_CHANGES: Rule("request changes to", Action.REVIEW_POST, (S.IN_REVIEW,)),
    Op.EDIT: Rule("edit", Action.COMPOSE_POST, EDITABLE),
    Op.EDIT_CAPTION: Rule("edit", Action.EDIT_CAPTION, EDITABLE),
    Op.RESCHEDULE: Rule("reschedule", Action.COMPOSE_POST, MOVABLE),
    Op.QUEUE: Rule("queue", Action.COMPOSE_POST, MOVABLE),
    Op.CANCEL: Rule("cancel", Action.COMPOSE_POST, (*PENDING, S.NEEDS_REVIEW)),
    Op.PUBLISH_NOW: Rule("publish now", Action.PUBLISH_NOW, (S.APPROVED,)),
    Op.MARK_MANUAL: Rule("send to the manual lane", Action.HANDLE_MANUAL,
                         (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.FAILED, S.NEEDS_REVIEW)),
    Op.MARK_POSTED: Rule("mark as posted", Action.HANDLE_MANUAL, (S.MANUAL, S.NEEDS_REVIEW, S.FAILED)),
    Op.SKIP: Rule("skip", Action.COMPOSE_POST, PENDING, (lambda post, user: _recurring(post),)),
    Op.STOP_SERIES: Rule("stop the series of", Action.COMPOSE_POST, ALL,
                         (lambda post, user: _series_running(post),)),
}


def _status_reason(rule: Rule, post: Post) -> str | None:
    if post.status in rule.from_statuses:
        return None
    names = ", ".join(S(s).label.lower() for s in rule.from_statuses)
    return f"Can't {rule.verb} a post that is {post.get_status_display().lower()}; only {names} posts."


def reason(user: Any, op: Op | str, post: Post) -> str | None:
    """Why `user` may not do `op` to `post` now (None when they may). Membership and role first."""
    rule = TABLE[Op(op)]
    if not is_member(user, post.workspace) or not allows(role_of(user, post.workspace), rule.action):
        return f"Your role may not {rule.verb} posts."
    if why := _status_reason(rule, post):
        return why
    for condition in rule.conditions:
        if why := condition(post, user):
            return why
    return None


def may(user: Any, op: Op | str, post: Post) -> bool:
    return reason(user, op, post) is None


def allowed_actions(user: Any, post: Post) -> frozenset[Op]:
    return frozenset(op for op in Op if may(user, op, post))


def check(user: Any, op: Op | str, post: Post) -> None:
    """For services: 404 outside the workspace, 403 for a role without the right, TransitionError otherwise."""
    rule = TABLE[Op(op)]
    require(user, rule.action, post.workspace)
    if why := _status_reason(rule, post):
        raise TransitionError(why)
    for condition in rule.conditions:
        if why := condition(post, user):
            raise TransitionError(why)


def check_status(op: Op | str, post: Post) -> None:
    """The status part only (for system callers such as the engine, which act for nobody)."""
    if why := _status_reason(TABLE[Op(op)], post):
        raise TransitionError(why)


def can_view_asset(user: Any, asset: Any, *, variant: str = "thumb") -> bool:
    """May `user` fetch this library file (thumb, instagram rendition or original)?

    Members only. Roles that work with the library or see every post see every file; a client sees files of
    approved or published posts only (CLIENT_VISIBLE); originals need the download right too.
    """
    workspace = asset.workspace
    if not is_member(user, workspace):
        return False
    role = role_of(user, workspace)
    if variant == "original" and not allows(role, Action.DOWNLOAD_ORIGINALS):
        return False
    if allows(role, Action.USE_LIBRARY) or allows(role, Action.VIEW_ALL_POSTS):
        return True
    if allows(role, Action.VIEW_CALENDAR):
        return asset.post_items.filter(post__status__in=CLIENT_VISIBLE).exists()
    return False


def can_fetch_public_file(name: str) -> bool:
    """The signed public URL (no session: Instagram's fetcher) serves only media of posts on their way out: the
    stored file `name` (an asset's original or rendition), checked in one query, as Instagram fetches one for every
    post it publishes."""
    return MediaAsset.objects.filter(Q(file=name) | Q(rendition=name), post_items__post__status__in=PUBLIC_MEDIA).exists()


__all__ = ["ALL", "CLIENT_VISIBLE", "CONTENT_WRITES", "content_writers", "four_eyes", "EDITABLE", "FINAL", "MOVABLE", "PENDING", "PUBLIC_MEDIA", "TABLE", "Op", "Rule",
           "TransitionError", "allowed_actions", "can_fetch_public_file", "can_view_asset", "check", "check_status",
           "may", "reason"]
