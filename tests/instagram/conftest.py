"""Instagram tests: a sandbox account (the sandbox itself is tests/sandbox_support.py's shared fixture)."""

from __future__ import annotations

import pytest

from instagram.sandbox.testing import RunningSandbox


@pytest.fixture
def account(sandbox: RunningSandbox) -> dict:
    return sandbox.create_account("acme_brand")


@pytest.fixture
def client(sandbox: RunningSandbox, account: dict):
    return sandbox.graph_client(account["access_token"])


@pytest.fixture
def ig_id(account: dict) -> str:
    return account["ig_user_id"]
