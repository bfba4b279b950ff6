"""The composer without JavaScript (plain form posts, same rules), prefilled from the calendar, the queue slot shown
before saving, the picker fragment, editing a post's media order and alt text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
from django.urls import reverse

from scheduler.models import MediaAsset, Post, PostingSlot
from tests.factories import InstagramAccountFactory
from tests.scheduler.media_fixtures import image_bytes, upload
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def assets(workspace):
    return [MediaAssetFactory(workspace=workspace, title=t) for t in ("alpha", "bravo", "charlie")]


def url(name, workspace, **kw):
    return reverse(f"scheduler:{name}", kwargs={"ws": workspace.slug, **kw})


def items_in(body: str) -> list[int]:
    body = body.split('<template id="item-template">')[0]  # the empty row scripts clone
    return [int(x.split('"')[0]) for x in body.split('name="item_asset" value="')[1:]]


def test_opened_from_the_calendar_is_prefilled(login, social, workspace, account):
    InstagramAccountFactory(workspace=workspace, username="first_by_name")
    body = login(social).get(url("post_create", workspace), {"at": "2027-05-10T09:30", "account": account.pk})
    html = body.content.decode()
    assert 'value="2027-05-10T09:30"' in html
    assert f'<option value="{account.pk}" selected>' in html
    assert re.search(r'<input type="radio" name="when" value="at"[^>]* checked>', html)


def test_no_js_pick_reorder_remove_then_save_with_the_builder(login, social, workspace, account, assets):
    client = login(social)
    a, b, c = (x.pk for x in assets)
    base = {"account": account.pk, "kind": "carousel", "caption": "Three beans #coffee", "when": "at",
            "publish_at": "2027-05-10T10:00", "repeat": "weekly", "repeat_days": ["MO", "TH"],
            "repeat_end": "count", "repeat_count": "8"}
    page = client.post(url("post_create", workspace), {**base, "op": "add", "pick": [a, b, c]})
    assert page.status_code == 200 and items_in(page.content.decode()) == [a, b, c]
    page = client.post(url("post_create", workspace), {**base, "op": "up:2", "item_asset": [a, b, c],
                                                        "item_alt": ["", "", "Green beans"]})
    html = page.content.decode()
    assert items_in(html) == [a, c, b] and 'value="Green beans"' in html  # the alt text moved with its item
    assert "Every Monday and Thursday at 10:00, 8 times" in html  # the summary, server-rendered
    page = client.post(url("post_create", workspace), {**base, "op": "remove:0", "item_asset": [a, c, b],
                                                        "item_alt": ["", "Green beans", ""]})
    assert items_in(page.content.decode()) == [c, b]
    assert not Post.objects.exists()  # none of those steps saved anything

    saved = client.post(url("post_create", workspace), {**base, "intent": "submit", "item_asset": [c, b],
                                                         "item_alt": ["Green beans", ""]})
    post = Post.objects.get()
    assert saved.status_code == 302 and saved["Location"] == url("post_detail", workspace, pk=post.pk)
    assert post.status == Post.Status.IN_REVIEW and post.rrule == "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=10;BYMINUTE=0;COUNT=8"
    assert list(post.items.values_list("asset_id", "alt_text")) == [(c, "Green beans"), (b, "")]
    assert post.publish_at == datetime(2027, 5, 10, 8, 0, tzinfo=UTC)


def test_no_js_rule_errors_are_next_to_their_fields(login, social, workspace, account, assets):
    response = login(social).post(url("post_create", workspace), {
        "account": account.pk, "kind": "feed", "item_asset": [assets[0].pk], "intent": "draft",
        "caption": " ".join(f"#t{i}" for i in range(31)), "when": "at", "publish_at": "2027-05-03T09:00"})
    html = response.content.decode()
    assert response.status_code == 422 and not Post.objects.exists()
    caption = html.split('id="msgs-caption"')[1].split("</div>")[0]
    assert "The caption has 31 hashtags; Instagram allows at most 30." in caption
    assert "is in the past" in html.split('id="msgs-publish_at"')[1].split("</div>")[0]
    assert items_in(html) == [assets[0].pk]  # nothing the user chose is lost


def test_no_js_upload_inside_the_picker_adds_the_item(login, social, workspace, account, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    response = login(social).post(url("post_create", workspace), {
        "account": account.pk, "kind": "feed", "op": "upload",
        "file": upload("harbour.jpg", image_bytes(1080, 1080))})
    asset = MediaAsset.objects.get(workspace=workspace)
    html = response.content.decode()
    assert items_in(html) == [asset.pk] and "“harbour.jpg” uploaded." in html


def test_queue_slot_is_shown_before_saving_and_taken_on_save(login, social, workspace, account, assets):
    PostingSlot.objects.create(account=account, weekday=0, time=time(9, 0))  # Mondays 09:00 (already past today)
    PostingSlot.objects.create(account=account, weekday=1, time=time(12, 30))
    client = login(social)
    data = {"account": account.pk, "kind": "feed", "item_asset": [assets[0].pk], "caption": "Hi", "when": "queue"}
    live = client.post(url("compose_check", workspace), data, HTTP_HX_REQUEST="true").content.decode()
    assert "Next free slot: <strong>Tuesday 4 May 2027, 12:30</strong>" in live
    client.post(url("post_create", workspace), {**data, "intent": "draft"})
    assert Post.objects.get().publish_at == datetime(2027, 5, 4, 10, 30, tzinfo=UTC)


def test_queue_without_slots_says_so(login, social, workspace, account, assets):
    live = login(social).post(url("compose_check", workspace), {"account": account.pk, "kind": "feed",
                                                                 "when": "queue"}, HTTP_HX_REQUEST="true")
    assert "@acmecoffee has no posting slots yet" in live.content.decode()


def test_picker_fragment_searches_the_library(login, social, workspace, assets):
    html = login(social).get(url("compose_picker", workspace), {"picker_q": "bravo"}, HTTP_HX_REQUEST="true")
    body = html.content.decode()
    assert body.count('class="pick-card"') == 1 and f'id="pick-{assets[1].pk}"' in body and "<html" not in body


def test_edit_shows_items_in_order_and_saves_a_new_order(login, social, workspace, account, assets):
    post = PostFactory(workspace=workspace, account=account, kind=Post.Kind.CAROUSEL, media=assets[:2])
    post.items.filter(position=1).update(alt_text="Bravo beans")
    client = login(social)
    html = client.get(url("post_edit", workspace, pk=post.pk)).content.decode()
    assert items_in(html) == [assets[0].pk, assets[1].pk] and 'value="Bravo beans"' in html
    response = client.post(url("post_edit", workspace, pk=post.pk), {
        "account": account.pk, "kind": "carousel", "caption": post.caption, "when": "none", "expected_version": 1,
        "item_asset": [assets[1].pk, assets[0].pk], "item_alt": ["Bravo beans", ""], "intent": "draft"})
    assert response.status_code == 302
    assert list(post.items.values_list("asset_id", "alt_text")) == [(assets[1].pk, "Bravo beans"), (assets[0].pk, "")]


def test_picker_and_check_policy(login, client_user, editor, outsider, workspace):
    assert login(client_user).get(url("compose_picker", workspace)).status_code == 403
    assert login(outsider).get(url("compose_picker", workspace)).status_code == 404
    # An editor may fix captions: the live check answers with the caption rules only.
    live = login(editor).post(url("compose_check", workspace), {"caption": "#a " * 31}, HTTP_HX_REQUEST="true")
    assert live.status_code == 200 and "31 hashtags" in live.content.decode()


def test_editor_live_check_keeps_the_stored_media_in_the_preview(login, editor, workspace, account, assets):
    post = PostFactory(workspace=workspace, account=account, kind=Post.Kind.CAROUSEL, media=assets[:2])
    live = login(editor).post(url("compose_check", workspace) + f"?post={post.pk}", {"caption": "Fixed typo #coffee"},
                              HTTP_HX_REQUEST="true").content.decode()
    preview = live.split('id="preview"')[1]
    assert [int(x.split('"')[0]) for x in preview.split('data-asset="')[1:]] == [assets[0].pk, assets[1].pk]
    assert '<span class="ig-tag">#coffee</span>' in preview and "@acmecoffee" not in preview.split("ig-head")[0]


def _count(client, path, **kw) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, **kw).status_code == 200
    return len(ctx.captured_queries)


def test_composer_picker_and_edit_query_counts_do_not_grow(login, social, workspace, account, assets):
    client = login(social)
    post = PostFactory(workspace=workspace, account=account, kind=Post.Kind.CAROUSEL, media=assets[:2])
    pages = {"new": url("post_create", workspace), "picker": url("compose_picker", workspace),
             "edit": url("post_edit", workspace, pk=post.pk)}
    for path in pages.values():
        client.get(path)  # warm per-session lookups
    before = {name: _count(client, path) for name, path in pages.items()}
    more = [MediaAssetFactory(workspace=workspace) for _ in range(12)]
    big = PostFactory(workspace=workspace, account=account, kind=Post.Kind.CAROUSEL, media=more[:10])
    pages["edit"] = url("post_edit", workspace, pk=big.pk)
    assert {name: _count(client, path) for name, path in pages.items()} == before


def test_editing_a_series_opens_the_builder_on_its_preset(login, social, workspace, account, assets):
    post = PostFactory(workspace=workspace, account=account, publish_at=datetime(2027, 5, 10, 8, 0, tzinfo=UTC),
                       rrule="FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=10;BYMINUTE=0;UNTIL=20271231")
    html = login(social).get(url("post_edit", workspace, pk=post.pk)).content.decode()
    assert re.search(r'<option value="weekly" selected>', html)
    assert re.search(r'value="MO"[^>]*checked', html) and re.search(r'value="TH"[^>]*checked', html)
    assert 'value="2027-12-31"' in html
    assert "Every Monday and Thursday at 10:00 until 31 Dec 2027" in html


def test_without_a_connected_account_the_composer_says_where_to_connect(login, social, workspace):
    html = login(social).get(url("post_create", workspace)).content.decode()
    assert 'id="no-accounts"' in html and reverse("accounts:instagram_accounts", kwargs={"ws": workspace.slug}) in html


def test_picker_marks_media_that_does_not_fit_a_kind(login, social, workspace):
    clip = MediaAssetFactory(workspace=workspace, video=True, title="clip",
                             suitability={"feed": {"ok": False, "reasons": ["a feed post takes an image"]},
                                          "carousel": {"ok": True, "reasons": []}, "story": {"ok": True, "reasons": []},
                                          "reel": {"ok": True, "reasons": []}})
    body = login(social).get(url("compose_picker", workspace)).content.decode()
    card = body.split(f'id="pick-{clip.pk}"')[1].split("</li>")[0]
    assert '<span class="unfit" data-use="feed" title="a feed post takes an image">Not for a feed</span>' in card
    assert 'data-use="reel"' not in card


@pytest.mark.parametrize("data", [
    {"account": "999999", "kind": "bogus", "publish_at": "tomorrow-ish", "when": "at"},
    {"kind": "carousel", "item_asset": ["abc", "12x"], "repeat": "weekly", "when": "none"},
    {"kind": "feed", "when": "at", "publish_at": "2027-05-10T10:00", "repeat": "daily", "repeat_end": "until",
     "repeat_until": "31/12/2027"},
    {"kind": "feed", "when": "at", "publish_at": "2027-05-10T10:00", "repeat": "custom", "rrule": "FREQ=MINUTELY"},
    {"op": "up:abc"}, {"op": "remove:99", "item_asset": ["1"]}, {"op": "nonsense"},
])
def test_bad_input_gets_messages_never_a_crash(login, social, workspace, account, data):
    client = login(social)
    data = {"account": account.pk, **data}
    live = client.post(url("compose_check", workspace), data, HTTP_HX_REQUEST="true")
    assert live.status_code == 200
    page = client.post(url("post_create", workspace), {"intent": "draft", **data})
    assert page.status_code in (200, 422) and not Post.objects.exists()


def test_other_workspaces_media_reads_as_not_found(login, social, workspace, other_workspace, account):
    foreign = MediaAssetFactory(workspace=other_workspace)
    live = login(social).post(url("compose_check", workspace), {"account": account.pk, "kind": "feed",
                                                                 "item_asset": [foreign.pk]}, HTTP_HX_REQUEST="true")
    body = live.content.decode()
    assert f"Media item(s) {foreign.pk} are not in this workspace" in body and f'data-asset="{foreign.pk}"' not in body


def test_hints_say_what_instagram_will_do(login, social, workspace, account):
    tall = MediaAssetFactory(workspace=workspace, width=1080, height=1350)
    square = MediaAssetFactory(workspace=workspace, width=1080, height=1080)
    live = login(social).post(url("compose_check", workspace), {
        "account": account.pk, "kind": "carousel", "item_asset": [tall.pk, square.pk], "item_alt": ["Tall", ""]},
        HTTP_HX_REQUEST="true").content.decode()
    hints = live.split('id="hints"')[1].split("</ul>")[0]
    assert "item 2 has another shape" in hints and "No alt text on item 2" in hints


def test_preview_caption_is_escaped_and_keeps_apostrophes(login, social, workspace, account):
    live = login(social).post(url("compose_check", workspace), {
        "account": account.pk, "kind": "feed", "caption": "Don't miss <b>it</b> #fresh & @friend's"},
        HTTP_HX_REQUEST="true").content.decode()
    caption = live.split('class="ig-caption"')[1].split("</p>")[0]
    assert "Don&#x27;t miss &lt;b&gt;it&lt;/b&gt; <span class=\"ig-tag\">#fresh</span> &amp; " in caption
    assert '<span class="ig-tag">@friend</span>&#x27;s' in caption and "<b>" not in caption


def test_picker_pages_through_a_large_library(login, social, workspace):
    for i in range(45):
        MediaAssetFactory(workspace=workspace, title=f"photo {i:02d}")
    client = login(social)
    first = client.get(url("compose_picker", workspace), HTTP_HX_REQUEST="true").content.decode()
    assert first.count('class="pick-card"') == 40 and 'id="picker-more"' in first
    more_url = first.split('id="picker-more"')[1].split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    rest = client.get(more_url, HTTP_HX_REQUEST="true").content.decode()
    assert rest.count('class="pick-card"') == 5 and 'id="picker-more"' not in rest and 'id="picker-results"' not in rest


def test_no_js_picker_search(login, social, workspace, account, assets):
    html = login(social).post(url("post_create", workspace), {"account": account.pk, "kind": "feed", "op": "search",
                                                               "picker_q": "charlie"}).content.decode()
    assert html.count('class="pick-card"') == 1 and f'id="pick-{assets[2].pk}"' in html
    assert 'value="charlie"' in html and "<details class=\"picker\" id=\"picker\" open>" in html
