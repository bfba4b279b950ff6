"""The same client against recorded answers shaped exactly like Meta's documentation (no sandbox).

If the sandbox and the client drifted together, these would still catch it.
"""

from __future__ import annotations

import json

import pytest
import responses

from instagram import errors
from instagram.client import GraphClient, OAuthClient

G = "https://graph.instagram.com"
V = f"{G}/v25.0"
TOKEN = "IGAAtesttokenvalue1234567890"


@pytest.fixture
def client():
    return GraphClient(TOKEN, graph_base_url=G, api_version="v25.0")


@pytest.fixture
def oauth():
    return OAuthClient("app-1", "secret-1", "https://app.example/cb", oauth_base_url="https://www.instagram.com",
                       api_base_url="https://api.instagram.com", graph_base_url=G, api_version="v25.0")


@responses.activate
def test_container_status_publish_and_limit(client):
    responses.post(f"{V}/1784/media", json={"id": "17889"})
    responses.get(f"{V}/17889", json={"status_code": "ERROR", "status": "Error: Media upload has failed with error code 2207026", "id": "17889"})
    responses.post(f"{V}/1784/media_publish", json={"id": "17920238422030506"})
    responses.get(f"{V}/1784/content_publishing_limit",
                  json={"data": [{"quota_usage": 2, "config": {"quota_total": 50, "quota_duration": 86400}}]})
    assert client.create_image_container("1784", "https://x/a.jpg", caption="hi") == "17889"
    status = client.container_status("17889")
    assert (status.status_code, status.subcode) == ("ERROR", 2207026)
    assert client.media_publish("1784", "17889") == "17920238422030506"
    assert client.content_publishing_limit("1784").remaining == 48
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}" and TOKEN not in sent.url
    assert "image_url=https" in sent.body


@responses.activate
def test_paginate_stops_only_when_next_is_absent(client):
    # The middle page is empty but still has `next`: pagination must continue past it.
    pages = {
        None: {"data": [{"id": "1"}, {"id": "2"}], "paging": {
            "cursors": {"before": "QVFa", "after": "QVFb"}, "next": f"{V}/1784/media?after=QVFb&access_token={TOKEN}"}},
        "QVFb": {"data": [], "paging": {"cursors": {}, "next": f"{V}/1784/media?after=QVFc"}},
        "QVFc": {"data": [{"id": "3"}], "paging": {"cursors": {"before": "QVFc", "after": "QVFd"},
                                                     "previous": f"{V}/1784/media?before=QVFc"}},
    }

    def answer(request):
        from urllib.parse import parse_qs, urlsplit

        after = parse_qs(urlsplit(request.url).query).get("after", [None])[0]
        return 200, {}, json.dumps(pages[after])

    responses.add_callback(responses.GET, f"{V}/1784/media", callback=answer)
    assert [m["id"] for m in client.list_media("1784")] == ["1", "2", "3"]
    assert len(responses.calls) == 3


@responses.activate
def test_business_discovery_nested_cursor(client):
    def answer(request):
        after = "media.after(AFTER1)" in request.url.replace("%28", "(").replace("%29", ")")
        media = ({"data": [{"id": "m3"}], "paging": {"cursors": {"before": "B", "after": "AFTER2"}}} if after else
                 {"data": [{"id": "m1"}, {"id": "m2"}], "paging": {"cursors": {"before": "B", "after": "AFTER1"},
                                                                   "next": "https://graph.facebook.com/..."}})
        body = {"business_discovery": {"followers_count": 267793, "media_count": 1205, "media": media, "id": "1784"},
                "id": "1785"}
        return 200, {}, json.dumps(body)

    responses.add_callback(responses.GET, f"{V}/1785", callback=answer)
    assert [m["id"] for m in client.business_discovery_media("1785", "bluebottle", limit=2)] == ["m1", "m2", "m3"]


