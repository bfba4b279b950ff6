"""Helpers shared by the calendar tests: posts at local wall-clock times of the workspace."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from scheduler.models import Post
from tests.scheduler.post_factories import PostFactory


def local(ws, text: str) -> datetime:  # noqa: ANN001
    """'2027-03-27 10:00' in the workspace's zone → aware UTC."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(ws.timezone), fold=0).astimezone(UTC)


def post_at(ws, when: datetime, **kwargs) -> Post:  # noqa: ANN001, ANN003
    kwargs.setdefault("status", Post.Status.APPROVED)
    return PostFactory(workspace=ws, publish_at=when, **kwargs)


def series_at(ws, when: datetime, rule: str = "FREQ=WEEKLY", **kwargs) -> Post:  # noqa: ANN001, ANN003
    kwargs.setdefault("status", Post.Status.APPROVED)
    return PostFactory(workspace=ws, publish_at=when, occurrence_at=when, rrule=rule, **kwargs)
