"""Compose-time checks against Instagram's rules: each one refuses with its own message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from scheduler.models import Post
from scheduler.services import compose as compose_svc
from tests.factories import InstagramAccountFactory
from tests.scheduler.post_factories import MediaAssetFactory
from tests.scheduler.post_fixtures import NOW

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def compose(social, workspace, account):
    def _compose(**kw):
        if "asset_ids" not in kw:
            kw["asset_ids"] = [MediaAssetFactory(workspace=workspace).pk]
        args = {"user": social, "workspace": workspace, "account": account, "kind": "feed", "caption": "Hi", **kw}
        return compose_svc.post_create(**args)

    return _compose


def errors_of(exc_info) -> dict[str, list[str]]:
    return exc_info.value.message_dict


def refused(compose, field, **kw) -> str:
    with pytest.raises(ValidationError) as exc:
        compose(**kw)
    assert Post.objects.count() == 0
    return " ".join(errors_of(exc)[field])


def test_caption_too_long(compose):
    assert "2,201 characters; Instagram allows at most 2,200" in refused(compose, "caption", caption="x" * 2201)


def test_too_many_hashtags(compose):
    caption = " ".join(f"#tag{i}" for i in range(31))
    assert "31 hashtags; Instagram allows at most 30" in refused(compose, "caption", caption=caption)


def test_too_many_mentions(compose):
    caption = " ".join(f"@user{i}" for i in range(21))
    assert "mentions 21 accounts; Instagram allows at most 20 @mentions" in refused(compose, "caption",
                                                                                     caption=caption)


def test_thirty_hashtags_and_twenty_mentions_are_fine(compose):
    caption = " ".join(f"#t{i}" for i in range(30)) + " " + " ".join(f"@u{i}" for i in range(20)) + " C# rocks"
    compose(caption=caption)
    assert Post.objects.get().caption == caption  # stored as written, nothing refused


def test_feed_takes_exactly_one_image(compose, workspace):
    two = [MediaAssetFactory(workspace=workspace).pk for _ in range(2)]
    assert "exactly one image; 2 media items" in refused(compose, "asset_ids", asset_ids=two)
    video = MediaAssetFactory(workspace=workspace, video=True)
    assert "choose the reel kind" in refused(compose, "asset_ids", asset_ids=[video.pk])


def test_carousel_takes_two_to_ten(compose, workspace):
    one = [MediaAssetFactory(workspace=workspace).pk]
    assert "2 to 10 media items; 1 were chosen" in refused(compose, "asset_ids", kind="carousel", asset_ids=one)
    eleven = [MediaAssetFactory(workspace=workspace).pk for _ in range(11)]
    assert "11 were chosen" in refused(compose, "asset_ids", kind="carousel", asset_ids=eleven)
    ok = [MediaAssetFactory(workspace=workspace).pk for _ in range(3)]
    assert compose(kind="carousel", asset_ids=ok).items.count() == 3


def test_reel_takes_one_video(compose, workspace):
    image = MediaAssetFactory(workspace=workspace)
    assert "A reel takes a video" in refused(compose, "asset_ids", kind="reel", asset_ids=[image.pk])
    video = MediaAssetFactory(workspace=workspace, video=True)
    assert compose(kind="reel", asset_ids=[video.pk]).kind == "reel"


def test_story_takes_one_item(compose, workspace):
    two = [MediaAssetFactory(workspace=workspace).pk for _ in range(2)]
    assert "A story takes exactly one image or video; 2" in refused(compose, "asset_ids", kind="story",
                                                                      asset_ids=two)


def test_unsuitable_asset_names_the_reasons(compose, workspace):
    asset = MediaAssetFactory(workspace=workspace, title="Wide banner", suitability={
        "feed": {"ok": False, "reasons": ["aspect ratio 3:1 is outside 4:5 … 1.91:1"]}})
    msg = refused(compose, "asset_ids", asset_ids=[asset.pk])
    assert "“Wide banner”" in msg and "can't be used in a feed image: aspect ratio 3:1 is outside" in msg


def test_collaborators(compose):
    msg = refused(compose, "collaborators", collaborators=["a", "b", "c", "d"])
    assert "4 collaborators were given; Instagram allows at most 3" in msg
    assert "Stories can't have collaborators" in refused(compose, "collaborators", kind="story", collaborators=["a"])


def test_publish_at_in_the_past_names_the_workspace_timezone(compose):
    msg = refused(compose, "publish_at", publish_at=NOW - timedelta(minutes=30))
    assert msg.startswith("2027-05-03 09:30 (Europe/Berlin) is in the past")
    assert "it is now 2027-05-03 10:00 (Europe/Berlin)" in msg


def test_rrule_checked(compose):
    msg = refused(compose, "rrule", publish_at=NOW + timedelta(days=1), rrule="FREQ=MINUTELY")
    assert "more often than hourly is not allowed" in msg
    assert "needs a first publish time" in refused(compose, "rrule", rrule="FREQ=DAILY")
    post = compose(publish_at=NOW + timedelta(days=1), rrule="FREQ=WEEKLY;BYDAY=TU")
    assert post.rrule and post.occurrence_at == post.publish_at


def test_account_of_another_workspace(compose, other_workspace):
    foreign = InstagramAccountFactory(workspace=other_workspace)
    assert "not connected to this workspace" in refused(compose, "account", account=foreign)


def test_asset_of_another_workspace(compose, other_workspace):
    foreign = MediaAssetFactory(workspace=other_workspace)
    assert f"Media item(s) {foreign.pk} are not in this workspace's library" in refused(
        compose, "asset_ids", asset_ids=[foreign.pk])


def test_edit_is_checked_too(compose, social):
    post = compose()
    with pytest.raises(ValidationError, match="2,200"):
        compose_svc.post_update(user=social, post=post, expected_version=post.version, caption="y" * 2300)
    post.refresh_from_db()
    assert post.caption == "Hi" and post.version == 1
