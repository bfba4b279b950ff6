"""Archiving over real HTTP against the sandbox: first run, incremental runs past pinned posts, full pass."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from archive.models import ArchivedMedia, ArchivedPost, ArchiveRun
from archive.services.profiles import profile_add, profile_refresh
from tests.archive.conftest import drive

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]


@pytest.fixture
def gallery(ig, asker, social, workspace):
    """A 230-post profile (carousels, videos, 3 pinned posts deep in the listing), archived once."""
    summary = ig.add_profile("gallery_co", posts=230, pinned=3, licensed_audio=0)
    profile, created = profile_add(user=social, workspace=workspace, username="gallery_co")
    assert created
    run = profile.runs.get()
    assert drive(run) == "done", run.errors
    return profile, run, summary


def test_first_run_archives_every_post_and_file(gallery, ig):
    profile, run, summary = gallery
    assert run.kind == ArchiveRun.Kind.FULL
    assert ArchivedPost.objects.filter(profile=profile).count() == 230
    assert set(ArchivedPost.objects.filter(profile=profile).values_list("ig_id", flat=True)) == set(summary["media_ids"])
    types = set(ArchivedPost.objects.filter(profile=profile).values_list("media_type", flat=True))
    assert types == {"IMAGE", "VIDEO", "CAROUSEL_ALBUM"}
    media = ArchivedMedia.objects.filter(post__profile=profile)
    assert media.count() > 230 and media.filter(kind="VIDEO").exists()
    assert run.media_total == media.count() == run.media_done and run.media_failed == 0
    assert run.pages >= 10  # several pages of 25
    assert set(summary["pinned"]) <= set(ArchivedPost.objects.values_list("ig_id", flat=True))
    # The API has no pinned field; the archive infers it from the listing order (the grid planner shows them first).
    assert set(ArchivedPost.objects.filter(profile=profile, pinned=True).values_list("ig_id", flat=True)) == set(
        summary["pinned"])
    sample = media.filter(kind="VIDEO").first()
    assert sample.mime_type == "video/mp4" and default_storage.exists(sample.file) and default_storage.exists(sample.thumbnail)
    carousel = ArchivedPost.objects.filter(profile=profile, media_type="CAROUSEL_ALBUM").first()
    assert list(carousel.media.values_list("order", flat=True)) == list(range(carousel.media.count()))
    profile.refresh_from_db()
    assert profile.followers_count and profile.media_count == 230 and profile.snapshots.count() >= 2
    assert profile.next_due_at and profile.last_full_pass_at


def test_second_run_fetches_only_new_posts_behind_the_pinned_ones(gallery, ig, social):
    profile, _, summary = gallery
    assert ig.profile("gallery_co")["media_ids"][:3] == summary["pinned"]  # pinned posts lead the listing
    new_ids = ig.add_posts("gallery_co", count=4, kind="carousel")
    ig.reset_calls()
    run = profile_refresh(user=social, profile=profile)
    assert drive(run) == "done", run.errors
    assert run.kind == ArchiveRun.Kind.INCREMENTAL and run.posts_new == 4
    assert ig.api_calls() == 1 == run.api_calls  # the pinned posts did not stop it; one page was enough
    assert set(ArchivedPost.objects.filter(profile=profile, first_seen_at__gte=run.started_at)
               .values_list("ig_id", flat=True)) == set(new_ids)
    # Only the new posts' files were downloaded.
    assert run.media_total == run.media_done == ArchivedMedia.objects.filter(post__ig_id__in=new_ids).count()
    assert ig.calls()["cdn_total"] == sum(ig.cdn_calls(m) for m in
                                          ArchivedMedia.objects.filter(post__ig_id__in=new_ids).values_list("ig_id", flat=True))


def test_new_posts_that_are_pinned_themselves_are_found(gallery, ig, social):
    profile, _, _ = gallery
    new_ids = ig.add_posts("gallery_co", count=2, kind="image", pin=True)
    more = ig.add_posts("gallery_co", count=1, kind="video")
    ig.reset_calls()
    run = profile_refresh(user=social, profile=profile)
    assert drive(run) == "done"
    assert run.posts_new == 3 and ig.api_calls() == 1
    assert ArchivedPost.objects.filter(profile=profile, ig_id__in=new_ids + more).count() == 3


def test_a_refresh_with_nothing_new_costs_one_call_and_refreshes_counts(gallery, ig, social):
    profile, _, summary = gallery
    unpinned = [m for m in summary["media_ids"] if m not in summary["pinned"]]
    newest_unpinned, twentieth = unpinned[0], unpinned[19]
    ig.patch_media(newest_unpinned, like_count=4242, comments_count=7)
    ig.patch_media(twentieth, like_count=77)
    ig.reset_calls()
    run = profile_refresh(user=social, profile=profile)
    assert drive(run) == "done"
    assert ig.api_calls() == 1 and run.posts_new == 0 and run.media_total == 0
    assert ig.calls()["cdn_total"] <= 1  # at most the profile picture
    post = ArchivedPost.objects.get(profile=profile, ig_id=newest_unpinned)
    assert (post.like_count, post.comments_count) == (4242, 7)
    # The whole first page was read anyway: counts of the recent posts on it are fresh too.
    assert ArchivedPost.objects.get(profile=profile, ig_id=twentieth).like_count == 77


def test_deleted_post_is_flagged_after_the_full_pass_never_removed(gallery, ig, social):
    profile, _, summary = gallery
    gone = summary["media_ids"][120]
    ig.delete_media(gone)
    run = profile_refresh(user=social, profile=profile)
    assert drive(run) == "done"
    assert not ArchivedPost.objects.get(ig_id=gone).deleted_on_instagram  # an update does not look that deep
    run = profile_refresh(user=social, profile=profile, full=True)
    assert drive(run) == "done"
    post = ArchivedPost.objects.get(ig_id=gone)
    assert post.deleted_on_instagram and post.deleted_detected_at and run.posts_deleted == 1
    assert all(default_storage.exists(m.file) for m in post.media.all())
    assert ArchivedPost.objects.filter(profile=profile, deleted_on_instagram=True).count() == 1
    assert ArchivedPost.objects.filter(profile=profile).count() == 230


def test_renamed_profile_keeps_its_archive(gallery, ig, social, workspace):
    profile, _, _ = gallery
    ig.rename("gallery_co", "gallery_company")
    run = profile_refresh(user=social, profile=profile)
    assert drive(run) == "failed"
    profile.refresh_from_db()
    assert profile.status == "unavailable" and "add it again under its new name" in profile.last_error
    again, created = profile_add(user=social, workspace=workspace, username="gallery_company")
    assert not created and again.pk == profile.pk
    assert again.username == "gallery_company" and again.previous_usernames == ["gallery_co"]
    run = again.runs.filter(state__in=ArchiveRun.ACTIVE_STATES).get()
    ig.reset_calls()
    assert drive(run) == "done" and run.posts_new == 0 and ig.api_calls() == 1
    assert ArchivedPost.objects.filter(profile=profile).count() == 230


def test_own_account_archive_through_me_media(ig, asker, social, workspace):
    from archive.services.profiles import profile_add_own

    ig.generate_history(asker.ig_user_id, posts=40, pinned=2, licensed_audio=0)
    profile, created = profile_add_own(user=social, account=asker)
    run = profile.runs.get()
    assert drive(run) == "done", run.errors
    assert profile.source == "own" and ArchivedPost.objects.filter(profile=profile).count() == 40
    assert run.media_done == run.media_total > 40
    ig.reset_calls()
    run = profile_refresh(user=social, profile=profile)
    assert drive(run) == "done" and ig.api_calls() <= 2 and run.posts_new == 0


def test_pinned_posts_are_inferred_from_the_listing_order():
    from archive.services.listing import pinned_ids

    items = [{"id": "old-pin", "timestamp": "2020-01-01T10:00:00+0000"},
             {"id": "new", "timestamp": "2026-05-01T10:00:00+0000"},
             {"id": "older", "timestamp": "2026-04-01T10:00:00+0000"}]
    assert pinned_ids(items, 3) == ["old-pin"]
    # A listing in plain date order has no pinned post (or one that is the newest anyway).
    assert pinned_ids(items[1:], 3) == []
