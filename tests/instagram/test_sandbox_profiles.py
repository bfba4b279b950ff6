"""Archive scenarios over HTTP: generated profiles, pinned posts, paginated discovery and /me/media, deletions, renames."""

from __future__ import annotations

from collections import Counter

import pytest

from instagram import errors
from instagram.sandbox.testing import RunningSandbox

pytestmark = pytest.mark.sandbox


def discover_all(client, ig_id, username, *, limit):
    """Every page of the profile's media, following cursors; returns (profile, items, pages)."""
    items, pages, after = [], 0, None
    while True:
        result = client.business_discovery_page(ig_id, username, after=after, limit=limit)
        items += result.page.data
        pages += 1
        if not result.page.has_next:
            return result.profile, items, pages
        after = result.page.after


def test_generated_profile_pages_with_pinned_posts_first(sandbox, client, ig_id):
    summary = sandbox.add_profile("gallery_230", posts=230, pinned=3)
    assert summary["media_count"] == 230 and len(summary["pinned"]) == 3

    profile, items, pages = discover_all(client, ig_id, "gallery_230", limit=50)

    assert pages == 5 and profile["media_count"] == 230 and profile["id"] == summary["ig_user_id"]
    ids = [m["id"] for m in items]
    assert len(set(ids)) == 230 and ids == summary["media_ids"]
    # Pinned posts come first although they are older than the newest posts, which follow newest first.
    assert ids[:3] == summary["pinned"]
    rest = [m["timestamp"] for m in items[3:]]
    assert rest == sorted(rest, reverse=True) and all(items[k]["timestamp"] < rest[0] for k in range(3))
    kinds = Counter((m["media_type"], m.get("media_product_type")) for m in items)
    assert kinds[("CAROUSEL_ALBUM", "FEED")] and kinds[("VIDEO", "REELS")] and kinds[("IMAGE", "FEED")]
    carousel = next(m for m in items if m["media_type"] == "CAROUSEL_ALBUM")
    assert len(carousel["children"]["data"]) >= 2 and all(c.get("media_url") for c in carousel["children"]["data"])
    video = next(m for m in items if m["media_type"] == "VIDEO")
    assert video["thumbnail_url"].endswith(f"/cdn/t/{video['id']}.jpg") and video["media_url"].endswith(".mp4")


def test_cursor_resumes_where_a_page_ended(sandbox, client, ig_id):
    sandbox.add_profile("resumable", posts=60, pinned=2)
    first = client.business_discovery_page(ig_id, "resumable", limit=25)
    resumed = client.business_discovery_page(ig_id, "resumable", after=first.page.after, limit=25)
    whole = [m["id"] for m in client.business_discovery_media(ig_id, "resumable", limit=50)]
    assert [m["id"] for m in first.page.data + resumed.page.data] == whole[:50]


def test_new_posts_land_after_the_pinned_ones(sandbox, client, ig_id):
    before = sandbox.add_profile("pinner", posts=40, pinned=3)
    new = sandbox.add_posts("pinner", 2, kind="carousel")
    top = [m["id"] for m in client.business_discovery_page(ig_id, "pinner", limit=6).page.data]
    assert top == before["pinned"] + list(reversed(new)) + [before["media_ids"][3]]
    # Pinning the newest post puts it on top and pushes the oldest pin out (Instagram keeps 3).
    [fresh] = sandbox.add_posts("pinner", 1, kind="reel", pin=True)
    assert sandbox.profile("pinner")["pinned"] == [fresh, *before["pinned"][:2]]
    reel = client.business_discovery_page(ig_id, "pinner", limit=1).page.data[0]
    assert (reel["id"], reel["media_type"], reel["media_product_type"]) == (fresh, "VIDEO", "REELS")


def test_deleted_post_disappears_and_is_reported(sandbox, client, ig_id):
    summary = sandbox.add_profile("deleter", posts=30)
    gone = summary["media_ids"][4]
    sandbox.delete_media(gone)
    _profile, items, _pages = discover_all(client, ig_id, "deleter", limit=10)
    assert gone not in {m["id"] for m in items} and len(items) == 29
    assert sandbox.profile("deleter")["deleted"] == [gone]


def test_renamed_profile_keeps_its_id(sandbox, client, ig_id):
    summary = sandbox.add_profile("old_name", posts=12)
    sandbox.rename("old_name", "new_name")
    with pytest.raises(errors.ProfileNotFound):
        client.business_discovery_profile(ig_id, "old_name")
    renamed = client.business_discovery_profile(ig_id, "new_name")
    assert (renamed["id"], renamed["username"], renamed["media_count"]) == (summary["ig_user_id"], "new_name", 12)
    assert "media" not in renamed  # the profile alone: no media edge asked for


