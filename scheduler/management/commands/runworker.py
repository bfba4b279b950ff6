"""`manage.py runworker`: the task cluster as production runs it (see scheduler/engine/cluster.py)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Start a django-q2 task cluster with this machine's publish dispatcher; stops within "
            "RUNWORKER_STOP_SECONDS on SIGTERM, SIGINT or SIGHUP (to it or to its process group).")

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--no-dispatch", action="store_true",
                            help="run only the task cluster (the minute schedule still dispatches posts)")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        from scheduler.engine.cluster import run

        run(dispatch=not options["no_dispatch"])
