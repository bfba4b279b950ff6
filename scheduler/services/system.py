"""Cluster bookkeeping: the heartbeat /healthz reads to tell whether a task cluster runs."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from scheduler.models import Heartbeat


def heartbeat_beat(*, name: str = "cluster") -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


def dispatcher_loop_alive() -> bool:
    """Whether a `runworker` dispatcher loop beat recently (then the minute schedule need not dispatch)."""
    since = timezone.now() - timedelta(seconds=settings.DISPATCHER_LOOP_STALE_SECONDS)
    return Heartbeat.objects.filter(name="dispatcher-loop", beat_at__gte=since).exists()
