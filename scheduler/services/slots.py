"""An account's weekly grid of posting slots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import InstagramAccount, User
from accounts.permissions import Action, require
from scheduler.models import PostingSlot
from scheduler.slots import SlotError, validate_slot_times


@transaction.atomic
def posting_slots_set(*, user: User, account: InstagramAccount, weekday: int, times: Sequence[time]) -> list[PostingSlot]:
    """Replace one weekday's posting slots of an account (local wall-clock times, ≤ 25)."""
    require(user, Action.COMPOSE_POST, account.workspace)
    if not 0 <= int(weekday) <= 6:
        raise ValidationError({"weekday": ["Weekday must be 0 (Monday) to 6 (Sunday)."]})
    try:
        normalized = validate_slot_times(list(times))
    except SlotError as exc:
        raise ValidationError({"times": [exc.message]}) from None
    PostingSlot.objects.filter(account=account, weekday=weekday).delete()
    return PostingSlot.objects.bulk_create(PostingSlot(account=account, weekday=weekday, time=t) for t in normalized)
