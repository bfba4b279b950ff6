"""Fixtures for the publishing engine: a live sandbox over HTTP, a connected account, due posts."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import InstagramAccount
from scheduler.content import content_hash
from scheduler.models import MediaAsset, Post, PostMedia

OK_EVERYWHERE = {use: {"ok": True, "reasons": []} for use in MediaAsset.USES}


@pytest.fixture(scope="session")
def video_server(tmp_path_factory):
    """A plain HTTP file server with a real 4-second H.264 MP4, standing in for public media storage."""
    root = tmp_path_factory.mktemp("videos")
    if shutil.which("ffmpeg"):
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=540x960:rate=30", "-f", "lavfi",
             "-i", "sine=frequency=440:sample_rate=44100", "-t", "4", "-c:v", "libx264", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-movflags", "+faststart", str(root / "reel.mp4")],
            check=True,
        )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def media_urls(sandbox, video_server, monkeypatch):
    """Public URLs Instagram (the sandbox) downloads: its own CDN for JPEGs, a file server for video."""
    import scheduler.engine.publish as publish

    def url(item, *, rendition: bool) -> str:
        if item.asset.kind == MediaAsset.Kind.VIDEO:
            return f"{video_server}/reel.mp4"
        return sandbox.image_url(w=item.asset.width or 1080, h=item.asset.height or 1080)

    monkeypatch.setattr(publish, "_media_url", url)
    return url


@pytest.fixture
def ig_account(sandbox, workspace):
    remote = sandbox.create_account("acme_brand")
    return InstagramAccount.objects.create(
        workspace=workspace, ig_user_id=remote["ig_user_id"], username=remote["username"],
        access_token=remote["access_token"], expires_at=timezone.now() + timedelta(days=60),
        scopes=remote["scopes"],
    )


def make_asset(workspace, *, kind=MediaAsset.Kind.IMAGE, n=0, width=1080, height=1080) -> MediaAsset:
    return MediaAsset.objects.create(
        workspace=workspace, file=f"workspaces/{workspace.pk}/media/test-{kind}-{n}.bin", sha256=f"{kind}{n}".ljust(64, "0"),
        kind=kind, mime_type="video/mp4" if kind == "video" else "image/jpeg", size_bytes=1000,
        width=width, height=height, duration_seconds=4.0 if kind == "video" else None, suitability=OK_EVERYWHERE,
    )


@pytest.fixture
def make_due_post(workspace, ig_account, media_urls, admin_user):
    counter = iter(range(10_000))

    def _make(*, kind=Post.Kind.FEED, caption=None, items=1, video=False, account=None, publish_at=None, **fields):
        n = next(counter)
        post = Post.objects.create(
            workspace=workspace, account=account or ig_account, kind=kind, caption=caption or f"Post {n} #coffee",
            status=Post.Status.APPROVED, publish_at=publish_at or timezone.now() - timedelta(seconds=5),
            author=admin_user, **fields,
        )
        for i in range(items):
            asset = make_asset(workspace, kind=MediaAsset.Kind.VIDEO if video else MediaAsset.Kind.IMAGE, n=n * 100 + i)
            PostMedia.objects.create(post=post, asset=asset, position=i)
        if post.status == Post.Status.APPROVED:  # as post_approve leaves it: the approval bound to this content
            post.content_hash = post.approved_hash = content_hash(post)
            post.save(update_fields=["content_hash", "approved_hash"])
        return post

    return _make