def test_missing_personal_and_invalid_usernames(sandbox, client, ig_id):
    sandbox.add_profile("just_me", posts=5, business=False)
    with pytest.raises(errors.ProfileNotFound) as missing:
        client.business_discovery_profile(ig_id, "nobody_at_all")
    with pytest.raises(errors.ProfileNotFound) as personal:
        client.business_discovery_profile(ig_id, "just_me")
    assert missing.value.subcode == personal.value.subcode == 2207013
    assert "cannot be found" in missing.value.user_message
    assert "not an Instagram Business or Creator account" in personal.value.user_message
    with pytest.raises(ValueError):
        client.business_discovery_profile(ig_id, "not a name!")


def test_creator_accounts_are_discoverable(sandbox, client, ig_id):
    sandbox.add_profile("a_creator", posts=3, creator=True)
    assert sandbox.profile("a_creator")["account_type"] == "MEDIA_CREATOR"
    assert client.business_discovery_profile(ig_id, "a_creator")["media_count"] == 3


def test_licensed_audio_withholds_media_url(sandbox, client, ig_id):
    sandbox.add_profile("music_reels", posts=40, licensed_audio=1.0)
    items = list(client.business_discovery_media(ig_id, "music_reels", limit=50))
    videos = [m for m in items if m["media_type"] == "VIDEO"]
    assert videos and all("media_url" not in m and m["thumbnail_url"] for m in videos)
    image = next(m for m in items if m["media_type"] == "IMAGE")
    sandbox.patch_media(image["id"], media_url_withheld=True, like_count=999)
    again = next(m for m in client.business_discovery_media(ig_id, "music_reels", limit=50) if m["id"] == image["id"])
    assert "media_url" not in again and again["like_count"] == 999


def test_own_account_history_through_me_media(sandbox, client, ig_id):
    history = sandbox.generate_history(ig_id, posts=60, pinned=2)
    assert history["media_count"] == 60
    pages, after = [], None
    while True:
        page = client.media_page(after=after, limit=25)
        pages.append(page)
        if not page.has_next:
            break
        after = page.after
    ids = [m["id"] for p in pages for m in p.data]
    assert len(pages) == 3 and ids == history["media_ids"] and ids[:2] == history["pinned"]
    carousel = next(m for p in pages for m in p.data if m["media_type"] == "CAROUSEL_ALBUM")
    children = client.media_children(carousel["id"])
    assert [c["id"] for c in children] == [c["id"] for c in carousel["children"]["data"]]
    assert all(c["media_type"] in ("IMAGE", "VIDEO") and c["media_url"] for c in children)


def test_own_account_new_posts_and_rename(sandbox, client, ig_id):
    sandbox.generate_history(ig_id, posts=10)
    new = sandbox.add_posts("acme_brand", 2)
    assert [m["id"] for m in client.media_page(limit=2).data] == list(reversed(new))
    sandbox.rename("acme_brand", "acme_renamed")
    assert client.me()["username"] == "acme_renamed" and client.me()["id"] == ig_id


def test_profile_edits_survive_a_restart(tmp_path):
    state = str(tmp_path / "state.json")
    with RunningSandbox(state_file=state) as sb:
        summary = sb.add_profile("durable", posts=20, pinned=1)
        new = sb.add_posts("durable", 1, kind="carousel")
        sb.pin("durable", [summary["media_ids"][10]])
        sb.rename("durable", "durable_two")
        sb.delete_media(summary["media_ids"][5])
        before = sb.profile("durable_two")
    with RunningSandbox(state_file=state) as sb:
        after = sb.profile("durable_two")
    assert after == before and after["pinned"] == [summary["media_ids"][10]] and new[0] in after["media_ids"]


def test_control_rejects_bad_profile_requests(sandbox):
    sandbox.add_profile("strict", posts=5)
    for path, body in [("profiles/strict/pin", {"media_ids": ["123"]}), ("profiles/strict/posts", {"kind": "story"}),
                       ("media/999/x", {})]:
        with pytest.raises(Exception) as info:
            sandbox.control("POST", path, body)
        assert info.value.response.status_code in (400, 404)


def test_discovery_can_require_facebook_login(sandbox, client, ig_id):
    sandbox.configure(discovery_needs_facebook_login=True)
    with pytest.raises(errors.GraphAPIError) as info:
        client.business_discovery_profile(ig_id, "lumen_studio")
    assert info.value.code == 100 and "business_discovery" in info.value.message
    fb = sandbox.create_account("fb_brand", login="facebook")
    profile = sandbox.graph_client(fb["access_token"], login="facebook").business_discovery_profile(
        fb["ig_user_id"], "lumen_studio")
    assert profile["username"] == "lumen_studio"
