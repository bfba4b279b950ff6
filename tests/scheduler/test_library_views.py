"""The library grid, filters, keyset pages, upload endpoint, detail panel, delete, private files, isolation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduler.models import MediaAsset, Post
from scheduler.selectors.media import LibraryFilters, library_page
from tests.scheduler.media_fixtures import image_bytes, upload
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory

pytestmark = pytest.mark.django_db

NOT_FOR_REEL = {"feed": {"ok": True, "reasons": []}, "carousel": {"ok": True, "reasons": []},
                "story": {"ok": True, "reasons": []}, "reel": {"ok": False, "reasons": ["Reels need a video."]}}


def url(name, ws, **kw):
    return reverse(name if ":" in name else f"scheduler:{name}", kwargs={"ws": ws.slug, **kw})


def ids(response):
    return [a.pk for a in response.context["page"].assets]


def test_grid_lists_workspace_assets_newest_first_with_badges(login, social, workspace, other_workspace):
    old = MediaAssetFactory(workspace=workspace, title="Latte art", suitability=NOT_FOR_REEL)
    new = MediaAssetFactory(workspace=workspace, title="Espresso pour")
    MediaAssetFactory(workspace=other_workspace, title="Not ours")
    MediaAsset.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))
    r = login(social).get(url("library", workspace))
    assert r.status_code == 200
    assert ids(r) == [new.pk, old.pk]
    html = r.content.decode()
    assert "Not ours" not in html and "2 assets in Acme Coffee" in html
    assert "Not for reel: Reels need a video." in html  # the reason travels with the badge


def test_grid_query_count_is_constant(login, social, workspace, django_assert_max_num_queries):
    client = login(social)
    MediaAssetFactory.create_batch(3, workspace=workspace, uploaded_by=social)
    client.get(url("library", workspace))  # warm caches (content types, session)
    with django_assert_max_num_queries(8) as few:
        client.get(url("library", workspace))
    MediaAssetFactory.create_batch(30, workspace=workspace, uploaded_by=social)
    post = PostFactory(workspace=workspace)  # some assets in use: annotation, not a query per card
    with django_assert_max_num_queries(8) as many:
        r = client.get(url("library", workspace))
    assert len(r.context["page"].assets) == 34 and any(a.in_use for a in r.context["page"].assets)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert {a.pk for a in r.context["page"].assets if a.in_use} == set(post.items.values_list("asset_id", flat=True))


def test_search_matches_title_file_name_tags_and_alt_text(login, social, workspace):
    a = MediaAssetFactory(workspace=workspace, title="Autumn menu")
    b = MediaAssetFactory(workspace=workspace, original_name="barista-portrait.jpg")
    c = MediaAssetFactory(workspace=workspace, tags="summer iced")
    d = MediaAssetFactory(workspace=workspace, alt_text="A cup of flat white on oak")
    client = login(social)
    assert ids(client.get(url("library", workspace), {"q": "autumn"})) == [a.pk]
    assert ids(client.get(url("library", workspace), {"q": "BARISTA"})) == [b.pk]
    assert ids(client.get(url("library", workspace), {"q": "#iced"})) == [c.pk]
    assert ids(client.get(url("library", workspace), {"q": "flat oak"})) == [d.pk]  # every word must match


def test_filters_kind_suitability_use_uploader_and_dates(login, social, admin_user, workspace):
    image = MediaAssetFactory(workspace=workspace, uploaded_by=social, suitability=NOT_FOR_REEL)
    video = MediaAssetFactory(workspace=workspace, video=True, uploaded_by=admin_user)
    used = MediaAssetFactory(workspace=workspace, uploaded_by=social)
    PostFactory(workspace=workspace, media=[used])
    MediaAsset.objects.filter(pk=video.pk).update(created_at=timezone.now() - timedelta(days=10))
    client = login(social)
    get = lambda **q: set(ids(client.get(url("library", workspace), q)))  # noqa: E731
    assert get(kind="video") == {video.pk}
    assert get(kind="image") == {image.pk, used.pk}
    assert get(suitable="reel") == {video.pk, used.pk}
    assert get(unsuitable="reel") == {image.pk}
    assert get(used="used") == {used.pk}
    assert get(used="unused") == {image.pk, video.pk}
    assert get(uploader=str(admin_user.pk)) == {video.pk}
    today = timezone.localdate(timezone=workspace.tzinfo).isoformat()
    assert get(**{"from": today}) == {image.pk, used.pk}
    assert get(to=(timezone.now() - timedelta(days=5)).date().isoformat()) == {video.pk}


def test_bad_filter_values_are_ignored_or_explained_never_a_500(login, social, workspace):
    MediaAssetFactory(workspace=workspace)
    r = login(social).get(url("library", workspace), {"kind": "pdf", "suitable": "tv", "uploader": "x", "from": "yesterday",
                                                      "sort": "random", "cursor": "%%%garbage"})
    assert r.status_code == 200 and len(ids(r)) == 1
    assert "“yesterday” is not a date" in r.content.decode()


@pytest.mark.parametrize("sort", ["newest", "oldest", "title", "largest"])
def test_keyset_pages_cover_everything_once_in_order(workspace, sort):
    now = timezone.now()
    for i in range(23):
        a = MediaAssetFactory(workspace=workspace, title=f"t{i % 5}", size_bytes=1000 * (i % 4))
        MediaAsset.objects.filter(pk=a.pk).update(created_at=now - timedelta(minutes=i % 3))  # ties on purpose
    filters = LibraryFilters(sort=sort)
    seen, cursor = [], None
    while True:
        page = library_page(workspace=workspace, filters=filters, cursor=cursor, page_size=5)
        seen += page.assets
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == 23 and len({a.pk for a in seen}) == 23
    field, desc = {"newest": ("created_at", True), "oldest": ("created_at", False), "title": ("title", False),
                   "largest": ("size_bytes", True)}[sort]
    keys = [(getattr(a, field), a.pk) for a in seen]
    assert keys == sorted(keys, reverse=desc)


def test_htmx_filter_returns_results_partial_and_load_more_returns_next_cards(login, social, workspace):
    MediaAssetFactory.create_batch(45, workspace=workspace)
    client = login(social)
    r = client.get(url("library", workspace), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="library-results")
    html = r.content.decode()
    assert html.lstrip().startswith('<div id="library-results">') and "<h1>" not in html
    assert html.count('class="asset-card"') == 40 and 'id="load-more"' in html
    cursor = r.context["page"].next_cursor
    more = client.get(url("library", workspace), {"cursor": cursor}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="load-more")
    assert more.content.decode().count('class="asset-card"') == 5 and 'id="load-more"' not in more.content.decode()


def test_upload_endpoint_answers_json_created_duplicate_and_rejected(login, social, workspace, media_settings):
    client = login(social)
    endpoint = url("library_upload", workspace)
    content = image_bytes(1080, 1350)
    r = client.post(endpoint, {"file": upload("cup.jpg", content)}, HTTP_ACCEPT="application/json")
    assert r.status_code == 201
    data = r.json()
    assert data["ok"] and not data["duplicate"] and f'id="asset-{data["asset"]["id"]}"' in data["card_html"]
    again = client.post(endpoint, {"file": upload("cup-copy.jpg", content)}, HTTP_ACCEPT="application/json")
    assert again.status_code == 200 and again.json()["duplicate"] and again.json()["asset"]["id"] == data["asset"]["id"]
    assert "already in the library" in again.json()["message"]
    # The header count comes with each answer, stamped so that the newest count wins on the page.
    assert (data["total"], again.json()["total"]) == (1, 1) and data["total_text"].startswith("1 asset ")
    assert again.json()["counted_at"] >= data["counted_at"] > 0
    bad = client.post(endpoint, {"file": upload("notes.jpg", b"MZ\x90\x00 this is a program")}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 422 and bad.json()["ok"] is False and set(bad.json()) == {"ok", "error"}
    assert "this is a program" in bad.json()["error"]
    assert "“notes.jpg”" in bad.json()["error"]
    assert MediaAsset.objects.filter(workspace=workspace).count() == 1


def test_upload_without_javascript_takes_several_files_and_reports_each(login, social, workspace, media_settings):
    client = login(social)
    r = client.post(url("library_upload", workspace),
                    {"file": [upload("a.png", image_bytes(800, 800, "PNG")), upload("empty.jpg", b""),
                              upload("b.webp", image_bytes(900, 900, "WEBP"))]}, follow=True)
    texts = [str(m) for m in r.context["messages"]]
    assert "“a.png” uploaded." in texts and "“b.webp” uploaded." in texts
    assert any("“empty.jpg”" in t and "empty" in t for t in texts)
    assert MediaAsset.objects.filter(workspace=workspace).count() == 2


def test_panel_edits_alt_text_title_tags_and_updates_the_card(login, social, workspace):
    asset = MediaAssetFactory(workspace=workspace, title="Old")
    client = login(social)
    panel = client.get(url("asset_detail", workspace, pk=asset.pk), HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and "<html" not in panel.content.decode() and "Not used in any post yet." in panel.content.decode()
    r = client.post(url("asset_detail", workspace, pk=asset.pk),
                    {"title": "Flat white", "alt_text": "A flat white on an oak table", "tags": "Coffee, #Oak coffee"},
                    HTTP_HX_REQUEST="true")
    asset.refresh_from_db()
    assert (asset.title, asset.alt_text, asset.tags) == ("Flat white", "A flat white on an oak table", "coffee oak")
    html = r.content.decode()
    assert "Saved." in html and 'hx-swap-oob="true"' in html and "Flat white" in html


def test_panel_rejects_overlong_alt_text_and_keeps_input(login, social, workspace):
    asset = MediaAssetFactory(workspace=workspace)
    r = login(social).post(url("asset_detail", workspace, pk=asset.pk), {"title": "x", "alt_text": "a" * 1001, "tags": ""},
                           HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "at most 1000 characters" in r.content.decode()
    assert "a" * 1001 in r.content.decode()  # nothing the user typed is lost


def test_delete_refuses_while_a_post_uses_it_and_names_the_post(login, social, workspace):
    asset = MediaAssetFactory(workspace=workspace)
    post = PostFactory(workspace=workspace, media=[asset], caption="Pumpkin spice is back", status=Post.Status.APPROVED)
    r = login(social).post(url("asset_delete", workspace, pk=asset.pk), HTTP_HX_REQUEST="true")
    assert r.status_code == 409
    assert "not published yet" in r.content.decode() and str(post)[:20] in r.content.decode()
    assert MediaAsset.objects.filter(pk=asset.pk).exists()


def test_delete_unused_asset_removes_it_and_tells_the_grid(login, social, workspace, media_settings):
    client = login(social)
    created = client.post(url("library_upload", workspace), {"file": upload("x.jpg", image_bytes())},
                          HTTP_ACCEPT="application/json").json()
    asset = MediaAsset.objects.get(pk=created["asset"]["id"])
    path = asset.file.path
    r = client.post(url("asset_delete", workspace, pk=asset.pk), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and json.loads(r["HX-Trigger"]) == {"asset-deleted": {"id": asset.pk}}
    assert not MediaAsset.objects.filter(pk=asset.pk).exists()
    import os

    assert not os.path.exists(path)


def test_files_are_served_to_members_only(login, social, client_user, outsider, workspace, media_settings):
    client = login(social)
    created = client.post(url("library_upload", workspace), {"file": upload("x.jpg", image_bytes())},
                          HTTP_ACCEPT="application/json").json()
    pk = created["asset"]["id"]
    thumb = client.get(url("asset_file", workspace, pk=pk, variant="thumb"))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg" and "private" in thumb["Cache-Control"]
    assert client.get(url("asset_file", workspace, pk=pk, variant="thumb"), HTTP_IF_NONE_MATCH=thumb["ETag"]).status_code == 304
    original = client.get(url("asset_file", workspace, pk=pk, variant="original"))
    assert original.status_code == 200 and 'filename="x.jpg"' in original["Content-Disposition"]
    assert client.get(url("asset_file", workspace, pk=pk, variant="secret")).status_code == 404
    # A client sees media of approved/published posts only (finding 4 of issue 9): not a loose library file.
    assert login(client_user).get(url("asset_file", workspace, pk=pk, variant="thumb")).status_code == 404
    PostFactory(workspace=workspace, status=Post.Status.APPROVED, media=[MediaAsset.objects.get(pk=pk)])
    assert login(client_user).get(url("asset_file", workspace, pk=pk, variant="thumb")).status_code == 200
    assert login(outsider).get(url("asset_file", workspace, pk=pk, variant="thumb")).status_code == 404
    client.logout()
    assert client.get(url("asset_file", workspace, pk=pk, variant="thumb")).status_code == 302  # to sign-in


@pytest.mark.parametrize("name", ["library", "library_upload", "asset_detail", "asset_delete"])
def test_library_isolation_and_roles(login, social, client_user, editor, outsider, workspace, name):
    asset = MediaAssetFactory(workspace=workspace)
    kwargs = {"pk": asset.pk} if name.startswith("asset") else {}
    target = url(name, workspace, **kwargs)
    method = "post" if name in ("library_upload", "asset_delete") else "get"
    assert getattr(login(outsider), method)(target).status_code == 404  # another workspace's admin: nothing exists
    assert getattr(login(client_user), method)(target).status_code == 403
    assert getattr(login(editor), method)(target).status_code == 403
    assert MediaAsset.objects.filter(pk=asset.pk).exists()


def test_asset_of_another_workspace_is_404_even_for_a_member_elsewhere(login, social, workspace, other_workspace):
    foreign = MediaAssetFactory(workspace=other_workspace)
    client = login(social)
    assert client.get(url("asset_detail", workspace, pk=foreign.pk)).status_code == 404
    assert client.post(url("asset_delete", workspace, pk=foreign.pk)).status_code == 404
    assert client.get(url("asset_file", workspace, pk=foreign.pk, variant="thumb")).status_code == 404


def test_navigation_shows_library_to_social_manager(login, social, workspace):
    r = login(social).get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug}))
    assert 'data-nav="scheduler:library"' in r.content.decode()
