"""One file-type verdict on every path (issue 19): a library upload and an archive download of the same bytes agree.

The files are made here (Pillow writes AVIF/WEBP/PNG/JPEG, ffmpeg the videos, a bare `ftyp heic` box stands for an
iPhone photo); the expected verdicts are this table's, not the detector's.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from archive.services.files import MediaJob, fetch_media
from instagram.media_types import EXTENSIONS, Refused, detect
from scheduler.services.media import MediaRejected, media_upload

# name → expected verdict: ("accepted", kind, mime) or ("refused", code)
EXPECTED = {
    "photo.avif": ("accepted", "image", "image/avif"),
    "photo.heic": ("refused", "heic"),
    "photo.webp": ("accepted", "image", "image/webp"),
    "photo.png": ("accepted", "image", "image/png"),
    "photo.jpg": ("accepted", "image", "image/jpeg"),
    "clip.mp4": ("accepted", "video", "video/mp4"),
    "clip.mov": ("accepted", "video", "video/quicktime"),
    "notes.jpg": ("refused", "unknown"),  # a text file renamed .jpg
    "cut.jpg": ("refused", "truncated"),  # the first half of a JPEG
}


def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 800), (180, 90, 40)).save(buf, fmt)
    return buf.getvalue()


def _video(tmp: Path, name: str) -> bytes:
    out = tmp / name
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x480:rate=30", "-t", "1",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)], check=True)
    return out.read_bytes()


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, bytes]:
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    tmp = tmp_path_factory.mktemp("file-types")
    jpeg = _image("JPEG")
    return {
        "photo.avif": _image("AVIF"),
        # An ISO-BMFF file whose brand says HEIC, as an iPhone writes it (the pixels do not matter: it is refused).
        "photo.heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 600,
        "photo.webp": _image("WEBP"),
        "photo.png": _image("PNG"),
        "photo.jpg": jpeg,
        "clip.mp4": _video(tmp, "clip.mp4"),
        "clip.mov": _video(tmp, "clip.mov"),
        "notes.jpg": b"Shopping list: coffee, milk, oat flakes.\n" * 40,
        "cut.jpg": jpeg[: len(jpeg) // 2],
    }


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(parents=True)
    return settings


def upload_verdict(user, workspace, name: str, content: bytes) -> tuple:  # noqa: ANN001
    try:
        asset = media_upload(user=user, workspace=workspace, uploaded_file=SimpleUploadedFile(name, content)).asset
    except MediaRejected as exc:
        return ("refused", exc.code)
    return ("accepted", asset.kind, asset.mime_type)


def archive_verdict(workspace, name: str, content: bytes) -> tuple:  # noqa: ANN001
    url = f"https://cdn.example.test/{name}"
    with responses.RequestsMock() as cdn:  # the network edge: Instagram's CDN answers with these bytes
        cdn.get(url, body=content, content_type="application/octet-stream")
        result = fetch_media(MediaJob(media_id=1, workspace_id=workspace.pk, kind="IMAGE", url=url, thumbnail_url="",
                                      run_id=1), requests.Session(), max_bytes=50 * 1024 * 1024, timeout=10)
    if not result.ok:
        return ("refused", result.refusal)
    return ("accepted", "video" if result.mime_type.startswith("video/") else "image", result.mime_type)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(EXPECTED))
def test_an_upload_and_an_archive_download_of_the_same_file_get_the_same_verdict(samples, storage, social, workspace,
                                                                                 name):
    by_upload = upload_verdict(social, workspace, name, samples[name])
    by_archive = archive_verdict(workspace, name, samples[name])
    assert by_upload == by_archive == EXPECTED[name]


def test_heic_is_refused_with_a_reason_a_person_can_act_on():
    with pytest.raises(Refused) as refused:
        detect(b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic")
    assert refused.value.code == "heic" and "JPEG" in str(refused.value)


@pytest.mark.django_db
def test_an_avif_upload_is_published_from_a_jpeg_rendition(samples, storage, social, workspace):
    asset = media_upload(user=social, workspace=workspace,
                         uploaded_file=SimpleUploadedFile("photo.avif", samples["photo.avif"])).asset
    assert asset.file.name.endswith(".avif")
    with asset.rendition.open("rb") as fh:
        assert fh.read(3) == b"\xff\xd8\xff"  # Instagram takes JPEG only


def test_one_extension_per_accepted_type():
    assert EXTENSIONS == {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/avif": "avif",
                          "video/mp4": "mp4", "video/quicktime": "mov"}
