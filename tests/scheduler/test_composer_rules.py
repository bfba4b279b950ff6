"""One source for Instagram's rules: what the composer shows while typing is what the services refuse."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from scheduler import instagram_rules
from scheduler.services import compose as compose_svc
from tests.scheduler.post_factories import MediaAssetFactory

pytestmark = pytest.mark.usefixtures("frozen_now")

ROOT = Path(__file__).resolve().parents[2]


def check(client, workspace, **data):
    response = client.post(reverse("scheduler:compose_check", kwargs={"ws": workspace.slug}), data,
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def save(social, workspace, account, caption):
    asset = MediaAssetFactory(workspace=workspace)
    return compose_svc.post_create(user=social, workspace=workspace, account=account, kind="feed", caption=caption,
                                asset_ids=[asset.pk])


def test_changing_a_rule_in_one_place_changes_the_live_check_and_the_server(login, social, workspace, account,
                                                                            monkeypatch):
    client = login(social)
    caption = "Four tags #a #b #c #d"
    assert "hashtags; Instagram allows" not in check(client, workspace, account=account.pk, kind="feed",
                                                     caption=caption)
    save(social, workspace, account, caption)  # accepted under Instagram's 30

    stricter = tuple(dataclasses.replace(r, limit=3) if r.key == "hashtags" else r for r in instagram_rules.CAPTION_RULES)
    monkeypatch.setattr(instagram_rules, "CAPTION_RULES", stricter)

    live = check(client, workspace, account=account.pk, kind="feed", caption=caption)
    assert "The caption has 4 hashtags; Instagram allows at most 3." in live
    assert 'data-rule="hashtags">4 / 3 hashtags' in live and 'class="counter over"' in live
    with pytest.raises(ValidationError) as refused:
        save(social, workspace, account, caption)
    assert refused.value.message_dict["caption"] == ["The caption has 4 hashtags; Instagram allows at most 3."]


def test_live_messages_are_the_services_messages_for_every_field(login, social, workspace, account):
    one = MediaAssetFactory(workspace=workspace)
    live = check(client=login(social), workspace=workspace, account=account.pk, kind="carousel",
                 item_asset=[one.pk], caption="@" + " @".join(f"u{i}" for i in range(21)),
                 collaborators="a, b, c, d", when="at", publish_at="2027-05-03T09:00")
    expected = instagram_rules.post_problems(
        workspace=workspace, account=account, kind="carousel", caption="@" + " @".join(f"u{i}" for i in range(21)),
        assets=[one], publish_at=datetime(2027, 5, 3, 7, 0, tzinfo=UTC), check_publish_at=True, rrule="",
        collaborators=["a", "b", "c", "d"], user_tags=[])
    assert set(expected) == {"asset_ids", "caption", "collaborators", "publish_at"}
    for field, messages in expected.items():
        fragment = live.split(f'id="msgs-{field}"')[1].split("</div>")[0]
        for message in messages:
            assert message.replace("“", "&ldquo;") in fragment or message in fragment, (field, message)


def test_story_extras_are_refused_live_and_on_save(login, social, workspace, account):
    asset = MediaAssetFactory(workspace=workspace)
    live = check(login(social), workspace, account=account.pk, kind="story", item_asset=[asset.pk],
                 user_tags="friend", location_id="12345", first_comment="hello")
    assert "Stories can&#x27;t tag people" in live and "Stories can&#x27;t carry a location" in live
    with pytest.raises(ValidationError) as refused:
        compose_svc.post_create(user=social, workspace=workspace, account=account, kind="story", caption="",
                             asset_ids=[asset.pk], user_tags=[{"username": "friend", "x": 0.5, "y": 0.5}])
    assert "user_tags" in refused.value.message_dict


def test_no_rule_is_copied_into_javascript():
    js = (ROOT / "static/js/composer.js").read_text()
    template = (ROOT / "templates/scheduler/posts/form.html").read_text()
    for number in (str(instagram_rules.CAPTION_MAX), str(instagram_rules.HASHTAGS_MAX), str(instagram_rules.MENTIONS_MAX)):
        assert number not in js
    assert "<script>" not in template  # the old inline counter (a second copy of the hashtag regex) is gone
    assert "match(" not in js


def test_live_check_policy(login, client_user, outsider, workspace, account):
    url = reverse("scheduler:compose_check", kwargs={"ws": workspace.slug})
    assert login(client_user).post(url, {"caption": "x"}).status_code == 403
    assert login(outsider).post(url, {"caption": "x"}).status_code == 404


def test_carousel_tags_are_refused_rather_than_dropped_at_publish(login, social, workspace, account):
    a, b = MediaAssetFactory(workspace=workspace), MediaAssetFactory(workspace=workspace)
    live = check(login(social), workspace, account=account.pk, kind="carousel", item_asset=[a.pk, b.pk],
                 user_tags="friend")
    assert "tagged on a carousel" in live.split('id="msgs-user_tags"')[1].split("</div>")[0]
    with pytest.raises(ValidationError) as refused:
        compose_svc.post_create(user=social, workspace=workspace, account=account, kind="carousel", caption="",
                             asset_ids=[a.pk, b.pk], user_tags=[{"username": "friend", "x": 0.5, "y": 0.5}])
    assert "user_tags" in refused.value.message_dict
