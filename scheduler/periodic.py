"""Every recurring django-q2 job in one registry, created/updated idempotently after migrate.

Each entry: (name, dotted task path, minutes). Tasks are thin entry points that call services.
"""

from __future__ import annotations

SCHEDULES: list[tuple[str, str, int]] = [
    ("heartbeat", "scheduler.tasks.heartbeat", 1),
    ("publish-dispatcher", "scheduler.tasks.dispatch_due", 1),
    ("review-expiry", "scheduler.tasks.reviews_expire", 1),
    ("post-metrics", "scheduler.tasks.metrics_refresh", 60),
    # Last month's report to the chosen members, on the 1st in each workspace's zone (sent once: see the service).
    ("monthly-reports", "scheduler.tasks.reports_send_monthly", 15),
    ("media-upload-cleanup", "scheduler.tasks.cleanup_uploads", 60),
    ("instagram-token-refresh", "accounts.tasks.refresh_instagram_tokens", 60),
    # Resumes archive runs (dead worker, rate-limit wait over) and starts each profile's due refresh.
    ("archive-tick", "archive.tasks.tick", 1),
]


def ensure_schedules() -> None:
    from django_q.models import Schedule

    for name, func, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1},
        )
