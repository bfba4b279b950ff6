"""Thin django-q2 entry points for the media library."""

from scheduler.media.storage import cleanup_temp_files


def cleanup_uploads() -> int:
    return cleanup_temp_files()
