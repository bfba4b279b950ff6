from __future__ import annotations

import pytest

from scheduler.models import MediaAsset, Post
from scheduler.services.media import MediaInUse, media_delete, media_update, media_upload
from tests.scheduler.media_fixtures import image_bytes, upload
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(media_settings, social, workspace):
    return media_upload(user=social, workspace=workspace, uploaded_file=upload("d.jpg", image_bytes())).asset


def test_delete_refuses_while_used_by_unpublished_posts_and_names_them(asset, social, workspace):
    post = PostFactory(workspace=workspace, media=[asset], caption="Launch day", status=Post.Status.APPROVED)
    with pytest.raises(MediaInUse) as err:
        media_delete(user=social, asset=asset)
    assert "Launch day" in err.value.message and "approved" in err.value.message
    assert MediaAsset.objects.filter(pk=asset.pk).exists()
    assert post.items.count() == 1


def test_delete_removes_row_and_files(asset, social):
    paths = [asset.file.path, asset.thumbnail.path, asset.rendition.path]
    media_delete(user=social, asset=asset)
    assert not MediaAsset.objects.filter(pk=asset.pk).exists()
    import os

    assert not any(os.path.exists(p) for p in paths)


def test_update_normalises_tags_and_bounds_alt_text(asset, social):
    media_update(user=social, asset=asset, title=" Beans ", alt_text="A bag of beans", tags="#Coffee, beans  coffee")
    asset.refresh_from_db()
    assert (asset.title, asset.alt_text, asset.tags) == ("Beans", "A bag of beans", "coffee beans")
    from scheduler.services.media import MediaRejected

    with pytest.raises(MediaRejected):
        media_update(user=social, asset=asset, title="", alt_text="x" * 1001, tags="")



# Independent of scheduler.rules: which posts may still go out (their media block a delete and are named).
STILL_GOING_OUT = {"draft": True, "in_review": True, "approved": True, "publishing": True, "failed": True,
                   "manual": True, "needs_review": True, "cancelled": False, "published": False}


@pytest.mark.parametrize("status", list(STILL_GOING_OUT))
def test_a_failed_post_keeps_its_media_like_every_post_that_may_still_go_out(asset, social, workspace, status):
    """A failed post can be given a new time and go out (issue 19: failed is not final), so deleting says so."""
    PostFactory(workspace=workspace, media=[asset], caption="Launch day", status=status)
    with pytest.raises(MediaInUse) as err:
        media_delete(user=social, asset=asset)
    assert ("Launch day" in err.value.message) is STILL_GOING_OUT[status]
    assert MediaAsset.objects.filter(pk=asset.pk).exists()
