"""Helpers shared by the calendar tests: posts at local wall-clock times of the workspace, time frozen at the
module's NOW (each calendar module picks its own date near a DST change)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scheduler.models import Post
from tests.scheduler.post_factories import PostFactory


@pytest.fixture
def frozen_at_module_now(request):  # noqa: ANN001
    """Time stands still at the test module's `NOW`; opt in with `pytestmark = pytest.mark.usefixtures(...)`."""
    now = request.module.NOW
    with time_machine.travel(now, tick=False):
        yield now


def local(ws, text: str) -> datetime:  # noqa: ANN001
    """'2027-03-27 10:00' in the workspace's zone → aware UTC."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(ws.timezone), fold=0).astimezone(UTC)


def post_at(ws, when: datetime, **kwargs) -> Post:  # noqa: ANN001, ANN003
    kwargs.setdefault("status", Post.Status.APPROVED)
    return PostFactory(workspace=ws, publish_at=when, **kwargs)


def series_at(ws, when: datetime, rule: str = "FREQ=WEEKLY", **kwargs) -> Post:  # noqa: ANN001, ANN003
    kwargs.setdefault("status", Post.Status.APPROVED)
    return PostFactory(workspace=ws, publish_at=when, occurrence_at=when, rrule=rule, **kwargs)
