"""The offline Instagram for tests: one sandbox server over real HTTP per test session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from instagram.sandbox.testing import RunningSandbox

FAST = {"video_processing_seconds": 0.3}  # videos finish processing quickly; everything else as configured


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[RunningSandbox]:
    with RunningSandbox(FAST) as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_server: RunningSandbox, settings) -> RunningSandbox:  # noqa: ANN001
    """A fresh sandbox state, with the app's Graph, OAuth and API URLs and its app id/secret pointing at it."""
    sandbox_server.reset(FAST)
    settings.INSTAGRAM_GRAPH_URL = settings.INSTAGRAM_OAUTH_URL = settings.INSTAGRAM_API_URL = sandbox_server.url
    settings.INSTAGRAM_API_VERSION = sandbox_server.api_version
    settings.INSTAGRAM_APP_ID, settings.INSTAGRAM_APP_SECRET = "sandbox-app", "sandbox-secret"
    return sandbox_server