@responses.activate
def test_insights_values_and_total_value_shapes(client):
    responses.get(f"{V}/179/insights", json={"data": [
        {"name": "reach", "period": "lifetime", "values": [{"value": 13}], "title": "Reach", "description": "…", "id": "179/insights/reach/lifetime"},
        {"name": "total_interactions", "period": "lifetime", "total_value": {"value": 4}, "title": "t", "id": "x"},
        {"name": "views", "period": "lifetime", "values": [], "title": "Views", "id": "y"},
        {"name": "likes", "period": "lifetime", "values": [{"value": 0}], "title": "Likes", "id": "z"},
    ]})
    assert client.media_insights("179", ["reach", "total_interactions", "views", "likes"]) == {
        "reach": 13, "total_interactions": 4, "views": None, "likes": 0}


@pytest.mark.parametrize("body", [
    {"data": [{"access_token": "IGQVJshort", "user_id": 1020, "permissions": "instagram_business_basic,instagram_business_content_publish"}]},
    {"access_token": "IGQVJshort", "user_id": 1020, "permissions": "instagram_business_basic,instagram_business_content_publish"},
    {"access_token": "IGQVJshort", "user_id": 1020, "permissions": ["instagram_business_basic", "instagram_business_content_publish"]},
])
@responses.activate
def test_code_exchange_shapes(oauth, body):
    responses.post("https://api.instagram.com/oauth/access_token", json=body)
    token = oauth.exchange_code("AQBx#_")
    assert (token.user_id, token.permissions) == ("1020", ["instagram_business_basic", "instagram_business_content_publish"])
    assert "code=AQBx&" in responses.calls[0].request.body + "&"


@responses.activate
def test_oauth_error_shape(oauth):
    responses.post("https://api.instagram.com/oauth/access_token", status=400,
                   json={"error_type": "OAuthException", "code": 400, "error_message": "Invalid authorization code"})
    with pytest.raises(errors.OAuthError, match="Invalid authorization code") as info:
        oauth.exchange_code("AQB")
    assert info.value.code == 400


@responses.activate
def test_long_lived_and_refresh(oauth):
    answer = {"access_token": "IGAAlong", "token_type": "bearer", "expires_in": 5183944}
    responses.get(f"{G}/access_token", json=answer)
    responses.get(f"{G}/refresh_access_token", json=answer)
    assert oauth.exchange_long_lived("IGAAshort").expires_in == 5183944
    assert oauth.refresh("IGAAlong").access_token == "IGAAlong"
    assert "grant_type=ig_exchange_token" in responses.calls[0].request.url
    assert "grant_type=ig_refresh_token" in responses.calls[1].request.url


@responses.activate
def test_documented_error_envelope(client):
    responses.post(f"{V}/1784/media", status=400, json={"error": {
        "message": "The aspect ratio is not supported.", "type": "OAuthException", "code": 36003,
        "error_subcode": 2207009, "is_transient": False, "error_user_title": "Cannot Upload Image",
        "error_user_msg": "The submitted image with aspect ratio ('0.5625') cannot be published.", "fbtrace_id": "AWx"}})
    with pytest.raises(errors.PermanentMediaError) as info:
        client.create_image_container("1784", "https://x/tall.jpg")
    exc = info.value
    assert (exc.code, exc.subcode, exc.fbtrace_id, exc.http_status) == (36003, 2207009, "AWx", 400)
    assert exc.user_message.startswith("The submitted image")


@responses.activate
def test_rate_limit_wait_from_buc_header(client):
    buc = {"1784": [{"type": "instagram", "call_count": 100, "total_cputime": 30, "total_time": 40,
                     "estimated_time_to_regain_access": 12}]}
    responses.get(f"{V}/1784", status=400, headers={"X-Business-Use-Case-Usage": json.dumps(buc)},
                  json={"error": {"message": "User request limit reached", "type": "OAuthException", "code": 17, "fbtrace_id": "x"}})
    with pytest.raises(errors.RateLimited) as info:
        client.profile("1784")
    assert info.value.retry_after_seconds == 720
