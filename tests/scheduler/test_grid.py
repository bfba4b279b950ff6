"""The grid planner (issue 21): tile order and crop, swaps through the calendar's reschedule rules, clients,
free slots, drafts into slots, the composer's "Show in grid", and the page's query count."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import ArchivedMedia, ArchivedPost, ArchivedProfile
from scheduler.models import Post, PostingSlot, ReviewEvent
from scheduler.rules import TransitionError
from scheduler.selectors.grid import account_grid
from scheduler.services.grid import grid_place, grid_swap
from scheduler.services.lifecycle import ConflictError
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)  # Monday 10:00 in Berlin
S, K = Post.Status, Post.Kind
# The profile grid's tile is 3:4; a 1.91:1 photo keeps 0.75 / 1.91 = 39 % of its width (independent arithmetic).
LANDSCAPE_SHOWN = "39%"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def asset(ws, w=1080, h=1350, **kw):  # noqa: ANN001, ANN003
    return MediaAssetFactory(workspace=ws, width=w, height=h, thumbnail=f"workspaces/t/derived/{w}x{h}-{id(kw)}.jpg",
                             **kw)


def planned(ws, account, days, status=S.APPROVED, media=None, **kw):  # noqa: ANN001, ANN003
    return PostFactory(workspace=ws, account=account, status=status, publish_at=NOW + timedelta(days=days),
                       media=media if media is not None else [asset(ws)], **kw)


def thumb(ws, a) -> str:  # noqa: ANN001
    return reverse("scheduler:asset_file", kwargs={"ws": ws.slug, "pk": a.pk, "variant": "thumb"})


def archive(ws, account, rows):  # noqa: ANN001
    """The account's own archive: rows = [(ig_id, taken_at, pinned)]."""
    profile = ArchivedProfile.objects.create(workspace=ws, username=account.username, ig_user_id="1784own",
                                             source="own", account=account)
    for ig_id, taken, pinned in rows:
        p = ArchivedPost.objects.create(workspace=ws, profile=profile, ig_id=ig_id, media_type="IMAGE", taken_at=taken,
                                        first_seen_at=NOW, last_seen_at=NOW, pinned=pinned,
                                        permalink=f"https://www.instagram.com/p/{ig_id}/")
        ArchivedMedia.objects.create(workspace=ws, post=p, order=0, ig_id=f"{ig_id}-0", kind="IMAGE", state="done",
                                     thumbnail=f"ab/{ig_id}.jpg")
    return profile


def test_order_and_crop_of_tiles(workspace, account, social):
    ws = workspace
    feed_asset = asset(ws, 1080, 1350)  # 4:5 portrait: no note
    wide, second = asset(ws, 1910, 1000), asset(ws)  # the carousel's first item is a 1.91:1 landscape photo
    cover = asset(ws, 1080, 1920, video=True)
    feed = planned(ws, account, 1, media=[feed_asset])
    carousel = planned(ws, account, 2, status=S.IN_REVIEW, kind=K.CAROUSEL, media=[wide, second])
    reel = planned(ws, account, 3, kind=K.REEL, media=[cover])
    planned(ws, account, 4, kind=K.STORY)  # stories never reach the grid
    planned(ws, account, 5, kind=K.REEL, share_to_feed=False)  # nor reels kept off the feed
    planned(ws, account, 6, status=S.CANCELLED)  # nor what will not go out
    archive(ws, account, [("pin", datetime(2026, 1, 1, tzinfo=UTC), True),
                          ("new", NOW - timedelta(days=2), False), ("old", NOW - timedelta(days=10), False)])
    fresh = PostFactory(workspace=ws, account=account, status=S.PUBLISHED, publish_at=NOW - timedelta(days=1),
                        published_at=NOW - timedelta(days=1), ig_media_id="fresh")  # not archived yet
    PostFactory(workspace=ws, account=account, status=S.PUBLISHED, publish_at=NOW - timedelta(days=2),
                published_at=NOW - timedelta(days=2), ig_media_id="new")  # the archive has it: shown once

    grid = account_grid(user=social, account=account)
    order = [(t.state, t.post.pk if t.post else t.permalink.rsplit("/", 2)[-2] if t.permalink else t.key)
             for t in grid.tiles]
    assert order == [("live", "pin"), ("planned", reel.pk), ("planned", carousel.pk), ("planned", feed.pk),
                     ("live", f"p{fresh.pk}"), ("live", "new"), ("live", "old")]
    tiles = {t.post.pk: t for t in grid.tiles if t.post}
    assert grid.tiles[0].pinned
    assert tiles[carousel.pk].thumb == thumb(ws, wide)  # a carousel shows its first item
    assert "1.91:1" in tiles[carousel.pk].crop and LANDSCAPE_SHOWN in tiles[carousel.pk].crop
    assert tiles[feed.pk].crop == "" and tiles[feed.pk].thumb == thumb(ws, feed_asset)
    assert tiles[reel.pk].thumb == thumb(ws, cover) and tiles[reel.pk].media == "reel"  # the reel's cover frame
    # Neighbours for "Move earlier / later" follow publishing order (the grid lists latest first).
    assert tiles[carousel.pk].later.post.pk == reel.pk and tiles[carousel.pk].earlier.post.pk == feed.pk


