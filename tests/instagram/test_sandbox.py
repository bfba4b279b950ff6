"""Sandbox-specific behaviour: downloads, quota, expiry via the clock, discovery, ledger, persistence."""

from __future__ import annotations

import pytest
import requests

from instagram import errors
from instagram.sandbox.fields import parse_fields
from instagram.sandbox.testing import RunningSandbox

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize(("url_kw", "cls", "subcode"), [
    ({"fmt": "PNG"}, errors.PermanentMediaError, 2207005),
    ({"w": 1080, "h": 1920}, errors.PermanentMediaError, 2207009),
    ({"w": 400, "h": 400, "pad": 9 * 1024 * 1024}, errors.PermanentMediaError, 2207004),
])
def test_image_download_checks(sandbox, client, ig_id, url_kw, cls, subcode):
    with pytest.raises(cls) as info:
        client.create_image_container(ig_id, sandbox.image_url(**url_kw))
    assert info.value.subcode == subcode


def test_unreachable_url(client, ig_id):
    with pytest.raises(errors.PermanentMediaError) as info:
        client.create_image_container(ig_id, "http://127.0.0.1:9/nothing.jpg")
    assert info.value.subcode == 2207052


def test_caption_limits(sandbox, client, ig_id):
    with pytest.raises(errors.PermanentMediaError):
        client.create_image_container(ig_id, sandbox.image_url(), caption="x" * 2201)
    with pytest.raises(errors.PermanentMediaError):
        client.create_image_container(ig_id, sandbox.image_url(), caption=" ".join(f"#t{i}" for i in range(31)))
    with pytest.raises(errors.PermanentMediaError) as info:
        client.create_image_container(ig_id, sandbox.image_url(), caption=" ".join(f"@u{i}" for i in range(21)))
    assert info.value.subcode == 2207040


def test_carousel_size(sandbox, client, ig_id):
    kid = client.create_carousel_item(ig_id, image_url=sandbox.image_url())
    with pytest.raises(errors.PermanentMediaError) as info:
        client.create_carousel_container(ig_id, [kid])
    assert info.value.subcode == 2207028


def test_bad_video_container_goes_to_error(sandbox, client, ig_id):
    cid = client.create_reel_container(ig_id, sandbox.image_url())  # a JPEG is not a video
    sandbox.advance_clock(1)
    status = client.container_status(cid)
    assert status.status_code == "ERROR" and status.subcode == 2207026
    with pytest.raises(errors.PermanentMediaError):
        client.media_publish(ig_id, cid)


def test_moving_quota(sandbox, client, ig_id):
    sandbox.configure(quota_total=2)
    for _ in range(2):
        client.media_publish(ig_id, client.create_image_container(ig_id, sandbox.image_url()))
    cid = client.create_image_container(ig_id, sandbox.image_url())
    with pytest.raises(errors.PublishingLimitReached):
        client.media_publish(ig_id, cid)
    sandbox.advance_clock(86400 + 1)
    with pytest.raises(errors.NeedsNewContainer):  # the container expired meanwhile
        client.media_publish(ig_id, cid)
    client.media_publish(ig_id, client.create_image_container(ig_id, sandbox.image_url()))
    assert client.content_publishing_limit(ig_id).quota_usage == 1


def test_publishing_twice_is_refused_and_ledger_has_one_entry(sandbox, client, ig_id):
    cid = client.create_image_container(ig_id, sandbox.image_url(), caption="once")
    media_id = client.media_publish(ig_id, cid)
    with pytest.raises(errors.GraphAPIError, match="already published"):
        client.media_publish(ig_id, cid)
    [entry] = sandbox.ledger(ig_id)
    assert (entry["container_id"], entry["media_id"], entry["caption"]) == (cid, media_id, "once")


def test_token_lifetimes_scale(sandbox):
    sandbox.configure(time_scale=0.0001)  # 60 days → ~8.6 minutes, 24 h → ~8.6 s
    acct = sandbox.create_account("scaled")
    assert acct["expires_in"] <= 520
    oauth = sandbox.oauth_client()
    with pytest.raises(errors.GraphAPIError, match="24 hours"):
        oauth.refresh(acct["access_token"])
    sandbox.advance_clock(10)
    fresh = oauth.refresh(acct["access_token"])
    sandbox.advance_clock(600)
    with pytest.raises(errors.TokenInvalid):
        oauth.refresh(fresh.access_token)


def test_discovery_of_missing_or_personal_profile(client, ig_id):
    for name in ("nobody_here", "quiet_person"):
        with pytest.raises(errors.GraphAPIError) as info:
            client.business_discovery(ig_id, name)
        assert info.value.subcode == 2207013 and name in info.value.user_message


def test_discovery_sees_new_and_deleted_posts(sandbox, client, ig_id):
    first = next(client.business_discovery_media(ig_id, "lumen_studio", limit=5))
    new_ids = sandbox.control("POST", "profiles/lumen_studio/posts", {"count": 2})["ids"]
    sandbox.delete_media(first["id"])
    ids = [m["id"] for m in client.business_discovery_media(ig_id, "lumen_studio", limit=10)]
    assert ids[:2] == list(reversed(new_ids)) and first["id"] not in ids and len(ids) == 25


