"""Thin django-q2 entry points for the archive: take ids, call a service, re-enqueue when asked to."""

from __future__ import annotations


def run_advance(run_id: int) -> str:
    from archive.services.runs import enqueue_run
    from archive.services.runs import run_advance as advance

    outcome = advance(run_id=run_id)
    if outcome == "continue":
        from django.db import transaction

        with transaction.atomic():
            enqueue_run(run_id)
    return outcome


def tick() -> dict[str, int]:
    from archive.services.schedule import archive_tick

    return archive_tick()
