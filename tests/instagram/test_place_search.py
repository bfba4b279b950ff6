"""Place search (Pages Search API) through the client against the sandbox, and the sandbox's own answers.

Expected facts come from Meta's Pages Search page (developers.facebook.com/documentation/pages-api/search-pages):
`GET /pages/search?q=…&fields=id,name,location,link`, Facebook Login only; Instagram Login has no `pages` node.
"""

from __future__ import annotations

import pytest
import requests

from instagram.client import Place, is_page_id
from instagram.errors import GraphAPIError, PermissionDenied, RateLimited, TokenInvalid


@pytest.fixture
def fb_client(sandbox):
    acct = sandbox.create_account("fb_brand", login="facebook")
    return sandbox.graph_client(acct["access_token"], login="facebook")


def test_a_facebook_login_token_finds_places_with_their_location(fb_client):
    places = fb_client.search_places("eiffel")
    assert [p.name for p in places] == ["Eiffel Tower"]
    tower = places[0]
    assert isinstance(tower, Place) and is_page_id(tower.id)
    assert tower.city == "Paris" and tower.country == "France"
    assert "Paris" in tower.where


def test_every_word_must_match_and_answers_are_deterministic(fb_client):
    first = fb_client.search_places("cafe paris")  # "Café" with an accent is not "cafe": a real search differs
    again = fb_client.search_places("café paris")
    assert first == [] and [p.name for p in again] == ["Café de Flore"]
    assert [p.id for p in fb_client.search_places("café paris")] == [p.id for p in again]
    assert len(fb_client.search_places("london")) == 3


def test_the_limit_is_sent_and_kept(fb_client, sandbox):
    assert len(fb_client.search_places("berlin", limit=2)) == 2
    assert sandbox.api_calls("page_search") >= 1


def test_an_instagram_login_token_gets_metas_unsupported_request_error(client):
    with pytest.raises(GraphAPIError) as err:
        client.search_places("berlin")
    assert err.value.code == 100 and err.value.subcode == 33


def test_an_empty_query_is_refused_before_any_call(fb_client, sandbox):
    before = sandbox.api_calls("page_search")
    with pytest.raises(ValueError):
        fb_client.search_places("   ")
    assert sandbox.api_calls("page_search") == before


def test_the_sandbox_wants_q_and_checks_the_limit(sandbox):
    acct = sandbox.create_account("fb_raw", login="facebook")
    url = f"{sandbox.url}/{sandbox.api_version}/pages/search"
    headers = {"Authorization": f"Bearer {acct['access_token']}"}
    assert requests.get(url, params={"q": ""}, headers=headers, timeout=5).json()["error"]["code"] == 100
    assert requests.get(url, params={"q": "x", "limit": "many"}, headers=headers, timeout=5).json()["error"]["code"] == 100
    rows = requests.get(url, params={"q": "tower", "fields": "id,name"}, headers=headers, timeout=5).json()["data"]
    assert rows and all(set(r) == {"id", "name"} for r in rows)


def test_rate_limits_and_dead_tokens_come_back_typed(fb_client, sandbox):
    sandbox.inject_fault("page_search", code=4, regain_minutes=3, once=True)
    with pytest.raises(RateLimited):
        fb_client.search_places("berlin")
    sandbox.inject_fault("page_search", code=10, message="(#10) This endpoint requires the 'Page Public Metadata "
                         "Access' feature", once=True)
    with pytest.raises(PermissionDenied):
        fb_client.search_places("berlin")
    sandbox.inject_fault("page_search", code=190, subcode=463, once=True)
    with pytest.raises(TokenInvalid):
        fb_client.search_places("berlin")


@pytest.mark.parametrize("value, ok", [("110000000007919", True), ("12345", True), ("1234", False), ("12a45", False),
                                       ("", False), ("１２３４５", False), ("1" * 21, False)])
def test_page_ids_are_digits(value, ok):
    assert is_page_id(value) is ok


def test_answers_without_an_id_or_name_are_skipped():
    assert Place.from_answer({"id": "not-a-page", "name": "X"}) is None
    assert Place.from_answer({"id": "123456", "name": " "}) is None
    assert Place.from_answer({"id": "123456", "name": "Ok", "location": "garbage"}).where == ""
