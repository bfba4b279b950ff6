"""Compare-and-set claims: the only way a post enters or re-enters processing.

Each claim is one UPDATE that must change exactly one row, so two workers, two clusters or a
worker and the reaper can never both own a post (SQLite ignores select_for_update; this works on both).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q

from accounts.models import InstagramAccount
from scheduler.models import Post

PUBLISHABLE_ACCOUNT = [InstagramAccount.Status.ACTIVE, InstagramAccount.Status.EXPIRING]
# Disconnected accounts are claimed too, so their due posts go to the manual lane instead of waiting
# forever; accounts that need reconnecting are not (their posts wait, see the grace window).
CLAIMABLE_ACCOUNT = [*PUBLISHABLE_ACCOUNT, InstagramAccount.Status.DISCONNECTED]


CLAIM_BATCH = 5  # candidates read per query
CLAIM_ROUNDS = 50  # batches tried before giving up on a condition (far more than concurrent claimers)


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
    """Claim the most overdue post that is due, due for a check, or whose holder died.

    Candidates are read a few at a time; when other threads win all of them, the next few are read (the
    ones tried are left out, so this ends). Returning None means nothing is claimable — a dispatcher thread
    stops on it, so losing a race must never look like that.
    """
    for condition in (lease_expired(now), due_check(now), due_approved(now)):
        tried = set(exclude or ())
        for _round in range(CLAIM_ROUNDS):
            candidates = Post.objects.filter(condition)
            if tried:
                candidates = candidates.exclude(pk__in=tried)
            batch = list(candidates.order_by("publish_at", "pk").values_list("pk", flat=True)[:CLAIM_BATCH])
            if not batch:
                break
            for pk in batch:
                token = _new_token()
                won = Post.objects.filter(Q(pk=pk) & condition).update(
                    status=Post.Status.PUBLISHING,
                    claim_token=token,
                    claimed_at=now,
                    next_check_at=None,
                    attempt_count=F("attempt_count") + 1,
                )
                if won == 1:
                    return Claim(pk, token)
                # Someone else won this one; try the next candidate.
            tried.update(batch)
    return None


def guarded(claim: Claim) -> Q:
    return Q(pk=claim.post_id, claim_token=claim.token, status=Post.Status.PUBLISHING)
