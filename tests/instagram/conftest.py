"""Instagram tests: a sandbox account (the sandbox itself is tests/sandbox_support.py's shared fixture)."""

from __future__ import annotations

import pytest

from instagram.sandbox.testing import RunningSandbox


@pytest.fixture
def sandbox_account(sandbox: RunningSandbox) -> dict:
    """An account in the sandbox, as the sandbox returns it (a dict: ig_user_id, username, access_token…)."""
    return sandbox.create_account("acme_brand")


@pytest.fixture
def client(sandbox: RunningSandbox, sandbox_account: dict):
    return sandbox.graph_client(sandbox_account["access_token"])


@pytest.fixture
def ig_id(sandbox_account: dict) -> str:
    return sandbox_account["ig_user_id"]
