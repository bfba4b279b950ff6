"""One sandbox server per test session, reset before each test that uses it."""

from __future__ import annotations

import pytest

from instagram.sandbox.testing import RunningSandbox

FAST = {"video_processing_seconds": 0.3}


@pytest.fixture(scope="session")
def _sandbox_server():
    with RunningSandbox(FAST) as sb:
        yield sb


@pytest.fixture
def sandbox(_sandbox_server: RunningSandbox) -> RunningSandbox:
    _sandbox_server.reset(FAST)
    return _sandbox_server


@pytest.fixture
def account(sandbox: RunningSandbox) -> dict:
    return sandbox.create_account("acme_brand")


@pytest.fixture
def client(sandbox: RunningSandbox, account: dict):
    return sandbox.graph_client(account["access_token"])


@pytest.fixture
def ig_id(account: dict) -> str:
    return account["ig_user_id"]
