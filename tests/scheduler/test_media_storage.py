"""Public media URLs: the app's signed expiring URLs (local storage) and presigned S3 URLs (moto server)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone

from scheduler.media.storage import public_url
from scheduler.models import Post
from scheduler.services.media import media_upload
from tests.s3_support import use_s3
from tests.scheduler.media_fixtures import image_bytes, upload
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(media_settings, social, workspace):
    asset = media_upload(user=social, workspace=workspace, uploaded_file=upload("p.jpg", image_bytes())).asset
    # Public URLs serve media of posts on their way out only (scheduler.rules.can_fetch_public_file).
    PostFactory(workspace=workspace, status=Post.Status.APPROVED, media=[asset])
    return asset


def path_of(url: str) -> str:
    return urlparse(url).path


def test_local_signed_url_serves_the_rendition(client, asset):
    url = public_url(asset)
    assert url.startswith("http://testserver/m/")
    response = client.get(path_of(url))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == asset.rendition.open("rb").read()
    original = client.get(path_of(public_url(asset, use_rendition=False)))
    assert original.status_code == 200 and b"".join(original.streaming_content) == asset.file.open("rb").read()


def test_local_signed_url_expires(client, asset, settings):
    url = public_url(asset)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.MEDIA_URL_EXPIRY_SECONDS + 5)):
        response = client.get(path_of(url))
    assert response.status_code == 410
    assert b"expired" in response.content


def test_local_signed_url_refuses_tampering(client, asset):
    url = public_url(asset)
    head, _, signature = url.rpartition(":")
    forged = head + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert client.get(path_of(forged)).status_code == 403
    assert client.get("/m/not-a-token").status_code == 403


@pytest.fixture
def s3(settings, moto_endpoint, media_settings):
    settings.AWS_QUERYSTRING_EXPIRE = 900
    settings.MEDIA_URL_EXPIRY_SECONDS = 900
    yield from use_s3(settings, moto_endpoint, "pressroom-test")


def test_s3_upload_and_presigned_url_with_the_configured_expiry(s3, social, workspace):
    content = image_bytes(1200, 1500)
    asset = media_upload(user=social, workspace=workspace, uploaded_file=upload("s3.jpg", content)).asset
    assert default_storage.__class__.__name__ == "S3Storage"
    assert default_storage.exists(asset.file.name) and default_storage.exists(asset.rendition.name)
    url = public_url(asset, use_rendition=False)
    query = parse_qs(urlparse(url).query)
    assert query["X-Amz-Expires"] == ["900"]
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200 and fetched.content == content
    assert requests.get(public_url(asset), timeout=10).content[:3] == b"\xff\xd8\xff"
