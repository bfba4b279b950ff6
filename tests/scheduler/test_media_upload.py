"""Uploads: every accepted type, every rejection with its reason, dedupe, suitability, safe names."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from scheduler.models import MediaAsset
from scheduler.services.media import MediaRejected, media_upload
from tests.scheduler.media_fixtures import image_bytes, upload

pytestmark = pytest.mark.django_db


def do_upload(social, workspace, name, content):
    return media_upload(user=social, workspace=workspace, uploaded_file=upload(name, content))


@pytest.mark.parametrize(("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_accepted_image_types_get_thumbnail_and_instagram_rendition(media_settings, social, workspace, fmt, mime):
    result = do_upload(social, workspace, f"photo.{fmt.lower()}", image_bytes(2000, 2000, fmt))
    asset = result.asset
    assert not result.duplicate
    assert (asset.kind, asset.mime_type, asset.width, asset.height) == ("image", mime, 2000, 2000)
    assert asset.thumbnail and asset.rendition
    with asset.rendition.open("rb") as fh, Image.open(fh) as rendition:
        assert rendition.format == "JPEG" and rendition.width == 1440 and rendition.mode == "RGB"
    assert asset.suitable_for("feed") and asset.suitable_for("carousel") and asset.suitable_for("story")
    assert asset.reasons_for("reel") == ["Reels need a video."]
    # The stored name is generated; the user's name is only metadata.
    assert "photo" not in asset.file.name and asset.original_name == f"photo.{fmt.lower()}"


@pytest.mark.parametrize(("key", "mime"), [("mp4", "video/mp4"), ("mov", "video/quicktime")])
def test_accepted_video_types_are_probed_with_ffprobe(media_settings, social, workspace, video_files, key, mime):
    asset = do_upload(social, workspace, video_files[key].name, video_files[key].read_bytes()).asset
    assert (asset.kind, asset.mime_type) == ("video", mime)
    assert (asset.width, asset.height, asset.video_codec, asset.audio_codec) == (540, 960, "h264", "aac")
    assert asset.fps == 30 and 3.9 < asset.duration_seconds < 4.2
    assert asset.thumbnail and not asset.rendition
    assert asset.suitable_for("reel") and asset.suitable_for("story")
    assert asset.reasons_for("feed") == ["Single videos are published as reels; choose Reel."]


def test_video_suitability_reasons(media_settings, social, workspace, video_files):
    short = do_upload(social, workspace, "short.mp4", video_files["short"].read_bytes()).asset
    assert any("at least 3 s" in r for r in short.reasons_for("reel"))
    old = do_upload(social, workspace, "old.mp4", video_files["mpeg4"].read_bytes()).asset
    assert any("codec mpeg4" in r for r in old.reasons_for("reel"))


def test_aspect_ratio_reason_for_feed(media_settings, social, workspace):
    asset = do_upload(social, workspace, "banner.jpg", image_bytes(3000, 1000)).asset
    assert not asset.suitable_for("feed")
    assert "4:5 to 1.91:1" in asset.reasons_for("feed")[0]
    assert asset.suitable_for("story")


def test_duplicate_is_not_stored_twice(media_settings, social, workspace, other_workspace):
    content = image_bytes(1080, 1350)
    first = do_upload(social, workspace, "a.jpg", content)
    second = do_upload(social, workspace, "copy of a.jpg", content)
    assert second.duplicate and second.asset == first.asset
    assert "already in the library" in second.message
    assert MediaAsset.objects.filter(workspace=workspace).count() == 1
    originals = list((Path(media_settings.MEDIA_ROOT) / f"workspaces/{workspace.pk}/media").iterdir())
    assert len(originals) == 1


def bomb() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buf, "PNG")  # tiny file, 144 megapixels
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("holiday.jpg", b"MZ\x90\x00" + b"\x00" * 2000, "this is a program"),
        ("truncated.jpg", image_bytes(1200, 1200)[:5000], "incomplete (truncated)"),
        ("bomb.png", None, "decompression bomb"),
        ("empty.jpg", b"", "empty"),
        ("notes.jpg", b"just some text, not a picture" * 10, "not a JPEG, PNG, WEBP, AVIF, MP4 or MOV"),
        ("broken.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500, "damaged or incomplete"),
        ("photo.heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 500, "HEIC"),
    ],
)
def test_rejections_name_the_file_and_the_reason(media_settings, social, workspace, name, content, reason):
    with pytest.raises(MediaRejected) as err:
        do_upload(social, workspace, name, bomb() if content is None else content)
    assert name in str(err.value) and reason in str(err.value)
    assert MediaAsset.objects.count() == 0
    assert not list(Path(media_settings.FILE_UPLOAD_TEMP_DIR).glob("*"))  # no spooled leftovers


def test_oversize_is_rejected_while_streaming(media_settings, social, workspace):
    media_settings.MEDIA_MAX_IMAGE_MB = 1
    media_settings.MEDIA_MAX_VIDEO_MB = 1
    with pytest.raises(MediaRejected) as err:
        do_upload(social, workspace, "huge.jpg", image_bytes(200, 200) + b"\x00" * (2 * 1024 * 1024))
    assert "MB limit" in str(err.value)


def test_hostile_name_is_sanitised_and_never_a_path(media_settings, social, workspace):
    asset = do_upload(social, workspace, "../../etc/pa\x00ss\x1bwd\r\n.jpg", image_bytes()).asset
    assert asset.original_name == "passwd.jpg"
    assert "/" not in asset.original_name and "\x00" not in asset.original_name and ".." not in asset.original_name
    root = Path(media_settings.MEDIA_ROOT).resolve()
    assert Path(asset.file.path).resolve().is_relative_to(root)
    assert asset.file.name.startswith(f"workspaces/{workspace.pk}/media/")


def test_client_may_not_upload(media_settings, client_user, workspace):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        do_upload(client_user, workspace, "x.jpg", image_bytes())
