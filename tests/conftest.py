"""Personas and shared fixtures. Every app's tests use these; add new shared fixtures here sparingly."""

from __future__ import annotations

import pytest

from accounts.permissions import Role
from tests.browser_support import browser_page  # noqa: F401  (shared fixture)
from tests.factories import UserFactory, WorkspaceFactory
from tests.s3_support import moto_endpoint  # noqa: F401  (shared fixture)
from tests.sandbox_support import sandbox, sandbox_server  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (ids repeat between tests, so cached values would leak)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme Coffee", slug="acme", timezone="Europe/Berlin")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Bluebird Books", slug="bluebird", timezone="America/New_York")


@pytest.fixture
def admin_user(workspace):
    return UserFactory(username="alice-admin", role=Role.ADMIN, workspaces=[workspace])


@pytest.fixture
def editor(workspace):
    return UserFactory(username="eddie-editor", role=Role.EDITOR, workspaces=[workspace])


@pytest.fixture
def social(workspace):
    return UserFactory(username="sam-social", role=Role.SOCIAL, workspaces=[workspace])


@pytest.fixture
def client_user(workspace):
    return UserFactory(username="cleo-client", role=Role.CLIENT, workspaces=[workspace])


@pytest.fixture
def outsider(other_workspace):
    """An Administrator — of another workspace: must see nothing of `workspace`."""
    return UserFactory(username="olga-outsider", role=Role.ADMIN, workspaces=[other_workspace])


@pytest.fixture
def persona(request, admin_user, editor, social, client_user):
    return {"admin": admin_user, "editor": editor, "social": social, "client": client_user}[request.param]


@pytest.fixture
def login(client):
    """login(user) → the test client signed in as that user."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
