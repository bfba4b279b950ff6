"""The task wiring: a profile added in the app runs to the end through django-q2 tasks, step after step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import ArchivedProfile
from tests.archive.conftest import connect

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def test_add_in_the_app_then_the_cluster_finishes_it(ig, archive_settings, workspace, social, login):
    # Sync cluster (test settings): each enqueued step runs at commit. A zero step budget makes every step stop
    # after one page or before downloading, so the run only finishes if each step re-enqueues the next.
    archive_settings.ARCHIVE_STEP_SECONDS = 0
    connect(ig, workspace)
    response = login(social).post(reverse("archive:profile_add", kwargs={"ws": workspace.slug}),
                                  {"username": "@northwind_coffee"})
    profile = ArchivedProfile.objects.get(workspace=workspace)
    assert response.status_code == 302 and response["Location"].endswith(f"/p/{profile.pk}/")
    run = profile.runs.get()
    assert run.state == "done" and run.pages == 2 and run.media_done == run.media_total > 36
    assert profile.posts.count() == 36
