"""Compare-and-set claims: the only way a post enters or re-enters processing.

Each claim is one UPDATE that must change exactly one row, so two workers, two clusters or a
worker and the reaper can never both own a post (SQLite ignores select_for_update; this works on both).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q

from accounts.models import InstagramAccount
from scheduler.models import Post

PUBLISHABLE_ACCOUNT = [InstagramAccount.Status.ACTIVE, InstagramAccount.Status.EXPIRING]
# Disconnected accounts are claimed too, so their due posts go to the manual lane instead of waiting
# forever; accounts that need reconnecting are not (their posts wait, see the grace window).
CLAIMABLE_ACCOUNT = [*PUBLISHABLE_ACCOUNT, InstagramAccount.Status.DISCONNECTED]


# The rare conditions (a holder died, a parked post is due for its check) are tried at least this often, and
# always before `claim_one` says nothing is claimable; in between, a claim is a single statement.
RARE_EVERY = timedelta(seconds=1)
_rare_tried_at: datetime | None = None


@dataclass(frozen=True)
class Claim:
    post_id: int
    token: str


def _new_token() -> str:
    return uuid.uuid4().hex


def due_approved(now: datetime) -> Q:
    # The account condition is a subquery on accounts, not a join: with a join Django writes the claim as
    # `UPDATE … WHERE id IN (SELECT … JOIN …)`, and on PostgreSQL a claim that waited for another claim's
    # row lock re-checks only `id IN (…)` against its old snapshot — so both claims won. Kept on the
    # post's own columns, the waiting UPDATE re-checks `status` on the new row and changes nothing.
    claimable = InstagramAccount.objects.filter(status__in=CLAIMABLE_ACCOUNT).values("pk")
    return (
        Q(status=Post.Status.APPROVED, publish_at__lte=now, account_id__in=claimable)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )


def due_check(now: datetime) -> Q:
    """Posts parked while Instagram processes their container (or a reconcile waits): no one holds them."""
    return Q(status=Post.Status.PUBLISHING, claim_token="", next_check_at__lte=now)


def lease_expired(now: datetime) -> Q:
    cutoff = now - timedelta(seconds=settings.PUBLISH_LEASE_SECONDS)
    return Q(status=Post.Status.PUBLISHING, claimed_at__lt=cutoff) & ~Q(claim_token="")


def anything_claimable(now: datetime) -> bool:
    """One cheap query: would `claim_one` find something now? (runworker's idle loop polls this.)"""
    return Post.objects.filter(lease_expired(now) | due_check(now) | due_approved(now)).exists()


def claim_one(*, now: datetime, exclude: set[int] | None = None) -> Claim | None:
    """Claim the most overdue post whose holder died, that is due for a check, or that is due.

    Each try is one statement: `UPDATE … SET status='publishing', claim_token=… WHERE id = (SELECT id … WHERE
    <condition> ORDER BY publish_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id`. On PostgreSQL the
    subquery locks the row it picks and skips rows other claims hold, so concurrent claimers take different
    posts instead of racing for the same one; a row changed by a claim that committed meanwhile is re-checked
    against the condition (and passed over) before it is locked. SQLite drops the locking clause but runs each
    write alone, so the statement is still a compare-and-set. Returning None means nothing is claimable — a
    dispatcher thread stops on it — so the rare conditions are always tried before saying so.
    """
    global _rare_tried_at
    rare_due = _rare_tried_at is None or not (_rare_tried_at <= now < _rare_tried_at + RARE_EVERY)
    if rare_due:
        _rare_tried_at = now
        claim = _claim_first(lease_expired(now) | due_check(now), now=now, exclude=exclude)
        if claim is not None:
            return claim
    claim = _claim_first(due_approved(now), now=now, exclude=exclude)
    if claim is None and not rare_due:
        _rare_tried_at = now
        claim = _claim_first(lease_expired(now) | due_check(now), now=now, exclude=exclude)
    return claim


def _claim_first(condition: Q, *, now: datetime, exclude: set[int] | None) -> Claim | None:
    """One compare-and-set UPDATE of the first post matching `condition` (see claim_one)."""
    candidates = Post.objects.filter(condition)
    if exclude:
        candidates = candidates.exclude(pk__in=exclude)
    pick_sql, pick_params = candidates.order_by("publish_at", "pk").values("pk")[:1].query.sql_with_params()
    if connection.features.has_select_for_update_skip_locked:
        pick_sql += " " + connection.ops.for_update_sql(skip_locked=True)
    table, qn = Post._meta.db_table, connection.ops.quote_name
    token = _new_token()
    sql = (
        f"UPDATE {qn(table)} SET {qn('status')} = %s, {qn('claim_token')} = %s, {qn('claimed_at')} = %s, "
        f"{qn('next_check_at')} = NULL, {qn('attempt_count')} = {qn('attempt_count')} + 1 "
        f"WHERE {qn('id')} = ({pick_sql}) RETURNING {qn('id')}"
    )
    field = Post._meta.get_field("claimed_at")
    params = [Post.Status.PUBLISHING, token, field.get_db_prep_value(now, connection), *pick_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return Claim(row[0], token) if row else None


def guarded(claim: Claim) -> Q:
    return Q(pk=claim.post_id, claim_token=claim.token, status=Post.Status.PUBLISHING)
