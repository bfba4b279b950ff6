"""Issue 23: the composer's place search (Facebook Login accounts; the typed Page id for everyone else) and people
tags placed on the photo (x, y from 0 to 1, as Instagram's user_tags takes them), through the views, the services
and the publisher. Hostile tag input gets a message beside the field and loses nothing else typed."""

from __future__ import annotations

import json
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import InstagramAccount
from scheduler.engine.dispatcher import dispatch_run
from scheduler.models import Post
from tests.factories import InstagramAccountFactory, WorkspaceFactory
from tests.scheduler.post_factories import MediaAssetFactory

pytestmark = pytest.mark.usefixtures("frozen_now")


def url(name, workspace, **kw):
    return reverse(f"scheduler:{name}", kwargs={"ws": workspace.slug, **kw})


def sandbox_account(sandbox, workspace, *, login):
    remote = sandbox.create_account(f"{login}_brand", login=login)
    return InstagramAccount.objects.create(
        workspace=workspace, ig_user_id=remote["ig_user_id"], username=remote["username"], login_api=login,
        access_token=remote["access_token"], expires_at=timezone.now() + timedelta(days=60), scopes=remote["scopes"])


def places(client, workspace, account, q):
    response = client.get(url("compose_places", workspace), {"account": account.pk if account else "", "place_q": q})
    assert response.status_code == 200
    return unescape(response.content.decode())


# --- the place search ---------------------------------------------------------------------------------------------

def test_a_facebook_login_account_finds_places_as_listbox_options(login, social, workspace, sandbox):
    fb = sandbox_account(sandbox, workspace, login="facebook")
    html = places(login(social), workspace, fb, "tower")
    assert 'role="listbox"' in html and html.count('role="option"') == 2  # Tower Bridge, Eiffel Tower
    assert "Tower Bridge" in html and "London" in html and "Eiffel Tower" in html
    assert 'data-place-id="1100000000' in html


def test_an_instagram_login_account_is_told_to_type_the_page_id(login, social, workspace, sandbox):
    ig = sandbox_account(sandbox, workspace, login="instagram")
    html = places(login(social), workspace, ig, "tower")
    assert "connected with Instagram Login" in html and "Facebook Page id" in html
    assert 'role="option"' not in html
    assert sandbox.api_calls("page_search") == 0  # no call that could only fail


@pytest.mark.parametrize("fault, words", [
    ({"code": 4, "regain_minutes": 3}, "search again in about 3 minutes"),
    ({"code": 10, "message": "(#10) needs the feature"}, "Page Public Metadata Access"),
    ({"code": 190, "subcode": 463}, "has expired; reconnect it"),
    ({"http_status": 503}, "not answering right now"),
    ({"code": 100, "message": "(#100) odd"}, "did not run the place search"),
])
def test_every_failed_search_says_why_and_points_to_the_page_id(login, social, workspace, sandbox, fault, words):
    fb = sandbox_account(sandbox, workspace, login="facebook")
    sandbox.inject_fault("page_search", once=True, **fault)
    html = places(login(social), workspace, fb, "berlin")
    assert words in html and "Type the place's Facebook Page id instead" in html
    assert 'role="option"' not in html


def test_no_match_and_too_short_queries(login, social, workspace, sandbox):
    fb = sandbox_account(sandbox, workspace, login="facebook")
    client = login(social)
    assert "No place matches “zzqx”" in places(client, workspace, fb, "zzqx")
    before = sandbox.api_calls("page_search")
    assert 'role="option"' not in places(client, workspace, fb, "b")
    assert sandbox.api_calls("page_search") == before


def test_another_workspaces_account_is_no_account(login, social, workspace, sandbox):
    other = sandbox_account(sandbox, WorkspaceFactory(slug="other"), login="facebook")
    html = places(login(social), workspace, other, "tower")
    assert "Choose the Instagram account first" in html and 'role="option"' not in html


def test_the_composer_knows_which_accounts_can_search(login, social, workspace):
    fb = InstagramAccountFactory(workspace=workspace, username="fb_one", login_api="facebook")
    InstagramAccountFactory(workspace=workspace, username="ig_one", login_api="instagram")
    html = login(social).get(url("post_create", workspace)).content.decode()
    assert f'data-search-accounts="{fb.pk}"' in html
    assert 'role="combobox"' in html and 'aria-controls="place-results"' in html


