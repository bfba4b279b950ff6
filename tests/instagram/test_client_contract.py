"""The client against the live sandbox over HTTP: every call, pagination, and every error class."""

from __future__ import annotations

import time

import pytest

from instagram import errors

pytestmark = pytest.mark.sandbox


def _publish_image(sandbox, client, ig_id, caption="hello"):
    cid = client.create_image_container(ig_id, sandbox.image_url(1080, 1350), caption=caption)
    return client.media_publish(ig_id, cid)


def test_profile_me_and_by_id(client, ig_id):
    me = client.me()
    assert me["username"] == "acme_brand" and me["id"] == ig_id
    by_id = client.profile(ig_id, "id,username,followers_count,media_count")
    assert by_id["media_count"] == 0 and "followers_count" in by_id


def test_image_post_with_every_option_then_comment(sandbox, client, ig_id):
    cid = client.create_image_container(
        ig_id, sandbox.image_url(1080, 1080), caption="Launch #new @friend", alt_text="a red square",
        collaborators=["partner"], user_tags=[{"username": "friend", "x": 0.3, "y": 0.6}], location_id="1234567",
    )
    assert client.container_status(cid).status_code == "FINISHED"
    media_id = client.media_publish(ig_id, cid)
    assert client.container_status(cid).status_code == "PUBLISHED"
    media = client.get_media(media_id)
    assert media["caption"] == "Launch #new @friend" and media["media_type"] == "IMAGE"
    assert media["alt_text"] == "a red square" and media["timestamp"].endswith("+0000")
    comment_id = client.post_comment(media_id, "First comment with more #tags")
    assert [c["id"] for c in client.list_comments(media_id)] == [comment_id]


def test_carousel(sandbox, client, ig_id):
    kids = [client.create_carousel_item(ig_id, image_url=sandbox.image_url(1080, 1080)) for _ in range(3)]
    parent = client.create_carousel_container(ig_id, kids, caption="three")
    media = client.get_media(client.media_publish(ig_id, parent))
    assert media["media_type"] == "CAROUSEL_ALBUM" and len(media["children"]["data"]) == 3


def test_reel_goes_in_progress_then_finished(sandbox, client, ig_id):
    cid = client.create_reel_container(ig_id, sandbox.image_url(fmt="MP4", pad=1000), caption="reel",
                                       thumb_offset=1000, share_to_feed=True)
    assert client.container_status(cid).status_code == "IN_PROGRESS"
    with pytest.raises(errors.NotReady):
        client.media_publish(ig_id, cid)
    time.sleep(0.35)
    assert client.container_status(cid).status_code == "FINISHED"
    media = client.get_media(client.media_publish(ig_id, cid), "id,media_type,media_product_type")
    assert (media["media_type"], media["media_product_type"]) == ("VIDEO", "REELS")


def test_story(sandbox, client, ig_id):
    cid = client.create_story_container(ig_id, image_url=sandbox.image_url(1080, 1920))
    media = client.get_media(client.media_publish(ig_id, cid), "id,media_product_type")
    assert media["media_product_type"] == "STORY"
    assert list(client.list_media(ig_id)) == []  # stories are not in /media


def test_publishing_limit(sandbox, client, ig_id):
    _publish_image(sandbox, client, ig_id)
    limit = client.content_publishing_limit(ig_id, since=int(time.time()) - 3600)
    assert (limit.quota_usage, limit.quota_total, limit.remaining) == (1, 50, 49)


def test_list_media_follows_cursors(sandbox, client, ig_id):
    ids = [_publish_image(sandbox, client, ig_id, f"post {i}") for i in range(5)]
    pages = list(client.list_media_pages(ig_id, fields="id,caption", limit=2))
    assert [len(p.data) for p in pages] == [2, 2, 1]
    assert pages[-1].next_url is None
    assert [m["id"] for m in client.list_media(ig_id, limit=2)] == list(reversed(ids))


def test_business_discovery_nested_pagination(client, ig_id):
    profile = client.business_discovery(ig_id, "harbor_books", limit=7)
    assert profile["username"] == "harbor_books" and profile["media_count"] == 30
    pages = list(client.business_discovery_pages(ig_id, "harbor_books", limit=7))
    assert [len(p.data) for _, p in pages] == [7, 7, 7, 7, 2]
    ids = [m["id"] for _, p in pages for m in p.data]
    assert len(set(ids)) == 30


def test_insights(sandbox, client, ig_id):
    values = client.media_insights(_publish_image(sandbox, client, ig_id), ["reach", "likes", "total_interactions"])
    assert set(values) == {"reach", "likes", "total_interactions"} and all(isinstance(v, int) for v in values.values())


def test_insights_missing_data_is_none_not_zero(sandbox, client, ig_id):
    sandbox.configure(insights_lag=3600)
    values = client.media_insights(_publish_image(sandbox, client, ig_id), ["reach", "shares"])
    assert values == {"reach": None, "shares": None}


def test_oauth_full_flow(sandbox):
    import requests

    oauth = sandbox.oauth_client("http://testserver/cb")
    url = oauth.authorize_url(["instagram_business_basic", "instagram_business_content_publish"], "xyz")
    location = requests.get(url + "&sandbox_auto=allow", allow_redirects=False).headers["Location"]
    from urllib.parse import parse_qs, urlsplit

    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["state"] == "xyz" and location.endswith("#_")
    short = oauth.exchange_code(query["code"] + "#_")  # a pasted code keeps Instagram's "#_"; the client strips it
    assert short.permissions == ["instagram_business_basic", "instagram_business_content_publish"]
    long = oauth.exchange_long_lived(short.access_token)
    assert long.expires_in and long.expires_in > 59 * 86400
    sandbox.advance_clock(86400 + 5)
    refreshed = oauth.refresh(long.access_token)
    assert refreshed.access_token != long.access_token
    assert sandbox.graph_client(refreshed.access_token).me()["user_id"] == short.user_id


