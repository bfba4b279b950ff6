"""Fixtures for post tests: a fixed NOW (a Monday, 10:00 in Berlin), time frozen at it, the workspace's account."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.factories import InstagramAccountFactory

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)  # a Monday; 10:00 in Berlin


@pytest.fixture
def frozen_now():
    """Time stands still at NOW; opt in per module with `pytestmark = pytest.mark.usefixtures("frozen_now")`."""
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def account(workspace):
    """The workspace's Instagram account, @acmecoffee (a plain row; no sandbox behind it)."""
    return InstagramAccountFactory(workspace=workspace, username="acmecoffee")