# --- saving a place -----------------------------------------------------------------------------------------------

@pytest.fixture
def photo(workspace):
    return MediaAssetFactory(workspace=workspace, title="beans")


def base(account, photo, **extra):
    return {"account": account.pk, "kind": "feed", "caption": "Beans at dawn", "item_asset": [photo.pk],
            "item_alt": ["Beans"], "intent": "draft", **extra}


def test_a_chosen_place_is_stored_with_its_name_and_shown(login, social, workspace, account, photo):
    client = login(social)
    saved = client.post(url("post_create", workspace), base(account, photo, location_id="110000000047514",
                                                           location_name="  Tower   Bridge "))
    post = Post.objects.get()
    assert saved.status_code == 302
    assert (post.location_id, post.location_name) == ("110000000047514", "Tower Bridge")
    detail = client.get(url("post_detail", workspace, pk=post.pk)).content.decode()
    assert "Tower Bridge" in detail.split('class="ig-head"')[1].split("</header>")[0]  # the preview
    assert 'class="post-place">Tower Bridge</strong> (Facebook Page 110000000047514)' in detail
    edit = client.get(url("post_edit", workspace, pk=post.pk)).content.decode()
    assert 'name="location_name" value="Tower Bridge"' in edit and 'id="place-chosen-name">Tower Bridge<' in edit


def test_a_typed_page_id_alone_is_fine_and_a_name_without_an_id_is_dropped(login, social, workspace, account, photo):
    client = login(social)
    client.post(url("post_create", workspace), base(account, photo, location_id="123456789"))
    client.post(url("post_create", workspace), base(account, photo, location_id="", location_name="Nowhere"))
    assert list(Post.objects.order_by("pk").values_list("location_id", "location_name")) == [
        ("123456789", ""), ("", "")]


@pytest.mark.parametrize("typed", ["Tower Bridge", "12ab45", "1234", "١٢٣٤٥٦"])
def test_a_location_that_is_not_a_page_id_is_refused_beside_the_field(login, social, workspace, account, photo, typed):
    response = login(social).post(url("post_create", workspace), base(account, photo, location_id=typed,
                                                                    user_tags="ana"))
    html = response.content.decode()
    assert response.status_code == 422 and not Post.objects.exists()
    assert "is not a Facebook Page id" in html.split('id="msgs-location_id"')[1].split("</div>")[0]
    assert f'value="{typed}"' in html and "Beans at dawn" in html and 'value="ana"' in html  # nothing lost


# --- people tags on the photo -------------------------------------------------------------------------------------

def test_tags_keep_the_point_placed_on_the_photo(login, social, workspace, account, photo):
    points = [{"username": "ana", "x": 0.25, "y": 0.75}, {"username": "gone", "x": 0.1, "y": 0.1}]
    saved = login(social).post(url("post_create", workspace), base(
        account, photo, user_tags="@ana, ben", user_tag_points=json.dumps(points)))
    assert saved.status_code == 302
    # The names decide who is tagged (a point for a removed name is dropped); a name without a point sits mid-photo.
    assert Post.objects.get().user_tags == [{"username": "ana", "x": 0.25, "y": 0.75},
                                            {"username": "ben", "x": 0.5, "y": 0.5}]


def test_the_edit_page_and_preview_carry_the_points(login, social, workspace, account, photo):
    client = login(social)
    client.post(url("post_create", workspace), base(account, photo, user_tags="ana",
                                                     user_tag_points='[{"username":"ana","x":0.2,"y":0.3}]'))
    post = Post.objects.get()
    html = client.get(url("post_edit", workspace, pk=post.pk)).content.decode()
    stored = html.split('name="user_tag_points" value="')[1].split('"')[0].replace("&quot;", '"')
    assert json.loads(stored) == [{"username": "ana", "x": 0.2, "y": 0.3}]
    assert 'data-tag-user="ana"' in html and "left:20.0%;top:30.0%" in html and 'id="tag-surface"' in html