def test_swap_of_two_approved_posts_keeps_both_approved_and_swaps_exactly_their_times(workspace, account, social):
    a, b = planned(workspace, account, 1), planned(workspace, account, 2)
    other = planned(workspace, account, 3)
    at_a, at_b, hashes = a.publish_at, b.publish_at, (a.approved_hash, b.approved_hash)
    grid_swap(user=social, first=a, second=b, first_version=a.version, second_version=b.version)
    a.refresh_from_db()
    b.refresh_from_db()
    other.refresh_from_db()
    assert (a.publish_at, b.publish_at) == (at_b, at_a)
    assert a.status == b.status == S.APPROVED and (a.approved_hash, b.approved_hash) == hashes
    assert other.publish_at == NOW + timedelta(days=3) and other.version == 1
    assert ReviewEvent.objects.filter(post__in=[a, b], action="rescheduled").count() == 2


def test_a_swap_with_a_stale_version_is_refused_and_changes_nothing(workspace, account, social):
    a, b = planned(workspace, account, 1), planned(workspace, account, 2)
    at_a, at_b = a.publish_at, b.publish_at
    Post.objects.filter(pk=b.pk).update(version=5)  # someone moved b meanwhile
    with pytest.raises(ConflictError, match="Someone else changed this post"):
        grid_swap(user=social, first=Post.objects.get(pk=a.pk), second=Post.objects.get(pk=b.pk),
                  first_version=1, second_version=1)
    # The first post's move was undone with the refusal of the second (one transaction).
    assert Post.objects.get(pk=a.pk).publish_at == at_a and Post.objects.get(pk=a.pk).version == 1
    assert Post.objects.get(pk=b.pk).publish_at == at_b


def test_a_published_post_cannot_move_and_a_client_cannot_swap(workspace, account, social, client_user):
    a = planned(workspace, account, 1)
    live = PostFactory(workspace=workspace, account=account, status=S.PUBLISHED, publish_at=NOW + timedelta(hours=1))
    with pytest.raises(TransitionError, match="published"):
        grid_swap(user=social, first=a, second=live, first_version=None, second_version=None)
    b = planned(workspace, account, 2)
    with pytest.raises(PermissionDenied):
        grid_swap(user=client_user, first=a, second=b, first_version=None, second_version=None)
    assert Post.objects.get(pk=a.pk).publish_at == NOW + timedelta(days=1)


def grid_url(ws, account, **q):  # noqa: ANN001, ANN003
    base = reverse("scheduler:grid", kwargs={"ws": ws.slug, "account": account.pk})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in q.items()) if q else "")


def tile_keys(html: str) -> list[str]:
    return re.findall(r'id="tile-([^"]+)"', html)


def test_a_client_sees_only_approved_and_published_tiles(login, workspace, account, client_user):
    shown = [planned(workspace, account, 1), planned(workspace, account, 2)]
    hidden = [planned(workspace, account, 3, status=s) for s in (S.DRAFT, S.IN_REVIEW, S.FAILED, S.MANUAL)]
    hidden.append(PostFactory(workspace=workspace, account=account, status=S.DRAFT))  # a draft for the rail
    live = PostFactory(workspace=workspace, account=account, status=S.PUBLISHED, publish_at=NOW - timedelta(days=1),
                       published_at=NOW - timedelta(days=1))
    PostingSlot.objects.create(account=account, weekday=1, time="09:00")
    r = login(client_user).get(grid_url(workspace, account))
    assert r.status_code == 200
    html = r.content.decode()
    assert tile_keys(html) == [f"p{shown[1].pk}", f"p{shown[0].pk}", f"p{live.pk}"]
    assert "Drafts without a time" not in html and "Free slot" not in html and "Earlier" not in html
    assert 'draggable="true"' not in html