@pytest.mark.parametrize("shape", ["wrapped", "flat", "flat_list"])
def test_code_exchange_accepts_every_response_shape(sandbox, shape):
    import requests

    sandbox.configure(oauth_response_shape=shape)
    oauth = sandbox.oauth_client("http://testserver/cb")
    location = requests.get(oauth.authorize_url(["instagram_business_basic"], "s") + "&sandbox_auto=allow",
                            allow_redirects=False).headers["Location"]
    token = oauth.exchange_code(oauth.code_from_callback({"code": location.split("code=")[1].split("&")[0]}))
    assert token.permissions == ["instagram_business_basic"] and token.user_id


def test_denied_consent_is_an_oauth_error(sandbox):
    import requests

    oauth = sandbox.oauth_client("http://testserver/cb")
    location = requests.get(oauth.authorize_url(["instagram_business_basic"], "s") + "&sandbox_auto=deny",
                            allow_redirects=False).headers["Location"]
    from urllib.parse import parse_qs, urlsplit

    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    with pytest.raises(errors.OAuthError, match="declined|Permissions"):
        oauth.code_from_callback(query)


def test_reused_code_is_oauth_error(sandbox):
    import requests

    oauth = sandbox.oauth_client("http://testserver/cb")
    location = requests.get(oauth.authorize_url(["instagram_business_basic"], "s") + "&sandbox_auto=allow",
                            allow_redirects=False).headers["Location"]
    code = location.split("code=")[1].split("&")[0]
    oauth.exchange_code(code)
    with pytest.raises(errors.OAuthError, match="used"):
        oauth.exchange_code(code)


def test_facebook_login_flow(sandbox):
    import requests

    oauth = sandbox.oauth_client("http://testserver/cb", login="facebook")
    url = oauth.authorize_url(["instagram_basic", "instagram_content_publish"], "s")
    assert "/v25.0/dialog/oauth?" in url
    location = requests.get(url + "&sandbox_auto=allow", allow_redirects=False).headers["Location"]
    short = oauth.exchange_code(location.split("code=")[1].split("&")[0])
    long = oauth.exchange_long_lived(short.access_token)
    pages = sandbox.graph_client(long.access_token, login="facebook").facebook_pages()
    assert pages[0]["instagram_business_account"]["id"]


# --- every error class through fault injection -------------------------------------------------------

FAULTS = [
    ({"code": 190, "subcode": 463}, errors.TokenInvalid),
    ({"code": 4, "regain_minutes": 7}, errors.RateLimited),
    ({"code": 80002}, errors.RateLimited),
    ({"code": 9, "subcode": 2207042}, errors.PublishingLimitReached),
    ({"code": 1, "is_transient": True}, errors.Transient),
    ({"code": -1, "subcode": 2207001}, errors.Transient),
    ({"http_status": 503}, errors.Transient),
    ({"code": 9007, "subcode": 2207027}, errors.NotReady),
    ({"code": -2, "subcode": 2207020}, errors.NeedsNewContainer),
    ({"code": 36001, "subcode": 2207005}, errors.PermanentMediaError),
    ({"code": 10}, errors.PermissionDenied),
    ({"code": 200}, errors.PermissionDenied),
]


@pytest.mark.parametrize(("spec", "exc_class"), FAULTS)
def test_injected_errors_map_to_classes(sandbox, client, ig_id, spec, exc_class):
    sandbox.inject_fault("media_publish", once=True, **spec)
    with pytest.raises(exc_class) as info:
        client.media_publish(ig_id, "123")
    # plain words for the team: the subcode's own explanation, else the class's
    assert info.value.user_message == errors._SUBCODE_MESSAGES.get(spec.get("subcode"), exc_class.default_user_message)
    if "code" in spec:
        assert info.value.code == spec["code"] and info.value.fbtrace_id
    if spec.get("regain_minutes"):
        assert info.value.retry_after_seconds == 7 * 60


def test_timeout_is_transient(sandbox, sandbox_account):
    sandbox.inject_fault("profile", timeout=True, sleep_seconds=2, once=True)
    client = sandbox.graph_client(sandbox_account["access_token"], timeout=(1.0, 0.3))
    with pytest.raises(errors.Transient, match="Timed out"):
        client.me()
    assert client.me()["username"] == "acme_brand"


def test_fault_after_the_action_still_publishes(sandbox, client, ig_id):
    """The classic duplicate trap: Instagram published, but the answer was lost."""
    cid = client.create_image_container(ig_id, sandbox.image_url())
    sandbox.inject_fault("media_publish", http_status=502, phase="after", once=True)
    with pytest.raises(errors.Transient):
        client.media_publish(ig_id, cid)
    assert client.container_status(cid).status_code == "PUBLISHED"
    assert len(sandbox.ledger()) == 1


def test_expired_token_is_token_invalid(sandbox, client, sandbox_account):
    sandbox.control("POST", "tokens", {"access_token": sandbox_account["access_token"], "action": "expire"})
    with pytest.raises(errors.TokenInvalid) as info:
        client.me()
    assert info.value.subcode == 463


def test_usage_headers_are_read(sandbox, client):
    sandbox.configure(app_call_budget=1)  # one call uses the whole hourly budget: X-App-Usage says 100 %
    client.me()
    assert client.last_usage is not None and client.last_usage.max_percent == 100 and client.last_usage.near_limit
