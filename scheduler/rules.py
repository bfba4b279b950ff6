"""The one table of post transitions: per operation, from which statuses and with which policy Action.

Services enforce it (`check`), views, templates and the admin ask it (`may`, `allowed_actions`), so an
action offered on a page is exactly an action the service accepts. Where a post goes *to* stays in the
service that performs the move; this table answers "may this user do X to this post now?".
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.permissions import Action, allows, is_member, require, role_of
from scheduler.models import Post

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


# Statuses in which a post still waits to go out: it can be edited, moved, cancelled.
EDITABLE = (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.FAILED, S.MANUAL)
PENDING = EDITABLE
MOVABLE = (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.FAILED)
ALL = tuple(S)


def _recurring(post: Post) -> str | None:
    if post.rrule or post.series_root_id:
        return None
    return "Only a date of a repeating post can be skipped; cancel a one-off post instead."


def _series_running(post: Post) -> str | None:
    root = post.series_root if post.series_root_id else post
    if not root.rrule:
        return "This post does not repeat; there is no series to stop."
    if root.series_stopped:
        return "This series is already stopped."
    return None


def _not_self_approval(post: Post, user: Any) -> str | None:
    """Four-eyes rule: with the workspace setting on, nobody approves a post they wrote."""
    if not getattr(post.workspace, "forbid_self_approval", False) or getattr(user, "pk", None) is None:
        return None
    if post.author_id == user.pk:
        return "You wrote this post; another editor has to approve it (this workspace forbids self-approval)."
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


__all__ = ["ALL", "EDITABLE", "MOVABLE", "PENDING", "TABLE", "Op", "Rule", "TransitionError",
           "allowed_actions", "check", "check_status", "may", "reason"]