def test_the_grid_page_shows_slots_drafts_and_buttons_in_constant_queries(login, workspace, account, social):
    PostingSlot.objects.create(account=account, weekday=1, time="09:00")  # Tuesdays
    posts = [planned(workspace, account, d, status=S.APPROVED if d % 2 else S.IN_REVIEW) for d in range(1, 13)]
    for n in range(8):
        PostFactory(workspace=workspace, account=account, status=S.PUBLISHED, publish_at=NOW - timedelta(days=n + 1),
                    published_at=NOW - timedelta(days=n + 1))
    archive(workspace, account, [(f"a{n}", NOW - timedelta(days=20 + n), n == 3) for n in range(10)])
    draft = PostFactory(workspace=workspace, account=account, status=S.DRAFT)
    c = login(social)
    c.get(grid_url(workspace, account))
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(grid_url(workspace, account))
    assert r.status_code == 200
    assert len(ctx.captured_queries) <= 10, "\n".join(q["sql"][:150] for q in ctx.captured_queries)
    html = r.content.decode()
    keys = tile_keys(html)
    assert keys[0] == "a" + str(ArchivedPost.objects.get(ig_id="a3").pk)  # pinned first
    assert html.count('class="tile tile-slot') == 6  # the next six free slots
    # The next free Tuesday 09:00 Berlin (4 May 2027 07:00Z) opens the composer for that time and account.
    assert f'?at=2027-05-04T09%3A00&amp;account={account.pk}' in html
    assert f'id="draft-p{draft.pk}"' in html
    assert reverse("scheduler:post_queue", kwargs={"ws": workspace.slug, "pk": draft.pk}) in html  # "Next free slot"
    assert html.count('data-move="earlier"') == 11 and html.count('data-move="later"') == 11
    assert keys.index(f"p{posts[-1].pk}") < keys.index(f"p{posts[0].pk}")


def swap_form(a, b, **over):  # noqa: ANN001, ANN003
    data = {"post": a.pk, "version": a.version, "target": b.pk, "target_version": b.version}
    data.update(over)
    return data


def test_the_keyboard_and_no_js_path_swaps_and_redirects(login, workspace, account, social):
    a, b = planned(workspace, account, 1), planned(workspace, account, 2)
    c = login(social)
    url = reverse("scheduler:grid_swap", kwargs={"ws": workspace.slug, "account": account.pk})
    r = c.post(url, swap_form(a, b))
    assert r.status_code == 302 and r["Location"] == grid_url(workspace, account)
    assert Post.objects.get(pk=a.pk).publish_at == NOW + timedelta(days=2)
    assert Post.objects.get(pk=b.pk).publish_at == NOW + timedelta(days=1)
    page = c.get(r["Location"]).content.decode()
    assert "Swapped" in page
    assert tile_keys(page)[:2] == [f"p{a.pk}", f"p{b.pk}"]


