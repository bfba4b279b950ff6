"""Issue 17.8: the task cluster's admin pages (django-q2) are for superusers only — no page, no action, no argument.

The exact answer of every page per persona is in tests/test_route_matrix.py; here: what each one sees and can do.
"""

from __future__ import annotations

import django_q.admin
import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Failure

from accounts.permissions import Role
from accounts.roles import role_model_permissions
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failure(other_workspace):
    """A failed task of another workspace, with its arguments (what an Administrator must not read)."""
    now = timezone.now()
    return Failure.objects.create(id="c" * 32, name="echo-foxtrot", func="archive.tasks.run_step",
                                  args=(f"bluebird-secret-{other_workspace.pk}",), started=now, stopped=now,
                                  success=False, result="boom")


def test_no_role_holds_a_django_q_permission():
    held = {(role.value, perm) for role in Role for perm in role_model_permissions(role) if perm.startswith("django_q.")}
    assert held == set()
    assert role_model_permissions(Role.ADMIN)  # the roles themselves still grant the app's own models


def test_an_administrator_sees_no_task_pages_and_cannot_resubmit(login, admin_user, failure, monkeypatch):
    resubmitted: list[str] = []
    monkeypatch.setattr(django_q.admin, "async_task", lambda func, *a, **kw: resubmitted.append(func))
    c = login(admin_user)
    index = c.get(reverse("admin:index")).content.decode()
    assert "django_q" not in index and "Failed tasks" not in index and "Scheduled tasks" not in index
    assert c.get(reverse("admin:django_q_failure_change", args=[failure.pk])).status_code == 403
    response = c.post(reverse("admin:django_q_failure_changelist"),
                      {"action": "resubmit_task", "_selected_action": [failure.pk], "index": 0})
    assert response.status_code == 403 and b"bluebird-secret" not in response.content
    assert resubmitted == [] and Failure.objects.filter(pk=failure.pk).exists()


def test_a_superuser_keeps_the_pages_and_the_resubmit_action(login, failure, monkeypatch):
    resubmitted: list[str] = []
    monkeypatch.setattr(django_q.admin, "async_task", lambda func, *a, **kw: resubmitted.append(func))
    c = login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert "Failed tasks" in c.get(reverse("admin:index")).content.decode()
    listing = c.get(reverse("admin:django_q_failure_changelist"))
    assert listing.status_code == 200 and "resubmit_task" in listing.content.decode()
    assert "bluebird-secret" in c.get(reverse("admin:django_q_failure_change", args=[failure.pk])).content.decode()
    c.post(reverse("admin:django_q_failure_changelist"),
           {"action": "resubmit_task", "_selected_action": [failure.pk], "index": 0})
    assert resubmitted == ["archive.tasks.run_step"]
