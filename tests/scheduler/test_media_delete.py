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
