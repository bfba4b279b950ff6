"""Cluster bookkeeping rows (the heartbeat /healthz reads)."""

from django.db import models


class Heartbeat(models.Model):
    """Last time a named background loop ran; /healthz reports a stale one as a dead cluster."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
