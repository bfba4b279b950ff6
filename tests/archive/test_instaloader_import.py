"""Importing a folder downloaded by Instaloader: posts, carousels, videos with their covers; twice changes nothing."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from archive.models import ArchivedMedia, ArchivedPost, ArchivedProfile
from archive.services.instaloader import ImportFailed, profile_import_instaloader
from tests.archive.factories import jpeg

pytestmark = pytest.mark.django_db
FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def _write(path: Path, node: dict, node_type: str) -> None:
    with lzma.open(path, "wt", check=lzma.CHECK_NONE) as fh:
        json.dump({"node": node, "instaloader": {"version": "4.14", "node_type": node_type}}, fh)


def _post(pid: str, code: str, typename: str, ts: int, caption: str, **extra) -> dict:  # noqa: ANN003
    return {"id": pid, "shortcode": code, "__typename": typename, "taken_at_timestamp": ts,
            "edge_media_to_caption": {"edges": [{"node": {"text": caption}}]},
            "edge_media_preview_like": {"count": 12}, "edge_media_to_comment": {"count": 3},
            "owner": {"id": "4242", "username": "old_brand"}, **extra}


@pytest.fixture
def folder(tmp_path) -> Path:
    root = tmp_path / "old_brand"
    root.mkdir()
    _write(root / "old_brand_4242.json.xz", {"id": "4242", "username": "old_brand", "full_name": "Old Brand",
                                             "biography": "Since 1999", "edge_followed_by": {"count": 900},
                                             "edge_follow": {"count": 50}, "edge_owner_to_timeline_media": {"count": 3}},
           "Profile")
    _write(root / "2024-05-01_10-00-00_UTC.json.xz", _post("901", "AAA", "GraphImage", 1714557600, "A photo #one"), "Post")
    (root / "2024-05-01_10-00-00_UTC.jpg").write_bytes(jpeg((200, 40, 40), 120))
    _write(root / "2024-05-02_10-00-00_UTC.json.xz",
           _post("902", "BBB", "GraphVideo", 1714644000, "A reel", is_video=True, product_type="clips"), "Post")
    (root / "2024-05-02_10-00-00_UTC.mp4").write_bytes(FAKE_MP4)
    (root / "2024-05-02_10-00-00_UTC.jpg").write_bytes(jpeg((40, 200, 40), 120))
    children = {"edges": [{"node": {"id": "9031", "is_video": False}}, {"node": {"id": "9032", "is_video": False}}]}
    _write(root / "2024-05-03_10-00-00_UTC.json.xz",
           _post("903", "CCC", "GraphSidecar", 1714730400, "Two photos", edge_sidecar_to_children=children), "Post")
    (root / "2024-05-03_10-00-00_UTC_1.jpg").write_bytes(jpeg((40, 40, 200), 120))
    (root / "2024-05-03_10-00-00_UTC_2.jpg").write_bytes(jpeg((200, 200, 40), 120))
    return root


def test_import_then_import_again(folder, social, workspace, archive_settings):
    result = profile_import_instaloader(user=social, workspace=workspace, folder=folder)
    assert (result.posts_new, result.files_stored, result.problems) == (3, 4, [])
    profile = ArchivedProfile.objects.get(workspace=workspace)
    assert (profile.username, profile.ig_user_id, profile.followers_count) == ("old_brand", "4242", 900)
    posts = {p.shortcode: p for p in ArchivedPost.objects.filter(profile=profile)}
    assert posts["AAA"].caption == "A photo #one" and posts["AAA"].like_count == 12
    assert posts["BBB"].media_type == "VIDEO" and posts["BBB"].product_type == "REELS"
    assert list(posts["CCC"].media.values_list("ig_id", flat=True)) == ["9031", "9032"]
    video = ArchivedMedia.objects.get(post=posts["BBB"])
    assert video.mime_type == "video/mp4" and video.thumbnail and default_storage.exists(video.file)
    assert all(default_storage.exists(m.file) for m in ArchivedMedia.objects.all())
    again = profile_import_instaloader(user=social, workspace=workspace, folder=folder)
    assert (again.posts_new, again.posts_known) == (0, 3) and ArchivedMedia.objects.count() == 4


def test_command_and_refusals(folder, social, client_user, workspace, archive_settings, tmp_path, capsys):
    call_command("archive_import_instaloader", workspace.slug, str(folder), "--user", social.username)
    assert "3 new posts, 4 files stored" in capsys.readouterr().out
    with pytest.raises(ImportFailed):
        profile_import_instaloader(user=social, workspace=workspace, folder=tmp_path / "empty-nothing")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        profile_import_instaloader(user=client_user, workspace=workspace, folder=folder)
