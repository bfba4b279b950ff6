"""App config: (re)creates the recurring django-q2 schedules after migrate."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_schedules(sender, **kwargs) -> None:  # noqa: ANN001
    from scheduler.periodic import ensure_schedules

    ensure_schedules()


class SchedulerConfig(AppConfig):
    name = "scheduler"
    verbose_name = "Scheduling and media"

    def ready(self) -> None:
        post_migrate.connect(_ensure_schedules, sender=self, dispatch_uid="pressroom_schedules")