def test_cdn_serves_generated_media(sandbox, client, ig_id):
    media = list(client.business_discovery_media(ig_id, "atlas_outdoors", limit=50))
    image = next(m for m in media if m["media_type"] == "IMAGE")
    resp = requests.get(image["media_url"], timeout=5)
    assert resp.headers["Content-Type"] == "image/jpeg" and resp.content[:2] == b"\xff\xd8"
    carousel = next(m for m in media if m["media_type"] == "CAROUSEL_ALBUM")
    assert len(carousel["children"]["data"]) >= 2
    assert requests.get(image["media_url"], timeout=5).content == resp.content  # deterministic and cached


def test_large_profile_option(sandbox, client, ig_id):
    sandbox.configure(large_profile=True)
    profile = client.business_discovery(ig_id, "megabrand", limit=1)
    assert profile["media_count"] == 2000
    assert len(sandbox.sandbox.public_media) >= 3000


def test_latency_and_probability_faults(sandbox, client):
    import time

    sandbox.set_latency("profile", 200)
    started = time.monotonic()
    client.me()
    assert time.monotonic() - started >= 0.2
    sandbox.inject_fault("profile", code=2, probability=0.0)
    client.me()  # a fault with probability 0 never fires
    sandbox.inject_fault("profile", code=2, times=2)
    for _ in range(2):
        with pytest.raises(errors.Transient):
            client.me()
    client.me()


def test_oauth_html_page_with_unticked_permission(sandbox):
    oauth = sandbox.oauth_client("http://testserver/cb")
    page = requests.get(oauth.authorize_url(["instagram_business_basic", "instagram_business_content_publish"], "s"), timeout=5)
    assert 'id="allow"' in page.text and 'id="deny"' in page.text
    form = {"client_id": "sandbox-app", "redirect_uri": "http://testserver/cb", "state": "s", "login": "instagram",
            "scope": "instagram_business_basic,instagram_business_content_publish", "sandbox_username": "form_user",
            "grant": "instagram_business_basic", "decision": "allow"}
    location = requests.post(f"{sandbox.url}/oauth/authorize/decide", data=form, allow_redirects=False, timeout=5).headers["Location"]
    token = oauth.exchange_code(location.split("code=")[1].split("&")[0])
    assert token.permissions == ["instagram_business_basic"]
    with pytest.raises(errors.PermissionDenied):
        sandbox.graph_client(oauth.exchange_long_lived(token.access_token).access_token).create_image_container(
            token.user_id, sandbox.image_url())


def test_state_file_survives_restart(tmp_path):
    state = str(tmp_path / "state.json")
    with RunningSandbox(state_file=state) as sb:
        acct = sb.create_account("persisted")
        client = sb.graph_client(acct["access_token"])
        client.media_publish(acct["ig_user_id"], client.create_image_container(acct["ig_user_id"], sb.image_url()))
    with RunningSandbox(state_file=state) as sb:
        assert sb.graph_client(acct["access_token"]).me()["username"] == "persisted"
        assert len(sb.ledger()) == 1


def test_quota_and_container_limit_count_each_account_alone_across_reset_and_restart(tmp_path):
    """The per-account counts (Instagram's 100 posts / 24 h, 400 containers / 24 h) are kept per account, so a
    call does not scan every account's rows; they stay right after a reset and a restart from the state file."""
    state = str(tmp_path / "state.json")
    with RunningSandbox({"quota_total": 2, "container_limit": 3}, state_file=state) as sb:
        a, b = sb.create_account("first_brand"), sb.create_account("second_brand")
        ca, cb = sb.graph_client(a["access_token"]), sb.graph_client(b["access_token"])
        for _ in range(2):
            ca.media_publish(a["ig_user_id"], ca.create_image_container(a["ig_user_id"], sb.image_url()))
        cb.media_publish(b["ig_user_id"], cb.create_image_container(b["ig_user_id"], sb.image_url()))
        assert ca.content_publishing_limit(a["ig_user_id"]).quota_usage == 2
        assert cb.content_publishing_limit(b["ig_user_id"]).quota_usage == 1
        spare = ca.create_image_container(a["ig_user_id"], sb.image_url())  # a's third container: the limit
        with pytest.raises(errors.PublishingLimitReached):
            ca.media_publish(a["ig_user_id"], spare)
        with pytest.raises(errors.GraphAPIError):
            ca.create_image_container(a["ig_user_id"], sb.image_url())
        cb.create_image_container(b["ig_user_id"], sb.image_url())  # b has made two: allowed
    with RunningSandbox(state_file=state) as sb:
        ca = sb.graph_client(a["access_token"])
        assert ca.content_publishing_limit(a["ig_user_id"]).quota_usage == 2
        with pytest.raises(errors.GraphAPIError):
            ca.create_image_container(a["ig_user_id"], sb.image_url())
        sb.reset({"quota_total": 2, "container_limit": 3})
        acct = sb.create_account("first_brand")
        client = sb.graph_client(acct["access_token"])
        client.media_publish(acct["ig_user_id"], client.create_image_container(acct["ig_user_id"], sb.image_url()))
        assert client.content_publishing_limit(acct["ig_user_id"]).quota_usage == 1


def test_fields_parser():
    [bd] = parse_fields("business_discovery.username(acme){followers_count,media.after(QV).limit(5){id,children{media_url}}}")
    assert bd.args == {"username": "acme"}
    media = bd.children[1]
    assert (media.name, media.args, media.children[1].children[0].name) == ("media", {"after": "QV", "limit": "5"}, "media_url")
