"""App config of the archive: archived public profiles, their runs, media and galleries."""

from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive"
