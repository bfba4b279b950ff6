"""Cluster bookkeeping: the heartbeat /healthz reads to tell whether a task cluster runs."""

from __future__ import annotations

from django.utils import timezone

from scheduler.models import Heartbeat


def heartbeat_beat(*, name: str = "cluster") -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})
