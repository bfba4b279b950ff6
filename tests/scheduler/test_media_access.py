"""Who may fetch a library file: clients see media of approved/published posts only, in the app and through the
signed public URL (scheduler.rules.can_view_asset, can_fetch_public_file)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scheduler.media.storage import public_url
from scheduler.models import MediaAsset, Post
from tests.scheduler.media_fixtures import image_bytes, upload
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db
S = Post.Status


def test_clients_cannot_fetch_media_of_drafts(login, client_user, social, workspace, account, media_settings, client):
    from scheduler.services.media import media_upload

    asset = media_upload(user=social, workspace=workspace, uploaded_file=upload("d.jpg", image_bytes())).asset
    draft = PostFactory(workspace=workspace, account=account, status=S.DRAFT, media=[asset])

    def fetch(variant: str) -> int:
        url = reverse("scheduler:asset_file", kwargs={"ws": workspace.slug, "pk": asset.pk, "variant": variant})
        return login(client_user).get(url).status_code

    assert (fetch("original"), fetch("thumb"), fetch("instagram")) == (404, 404, 404)
    # Nor through the signed public URL, which serves posts on their way out only.
    client.logout()
    assert client.get(public_url(asset).removeprefix("http://testserver")).status_code == 404
    Post.objects.filter(pk=draft.pk).update(status=S.APPROVED)
    assert (fetch("original"), fetch("thumb")) == (200, 200)
    assert client.get(public_url(asset).removeprefix("http://testserver")).status_code == 200
    assert MediaAsset.objects.count() == 1
