"""Archive settings with their defaults (each can be set in config/settings.py or the environment)."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # Files downloaded at the same time by one run (threads waiting on the CDN, not the CPU).
    "ARCHIVE_DOWNLOAD_CONCURRENCY": 3,
    # Video covers (Instagram's thumbnail_url) are fetched beside the video on a small pool of their own.
    "ARCHIVE_COVER_CONCURRENCY": 2,
    # Posts asked for per page (Business Discovery / /media `limit`).
    "ARCHIVE_PAGE_SIZE": 25,
    # One task execution works this long, then re-enqueues itself (well under the cluster timeout).
    "ARCHIVE_STEP_SECONDS": 90,
    # A running run whose heartbeat is older than this is taken over (its worker died).
    "ARCHIVE_LEASE_SECONDS": 300,
    # Usage (percent of Meta's limit) above which the run slows down, and the pause between pages then.
    "ARCHIVE_SLOWDOWN_PERCENT": 75,
    "ARCHIVE_SLOWDOWN_SECONDS": 2.0,
    # Usage above which the run stops and waits, even without a rate-limit answer.
    "ARCHIVE_PAUSE_PERCENT": 95,
    # Wait when Instagram says "rate limited" without estimated_time_to_regain_access.
    "ARCHIVE_DEFAULT_WAIT_SECONDS": 300,
    # Leading posts that may be pinned (Instagram allows 3): an incremental run does not stop at them.
    "ARCHIVE_PINNED_MAX": 3,
    "ARCHIVE_FULL_PASS_DAYS": 7,
    "ARCHIVE_DEFAULT_REFRESH_HOURS": 24,
    "ARCHIVE_MAX_FILE_MB": 500,
    "ARCHIVE_DOWNLOAD_TIMEOUT": 30.0,
}


def get(name: str):  # noqa: ANN201
    return getattr(settings, name, DEFAULTS[name])