HOSTILE = [
    ("x outside", "ana", '[{"username":"ana","x":2,"y":0.5}]', "x (from the left edge) must be a number from 0 to 1"),
    ("negative y", "ana", '[{"username":"ana","x":0.5,"y":-0.1}]', "y (from the top edge) must be a number from 0 to 1"),
    ("NaN", "ana", '[{"username":"ana","x":NaN,"y":0.5}]', "not NaN"),
    ("Infinity", "ana", '[{"username":"ana","x":0.5,"y":Infinity}]', "not infinity"),
    ("text number", "ana", '[{"username":"ana","x":"0.5","y":0.5}]', "not the text “0.5”"),
    ("boolean", "ana", '[{"username":"ana","x":true,"y":0.5}]', "not true"),
    ("40 tags", ", ".join(f"p{i}" for i in range(40)), "", "40 people are tagged; Instagram allows at most 20"),
    ("bad username", "ana!, ok", "", "“ana!” is not an Instagram username"),
    ("long username", "a" * 31, "", "is not an Instagram username"),
    ("twice", "ana, ANA", "", "@ANA is tagged twice"),
    ("JSON garbage", "ana", "{not json", "could not be read; the usernames are kept"),
    ("JSON not a list", "ana", '{"username":"ana"}', "could not be read"),
    ("list of junk", "ana", "[1, 2]", "could not be read"),
]


@pytest.mark.parametrize("case, names, points, words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_tags_get_a_clear_message_and_lose_nothing(login, social, workspace, account, photo,
                                                           case, names, points, words):
    response = login(social).post(url("post_create", workspace), base(
        account, photo, user_tags=names, user_tag_points=points, collaborators="partner", location_id="123456789"))
    html = unescape(response.content.decode())
    assert response.status_code == 422 and not Post.objects.exists()
    assert words in html.split('id="msgs-user_tags"')[1].split("</div>")[0]
    for kept in ("Beans at dawn", 'value="partner"', 'value="123456789"', f'value="{photo.pk}"'):
        assert kept in html


def test_the_services_refuse_what_the_form_would(social, workspace, account, photo):
    from django.core.exceptions import ValidationError

    from scheduler.services.compose import post_create
    with pytest.raises(ValidationError) as err:
        post_create(user=social, workspace=workspace, account=account, kind="feed", caption="x",
                    asset_ids=[photo.pk], user_tags=[{"username": "ana", "x": 1.5, "y": 0.5}])
    assert "must be a number from 0 to 1" in str(err.value.message_dict["user_tags"])


def test_the_live_check_shows_markers_and_the_rule_messages(login, social, workspace, account, photo):
    client = login(social)
    ok = client.post(url("compose_check", workspace), base(
        account, photo, user_tags="ana", user_tag_points='[{"username":"ana","x":0.6,"y":0.4}]')).content.decode()
    assert 'data-tag-user="ana"' in ok and "left:60.0%;top:40.0%" in ok
    bad = client.post(url("compose_check", workspace), base(
        account, photo, user_tags="ana", user_tag_points='[{"username":"ana","x":3,"y":0.4}]')).content.decode()
    assert 'data-tag-user="ana"' not in bad and "must be a number from 0 to 1" in bad


# --- publishing sends the points ----------------------------------------------------------------------------------

def test_the_publisher_sends_the_stored_points_and_the_place(sandbox, make_due_post):
    tags = [{"username": "friend", "x": 0.25, "y": 0.75}, {"username": "pal", "x": 0.9, "y": 0.1}]
    post = make_due_post(user_tags=tags, location_id="110000000047514", location_name="Tower Bridge")
    assert dispatch_run(budget_seconds=30) == {"published": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    containers = sandbox.sandbox.containers.values()
    sent = [c["params"] for c in containers if c["params"].get("user_tags")]
    assert len(sent) == 1
    assert json.loads(sent[0]["user_tags"]) == tags and sent[0]["location_id"] == "110000000047514"


def test_the_sandbox_refuses_points_off_the_photo_as_instagram_does(sandbox):
    from instagram.errors import GraphAPIError
    acct = sandbox.create_account("tagger")
    client = sandbox.graph_client(acct["access_token"])
    for tags in ([{"username": "a", "x": 1.2, "y": 0.5}], [{"username": "", "x": 0.5, "y": 0.5}]):
        with pytest.raises(GraphAPIError) as err:
            client.create_image_container(acct["ig_user_id"], sandbox.image_url(1080, 1080), user_tags=tags)
        assert err.value.code == 100
