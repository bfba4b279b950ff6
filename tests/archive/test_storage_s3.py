"""The archive on S3-compatible storage (moto's server on loopback): files, thumbnails, dedupe, views and export."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from archive.models import ArchivedMedia
from archive.services.profiles import profile_add
from tests.archive.conftest import drive
from tests.s3_support import use_s3

pytestmark = [pytest.mark.s3, pytest.mark.sandbox, pytest.mark.django_db]


@pytest.fixture
def s3(settings, moto_endpoint, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.AWS_S3_FILE_OVERWRITE = False
    yield from use_s3(settings, moto_endpoint, "pressroom-archive-test")


def test_archive_run_into_s3_then_browse_and_export(s3, ig, asker, social, client_user, workspace, login):
    assert default_storage.__class__.__name__ == "S3Storage"
    profile, _ = profile_add(user=social, workspace=workspace, username="lumen_studio")
    run = profile.runs.get()
    assert drive(run) == "done", run.errors
    media = ArchivedMedia.objects.filter(post__profile=profile)
    assert run.media_done == media.count() > 24 and run.media_failed == 0
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="pressroom-archive-test", MaxKeys=1000).get("Contents", [])}
    assert {m.file for m in media} <= keys and {m.thumbnail for m in media} <= keys
    stored = [k for k in keys if "/thumbs/" not in k]
    assert len(stored) == media.values("sha256").distinct().count()  # no second copies, no suffixed names
    # A second run of the same profile stores nothing new.
    again = profile.runs.model.objects.create(profile=profile, kind="full")
    assert drive(again) == "done" and again.media_total == 0

    c = login(client_user)
    first = media.select_related("post").first()
    thumb = c.get(reverse("archive:media_thumb", kwargs={"ws": workspace.slug, "pk": first.pk}))
    assert thumb.status_code == 200 and b"".join(thumb.streaming_content)[:3] == b"\xff\xd8\xff"
    export = c.get(reverse("archive:export", kwargs={"ws": workspace.slug, "pk": profile.pk}))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content)))
    assert archive.testzip() is None and len(archive.namelist()) == 2 + media.count()
