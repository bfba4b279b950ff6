"""The sandbox CDN and the client's download helper over HTTP: deterministic bytes, typed failures, retries."""

from __future__ import annotations

import hashlib
import io

import pytest

from instagram.client import (
    CdnCorrupt,
    CdnExpired,
    CdnNotFound,
    CdnTooLarge,
    CdnTruncated,
    CdnUnavailable,
    cdn_session,
    download_media,
)
from instagram.client.cdn import sniff_kind

pytestmark = pytest.mark.sandbox


@pytest.fixture
def media(sandbox, client, ig_id):
    """The first 50 items of a generated profile with images, carousels and videos."""
    sandbox.add_profile("cdn_shop", posts=50)
    return list(client.business_discovery_media(ig_id, "cdn_shop", limit=50))


def fetch(url, **kwargs):
    buf = io.BytesIO()
    result = download_media(url, buf, session=kwargs.pop("session", None) or cdn_session(backoff_factor=0), **kwargs)
    return result, buf.getvalue()


def test_download_streams_and_hashes_deterministic_bytes(sandbox, media):
    image = next(m for m in media if m["media_type"] == "IMAGE")
    video = next(m for m in media if m["media_type"] == "VIDEO")
    first, data = fetch(image["media_url"], expect="image")
    again, _ = fetch(image["media_url"])
    assert (first.kind, first.size, first.content_type) == ("image", len(data), "image/jpeg")
    assert first.sha256 == again.sha256 == hashlib.sha256(data).hexdigest() and data[:3] == b"\xff\xd8\xff"
    clip, clip_bytes = fetch(video["media_url"], expect="video")
    poster, _ = fetch(video["thumbnail_url"], expect="image")
    assert clip.kind == "video" and clip_bytes[4:8] == b"ftyp" and poster.kind == "image"
    other = next(m for m in media if m["media_type"] == "VIDEO" and m["id"] != video["id"])
    assert fetch(other["media_url"])[0].sha256 != clip.sha256  # every media has its own bytes
    assert sandbox.cdn_calls(image["id"]) == 2


def test_not_found_and_expired(sandbox, media):
    a, b = [m for m in media if m["media_type"] == "IMAGE"][:2]
    sandbox.cdn_fault("404", media_ids=[a["id"]])
    sandbox.cdn_fault("403", media_ids=[b["id"]])
    with pytest.raises(CdnNotFound) as gone:
        fetch(a["media_url"])
    assert gone.value.http_status == 404 and gone.value.reason == "not_found" and not gone.value.retryable
    with pytest.raises(CdnExpired) as expired:
        fetch(b["media_url"])
    assert expired.value.retryable and expired.value.reason == "expired"


def test_corrupt_and_truncated_bytes(sandbox, media):
    images = [m for m in media if m["media_type"] == "IMAGE"]
    sandbox.cdn_fault("corrupt", media_ids=[images[0]["id"]])
    sandbox.cdn_fault("truncate", media_ids=[images[1]["id"]])
    with pytest.raises(CdnCorrupt) as corrupt:
        fetch(images[0]["media_url"])
    assert type(corrupt.value) is CdnCorrupt and corrupt.value.reason == "corrupt"
    with pytest.raises(CdnTruncated) as truncated:
        fetch(images[1]["media_url"])
    assert truncated.value.reason == "truncated"
    fetch(images[2]["media_url"])  # the rest still downloads
    sandbox.clear_cdn_faults()
    fetch(images[0]["media_url"])


def test_expected_kind_and_size_limit(media):
    image = next(m for m in media if m["media_type"] == "IMAGE")
    with pytest.raises(CdnCorrupt):
        fetch(image["media_url"], expect="video")
    with pytest.raises(CdnTooLarge):
        fetch(image["media_url"], max_bytes=100)


def test_server_errors_are_retried_with_backoff(sandbox, media):
    image = next(m for m in media if m["media_type"] == "IMAGE")
    sandbox.cdn_fault("500", media_ids=[image["id"]], times=2)
    result, _ = fetch(image["media_url"])
    assert result.kind == "image" and sandbox.cdn_calls(image["id"]) == 3  # two 500s, then the file
    sandbox.cdn_fault("500", media_ids=[image["id"]])
    with pytest.raises(CdnUnavailable) as info:
        fetch(image["media_url"], session=cdn_session(retries=1, backoff_factor=0))
    assert info.value.http_status == 500 and info.value.retryable


def test_fraction_fault_picks_a_stable_share(sandbox, media):
    ids = [m["id"] for m in media if m["media_type"] == "IMAGE"]
    fault = sandbox.cdn_fault("404", fraction=0.3, seed="run-1")
    failed = set()
    for m in media:
        if m["media_type"] != "IMAGE":
            continue
        try:
            fetch(m["media_url"])
        except CdnNotFound:
            failed.add(m["id"])
    assert 0 < len(failed) < len(ids)
    hits = sandbox.control("GET", "cdn/faults")["data"][0]["hits"]
    assert fault["fraction"] == 0.3 and set(hits) == failed  # the same media fail on every request
    for m in media:
        if m["id"] in failed:
            with pytest.raises(CdnNotFound):
                fetch(m["media_url"])


def test_thumbnail_faults_leave_the_media_alone(sandbox, media):
    video = next(m for m in media if m["media_type"] == "VIDEO")
    sandbox.cdn_fault("404", media_ids=[video["id"]], target="thumbnail")
    assert fetch(video["media_url"])[0].kind == "video"
    with pytest.raises(CdnNotFound):
        fetch(video["thumbnail_url"])


def test_unknown_media_is_404(sandbox):
    with pytest.raises(CdnNotFound):
        fetch(f"{sandbox.url}/cdn/p/123.jpg")


def test_sniff_kind():
    assert sniff_kind(b"\xff\xd8\xff\xe0") == "image"
    assert sniff_kind(b"\x89PNG\r\n\x1a\nxxxx") == "image"
    assert sniff_kind(b"\x00\x00\x00\x18ftypmp42") == "video"
    assert sniff_kind(b"\x00\x00\x00\x18ftypheic") is None  # refused, as an upload of it is (issue 19)
    assert sniff_kind(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf") == "image"
    assert sniff_kind(b"<!doctype html>") is None


def test_signed_urls_expire_when_configured(sandbox, client, ig_id, media):
    image = next(m for m in media if m["media_type"] == "IMAGE")
    assert "oe=" not in image["media_url"]  # off by default: stored URLs keep working
    sandbox.configure(cdn_url_lifetime=3 * 86400)
    fresh = next(m for m in client.business_discovery_media(ig_id, "cdn_shop", limit=50) if m["id"] == image["id"])
    assert "oe=" in fresh["media_url"] and fetch(fresh["media_url"])[0].sha256 == fetch(image["media_url"])[0].sha256
    sandbox.advance_clock(3 * 86400 + 60)
    with pytest.raises(CdnExpired):
        fetch(fresh["media_url"])
