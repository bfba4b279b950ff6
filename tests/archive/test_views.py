"""Archive pages for every persona, filters, query counts, live progress, staff actions, the streamed export."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from archive.models import ArchivedMedia, ArchivedPost
from tests.archive.factories import make_profile, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(workspace, archive_settings):
    return make_profile(workspace, posts=9)


def url(name, workspace, **kw):  # noqa: ANN001
    return reverse(f"archive:{name}", kwargs={"ws": workspace.slug, **kw})


@pytest.mark.parametrize("persona", ["admin", "editor", "social", "client"], indirect=True)
def test_every_role_sees_the_archive_pages(login, persona, profile, workspace):
    c = login(persona)
    post = profile.posts.first()
    media = ArchivedMedia.objects.filter(post=post).first()
    for name, kw in [("index", {}), ("profile", {"pk": profile.pk}), ("gallery", {"pk": profile.pk}),
                     ("post_detail", {"pk": post.pk}), ("media_thumb", {"pk": media.pk})]:
        assert c.get(url(name, workspace, **kw)).status_code == 200, name


def test_index_shows_manage_forms_to_staff_only(login, social, client_user, profile, workspace):
    page = login(social).get(url("index", workspace)).content.decode()
    assert "Add and archive" in page and "@northwind_coffee" in page and "9</strong> archived" in page
    page = login(client_user).get(url("index", workspace)).content.decode()
    assert "Add and archive" not in page and "@northwind_coffee" in page


def test_gallery_filters_by_type_caption_and_dates(login, client_user, profile, workspace):
    c = login(client_user)
    g = url("gallery", workspace, pk=profile.pk)
    assert c.get(g).context["count"] == 9
    videos = c.get(g, {"type": "VIDEO"}).context["page"].posts
    assert len(videos) == 3 and {p.media_type for p in videos} == {"VIDEO"}
    assert c.get(g, {"q": "#espresso"}).context["count"] == 4
    assert c.get(g, {"from": "2025-06-03", "to": "2025-06-05"}).context["count"] == 3
    assert c.get(g, {"deleted": "1"}).context["count"] == 1
    bad = c.get(g, {"from": "yesterday", "type": "DROP TABLE"})
    assert bad.status_code == 200 and bad.context["count"] == 9 and "is not a date" in bad.content.decode()
    fragment = c.get(g, {"type": "IMAGE"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="gallery-results")
    assert fragment.status_code == 200 and b"<html" not in fragment.content and b"tile-link" in fragment.content


def test_gallery_pages_by_cursor(login, client_user, workspace, archive_settings, monkeypatch):
    profile = make_profile(workspace, posts=10)
    monkeypatch.setattr("archive.selectors.PAGE_SIZE", 4)
    import archive.selectors as sel

    page1 = sel.gallery_page(profile=profile, filters=sel.GalleryFilters(), cursor=None, size=4)
    page2 = sel.gallery_page(profile=profile, filters=sel.GalleryFilters(), cursor=page1.next_cursor, size=4)
    page3 = sel.gallery_page(profile=profile, filters=sel.GalleryFilters(), cursor=page2.next_cursor, size=4)
    ids = [p.pk for p in page1.posts + page2.posts + page3.posts]
    assert len(ids) == len(set(ids)) == 10 and page3.next_cursor is None
    more = login(client_user).get(url("gallery", workspace, pk=profile.pk), {"cursor": page1.next_cursor},
                                  HTTP_HX_REQUEST="true")
    assert more.status_code == 200 and b"<html" not in more.content and b'class="tile-link"' in more.content


def test_gallery_query_count_does_not_grow_with_posts(login, client_user, workspace, archive_settings,
                                                       django_assert_max_num_queries):
    small = make_profile(workspace, username="small_shop", posts=3)
    big = make_profile(workspace, username="big_shop", posts=30)
    c = login(client_user)
    c.get(url("gallery", workspace, pk=small.pk))  # warm the session/user caches
    with django_assert_max_num_queries(11) as few:
        assert c.get(url("gallery", workspace, pk=small.pk)).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = c.get(url("gallery", workspace, pk=big.pk))
    assert response.content.count(b'class="tile-link"') == 30


def test_index_query_count_does_not_grow_with_profiles(login, social, workspace, archive_settings,
                                                       django_assert_max_num_queries):
    make_profile(workspace, username="one_shop", posts=2)
    c = login(social)
    c.get(url("index", workspace))
    with django_assert_max_num_queries(12) as few:
        c.get(url("index", workspace))
    for n in range(4):
        make_profile(workspace, username=f"shop_{n}", posts=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url("index", workspace)).content.count(b"profile-card-head") == 5


def test_profile_page_has_chart_and_deleted_posts(login, client_user, profile, workspace):
    page = login(client_user).get(url("profile", workspace, pk=profile.pk)).content.decode()
    assert "<svg" in page and "<polyline" in page and "Followers" in page
    assert "Deleted on Instagram" in page and "Gone since" in page and "Post 2" in page


def test_run_progress_polls_while_active_and_stops_when_done(login, client_user, profile, workspace):
    run = make_run(profile, state="waiting", wait_until="2030-01-01T10:00:00Z")
    c = login(client_user)
    body = c.get(url("run_progress", workspace, pk=run.pk)).content.decode()
    assert 'hx-trigger="every 2s"' in body and "74 / 180" in body and "waiting until" in body
    assert 'aria-valuenow="' in body
    run.state = "done"
    run.save()
    body = c.get(url("run_progress", workspace, pk=run.pk)).content.decode()
    assert "hx-trigger" not in body and "Finished" in body


def test_a_run_ending_under_a_polling_page_reloads_that_page(login, client_user, profile, workspace):
    """The bar alone turned "Finished" while the page around it still said "0 archived" and "Queued" (QA)."""
    run = make_run(profile, state="running")
    c = login(client_user)
    polled = c.get(url("run_progress", workspace, pk=run.pk), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in polled.headers and 'hx-trigger="every 2s"' in polled.content.decode()
    run.state = "done"
    run.save()
    polled = c.get(url("run_progress", workspace, pk=run.pk), HTTP_HX_REQUEST="true")
    assert polled.headers["HX-Refresh"] == "true"
    assert "HX-Refresh" not in c.get(url("run_progress", workspace, pk=run.pk)).headers  # a plain GET: just the card


def test_originals_download_with_their_bytes(login, client_user, profile, workspace):
    media = ArchivedMedia.objects.filter(post__profile=profile).first()
    response = login(client_user).get(url("media_original", workspace, pk=media.pk), {"download": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "attachment" in response["Content-Disposition"]
    from django.core.files.storage import default_storage

    assert b"".join(response.streaming_content) == default_storage.open(media.file).read()


def _zip(response) -> zipfile.ZipFile:  # noqa: ANN001
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response.streaming  # produced while it is sent
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_export_holds_media_metadata_and_csv(login, client_user, profile, workspace):
    response = login(client_user).get(url("export", workspace, pk=profile.pk))
    assert 'filename="northwind_coffee-archive-' in response["Content-Disposition"]
    archive = _zip(response)
    assert archive.testzip() is None
    names = archive.namelist()
    media = ArchivedMedia.objects.filter(post__profile=profile)
    assert {"metadata.json", "posts.csv"} <= set(names) and len(names) == 2 + media.count()
    from django.core.files.storage import default_storage

    first = media.select_related("post").order_by("post__taken_at", "order").first()
    member = next(n for n in names if first.post.shortcode in n)
    assert archive.read(member) == default_storage.open(first.file).read()
    meta = json.loads(archive.read("metadata.json"))
    assert meta["profile"]["username"] == "northwind_coffee" and len(meta["posts"]) == 9
    assert meta["posts"][2]["deleted_on_instagram"] is True
    rows = list(csv.DictReader(io.StringIO(archive.read("posts.csv").decode("utf-8-sig"))))
    assert list(rows[0]) == ["shortcode", "instagram_id", "taken_at_utc", "type", "product_type", "caption",
                             "like_count", "comments_count", "permalink", "deleted_on_instagram", "media_count",
                             "files"]
    assert len(rows) == 9 and rows[1]["like_count"] == "" and rows[2]["deleted_on_instagram"] == "yes"


def test_export_of_a_filtered_selection(login, client_user, profile, workspace):
    archive = _zip(login(client_user).get(url("export", workspace, pk=profile.pk), {"type": "CAROUSEL_ALBUM"}))
    rows = list(csv.DictReader(io.StringIO(archive.read("posts.csv").decode("utf-8-sig"))))
    assert {r["type"] for r in rows} == {"CAROUSEL_ALBUM"} and len(rows) == 3
    assert len([n for n in archive.namelist() if n.startswith("media/")]) == 6


def test_staff_actions_without_javascript(login, social, client_user, profile, workspace, monkeypatch):
    queued = []
    monkeypatch.setattr("archive.services.runs.enqueue_run", queued.append)
    c = login(social)
    response = c.post(url("profile_refresh", workspace, pk=profile.pk), {"full": "1"})
    assert response.status_code == 302 and queued and profile.runs.get().kind == "full"
    response = c.post(url("profile_settings", workspace, pk=profile.pk), {"refresh_interval_hours": "168"})
    profile.refresh_from_db()
    assert response.status_code == 302 and profile.refresh_interval_hours == 168
    assert login(client_user).post(url("profile_refresh", workspace, pk=profile.pk)).status_code == 403


def test_add_profile_error_is_shown_in_the_form(login, social, workspace, archive_settings):
    c = login(social)
    response = c.post(url("profile_add", workspace), {"username": "no spaces allowed"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "is not an Instagram username" in response.content.decode()
    assert "<html" not in response.content.decode()
    response = c.post(url("profile_add", workspace), {"username": "northwind_coffee"}, follow=True)
    assert "Connect one on the Instagram accounts page" in response.content.decode()
    assert not ArchivedPost.objects.exists()


def test_profile_page_query_count_does_not_grow_with_deleted_posts_and_runs(login, client_user, workspace,
                                                                            archive_settings,
                                                                            django_assert_max_num_queries):
    small = make_profile(workspace, username="small_gone", posts=2)
    big = make_profile(workspace, username="big_gone", posts=20)
    for profile in (small, big):
        ArchivedPost.objects.filter(profile=profile).update(deleted_on_instagram=True)
    for _ in range(6):
        make_run(big, state="done")
    c = login(client_user)
    c.get(url("profile", workspace, pk=small.pk))
    with django_assert_max_num_queries(16) as few:
        c.get(url("profile", workspace, pk=small.pk))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = c.get(url("profile", workspace, pk=big.pk)).content.decode()
    assert page.count("Gone since") == 20


def test_add_profile_with_htmx_sends_the_browser_to_the_profile(login, social, profile, workspace, monkeypatch):
    monkeypatch.setattr("archive.views.actions.services.profile_add", lambda **kw: (profile, True))
    response = login(social).post(url("profile_add", workspace), {"username": "northwind_coffee"},
                                  HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == url("profile", workspace, pk=profile.pk)
