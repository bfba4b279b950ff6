"""Fixtures for the accounts app's Instagram tests: one sandbox per session, the app pointed at it."""

from __future__ import annotations

import pytest

from instagram.sandbox.testing import RunningSandbox


@pytest.fixture(scope="session")
def _accounts_sandbox_server():
    with RunningSandbox() as sb:
        yield sb


@pytest.fixture
def sandbox(_accounts_sandbox_server, settings):
    """A fresh sandbox state, with OAuth, API and Graph URLs and the app's id/secret pointing at it."""
    server = _accounts_sandbox_server
    server.reset()
    settings.INSTAGRAM_GRAPH_URL = settings.INSTAGRAM_OAUTH_URL = settings.INSTAGRAM_API_URL = server.url
    settings.INSTAGRAM_APP_ID, settings.INSTAGRAM_APP_SECRET = "sandbox-app", "sandbox-secret"
    return server