def test_a_drop_is_answered_with_only_the_tiles_it_changed(login, workspace, account, social):
    """grid.js's swap: the two posts trade places and their neighbours' Earlier / Later buttons name the new
    occupants (with their new versions); nothing else of the grid is drawn again."""
    p = {d: planned(workspace, account, d) for d in range(1, 7)}  # publishing order p1 … p6; the grid: p6 … p1
    PostingSlot.objects.create(account=account, weekday=1, time="09:00")
    c = login(social)
    url = reverse("scheduler:grid_swap", kwargs={"ws": workspace.slug, "account": account.pk})
    c.get(grid_url(workspace, account))
    with CaptureQueriesContext(connection) as ctx:
        r = c.post(url, swap_form(p[4], p[2]), HTTP_X_GRID="1")
    assert r.status_code == 200
    # session, user, two-factor check, workspace, the two posts; two moves (update, re-read, event) in one
    # transaction (BEGIN / COMMIT count on SQLite); the tiles around them.
    assert len(ctx.captured_queries) <= 14, "\n".join(q["sql"][:150] for q in ctx.captured_queries)
    html = r.content.decode()
    assert 'id="grid-body"' not in html and "Free slot" not in html and "Swapped" in html
    drawn = re.findall(r'id="tile-(p\d+)" data-key="p\d+" data-replaces="tile-(p\d+)"', html)
    # Latest first after the swap: p6 (not drawn: two steps away), p5, p2 (where p4 was), p3, p4 (where p2 was), p1.
    k = {d: f"p{p[d].pk}" for d in p}
    assert drawn == [(k[5], k[5]), (k[2], k[4]), (k[3], k[3]), (k[4], k[2]), (k[1], k[1])]
    tiles = dict(zip([t for t, _ in drawn], re.split(r'<li class="tile ', html)[1:], strict=True))
    assert f'name="target" value="{p[2].pk}"><input type="hidden" name="target_version" value="2"' in tiles[k[5]]
    assert f'name="target" value="{p[4].pk}"><input type="hidden" name="target_version" value="2"' in tiles[k[1]]
    assert 'name="csrfmiddlewaretoken"' in tiles[k[3]]
    assert Post.objects.get(pk=p[2].pk).publish_at == NOW + timedelta(days=4)
    # The same drop again, from the page before the swap (stale versions): refused, and the whole grid comes back
    # as it is, with the calendar's conflict message.
    r = c.post(url, swap_form(p[4], p[2]), HTTP_X_GRID="1")
    html = r.content.decode()
    assert r.status_code == 409 and 'id="grid-body"' in html and "Someone else changed this post" in html


def test_an_htmx_swap_with_a_stale_version_answers_409_with_the_calendars_message(login, workspace, account, social):
    a, b = planned(workspace, account, 1), planned(workspace, account, 2)
    url = reverse("scheduler:grid_swap", kwargs={"ws": workspace.slug, "account": account.pk})
    r = login(social).post(url, swap_form(a, b, target_version=7), HTTP_HX_REQUEST="true")
    assert r.status_code == 409
    html = r.content.decode()
    assert 'id="grid-body"' in html and "Someone else changed this post" in html
    assert Post.objects.get(pk=a.pk).publish_at == NOW + timedelta(days=1)
    r = login(social).post(url, {"post": a.pk}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422


def test_a_draft_dropped_on_a_free_slot_takes_its_time_and_stays_a_draft(login, workspace, account, social):
    draft = PostFactory(workspace=workspace, account=account, status=S.DRAFT)
    slot = datetime(2027, 5, 4, 7, 0, tzinfo=UTC)
    url = reverse("scheduler:grid_place", kwargs={"ws": workspace.slug, "account": account.pk})
    r = login(social).post(url, {"post": draft.pk, "version": draft.version, "slot": int(slot.timestamp())})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.publish_at == slot and draft.status == S.DRAFT
    with pytest.raises(TransitionError):
        grid_place(user=social, post=draft, publish_at=slot + timedelta(days=1), expected_version=None)


def test_show_in_grid_draws_the_composer_post_among_its_neighbours(login, workspace, account, social):
    before, after = planned(workspace, account, 1), planned(workspace, account, 3)
    pic = asset(workspace, 1910, 1000)
    q = {"account": account.pk, "kind": "feed", "when": "at", "publish_at": "2027-05-05T12:00", "item_asset": pic.pk}
    r = login(social).get(reverse("scheduler:grid_preview", kwargs={"ws": workspace.slug}), q)
    assert r.status_code == 200
    html = r.content.decode()
    assert tile_keys(html) == [f"p{after.pk}", "preview", f"p{before.pk}"]
    assert thumb(workspace, pic) in html and "1.91:1" in html
    r = login(social).get(reverse("scheduler:grid_preview", kwargs={"ws": workspace.slug}), {**q, "kind": "story"})
    assert "Stories do not appear on the profile grid" in r.content.decode()


def test_the_composer_offers_show_in_grid(login, workspace, account, social):
    r = login(social).get(reverse("scheduler:post_create", kwargs={"ws": workspace.slug}))
    html = r.content.decode()
    assert r.status_code == 200 and "Show in grid" in html
    assert reverse("scheduler:grid_preview", kwargs={"ws": workspace.slug}) in html and 'id="grid-preview"' in html
