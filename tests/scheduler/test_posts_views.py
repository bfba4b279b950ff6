"""Post pages: list (constant queries), composer, detail with history, action endpoints, policy per role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from scheduler.models import Post, ReviewEvent
from tests.factories import InstagramAccountFactory
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory
from tests.scheduler.post_fixtures import NOW
from tests.scheduler.review_support import seen

S = Post.Status
pytestmark = pytest.mark.usefixtures("frozen_now")


def url(name, workspace, **kw):
    return reverse(name if ":" in name else f"scheduler:{name}", kwargs={"ws": workspace.slug, **kw})


def test_list_query_count_is_constant(login, social, workspace, account, django_assert_max_num_queries):
    client = login(social)
    PostFactory(workspace=workspace, account=account, publish_at=NOW + timedelta(hours=1))
    client.get(url("post_list", workspace))  # warm per-session lookups
    with django_assert_max_num_queries(12) as few:
        client.get(url("post_list", workspace))
    other = InstagramAccountFactory(workspace=workspace)
    for i in range(8):
        PostFactory(workspace=workspace, account=other if i % 2 else account, status=S.APPROVED,
                    publish_at=NOW + timedelta(hours=i + 2), author=social,
                    media=[MediaAssetFactory(workspace=workspace) for _ in range(2)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("post_list", workspace))
    assert response.status_code == 200
    assert response.content.decode().count('data-status="approved"') == 8


def test_list_shows_local_time_status_and_reasons(login, social, workspace, account):
    PostFactory(workspace=workspace, account=account, status=S.APPROVED, caption="Cap day",
                publish_at=datetime(2027, 5, 4, 7, 0, tzinfo=UTC), deferred_reason="Daily cap of 25 reached")
    PostFactory(workspace=workspace, account=account, status=S.FAILED, caption="Broken",
                last_error="The image could not be fetched")
    body = login(social).get(url("post_list", workspace)).content.decode()
    assert "Tue 4 May 2027, 09:00" in body  # 07:00Z in Europe/Berlin
    assert "Daily cap of 25 reached" in body and "The image could not be fetched" in body
    assert "badge-failed" in body


def test_list_filters_and_htmx_partial(login, social, workspace, account):
    PostFactory(workspace=workspace, account=account, status=S.APPROVED, caption="Approved one",
                publish_at=datetime(2027, 5, 10, 9, 0, tzinfo=UTC))
    PostFactory(workspace=workspace, account=account, status=S.DRAFT, caption="Draft one",
                publish_at=datetime(2027, 5, 20, 9, 0, tzinfo=UTC))
    client = login(social)
    body = client.get(url("post_list", workspace), {"status": "approved"}).content.decode()
    assert "Approved one" in body and "Draft one" not in body
    response = client.get(url("post_list", workspace), {"from": "2027-05-15", "to": "2027-05-20"},
                          HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Draft one" in body and "Approved one" not in body and "<html" not in body


def test_client_sees_no_drafts(login, client_user, workspace, account):
    draft = PostFactory(workspace=workspace, account=account, status=S.DRAFT, caption="Secret draft")
    PostFactory(workspace=workspace, account=account, status=S.APPROVED, caption="On the calendar")
    client = login(client_user)
    body = client.get(url("post_list", workspace)).content.decode()
    assert "On the calendar" in body and "Secret draft" not in body
    assert client.get(url("post_detail", workspace, pk=draft.pk)).status_code == 404


def test_outsider_gets_404_everywhere(login, outsider, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.IN_REVIEW)
    client = login(outsider)
    assert client.get(url("post_list", workspace)).status_code == 404
    assert client.get(url("post_detail", workspace, pk=post.pk)).status_code == 404
    assert client.post(url("post_approve", workspace, pk=post.pk)).status_code == 404


def test_client_gets_403_on_mutations(login, client_user, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED, publish_at=NOW + timedelta(days=1))
    client = login(client_user)
    for verb in ("post_cancel", "post_publish_now", "post_queue", "post_mark_manual"):
        assert client.post(url(verb, workspace, pk=post.pk)).status_code == 403, verb
    assert client.get(url("post_create", workspace)).status_code == 403
    assert Post.objects.get(pk=post.pk).status == S.APPROVED


def test_compose_converts_local_time_to_utc(login, social, workspace, account):
    asset = MediaAssetFactory(workspace=workspace)
    client = login(social)
    assert client.get(url("post_create", workspace)).status_code == 200
    response = client.post(url("post_create", workspace), {
        "account": account.pk, "kind": "feed", "asset_ids": str(asset.pk), "caption": "Monday coffee #acme",
        "publish_at": "2027-05-10T09:30", "rrule": "FREQ=WEEKLY;BYDAY=MO", "collaborators": "@friend",
    })
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == url("post_detail", workspace, pk=post.pk)
    assert post.publish_at == datetime(2027, 5, 10, 7, 30, tzinfo=UTC)  # 09:30 CEST
    assert post.author == social and post.collaborators == ["friend"] and post.status == S.DRAFT
    detail = client.get(response["Location"]).content.decode()
    assert "Monday 10 May 2027, 09:30" in detail and "Every Monday at 09:30" in detail


def test_compose_shows_rule_errors(login, social, workspace, account):
    asset = MediaAssetFactory(workspace=workspace)
    response = login(social).post(url("post_create", workspace), {
        "account": account.pk, "kind": "carousel", "asset_ids": str(asset.pk), "caption": "x",
        "publish_at": "2027-05-03T09:00",
    })
    body = response.content.decode()
    assert response.status_code == 422 and not Post.objects.exists()
    assert "2 to 10 media items; 1 were chosen" in body
    assert "(Europe/Berlin) is in the past" in body


def test_edit_with_stale_version_shows_conflict(login, social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.DRAFT)
    item = post.items.get()
    client = login(social)
    data = {"account": account.pk, "kind": "feed", "asset_ids": str(item.asset_id), "caption": "Mine",
            "expected_version": 1}
    Post.objects.filter(pk=post.pk).update(version=2, caption="Theirs")
    response = client.post(url("post_edit", workspace, pk=post.pk), data)
    assert response.status_code == 422 and "Someone else changed this post" in response.content.decode()
    assert Post.objects.get(pk=post.pk).caption == "Theirs"


def test_editor_edits_caption_of_approved_post_back_to_review(login, editor, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED)
    client = login(editor)
    page = client.get(url("post_edit", workspace, pk=post.pk)).content.decode()
    assert 'name="caption"' in page and 'name="kind"' not in page
    response = client.post(url("post_edit", workspace, pk=post.pk), {"caption": "Better words", "expected_version": 1})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.caption, post.status) == ("Better words", S.IN_REVIEW)


def test_review_flow_through_views(login, social, editor, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.DRAFT, publish_at=NOW + timedelta(days=1))
    assert login(social).post(url("post_submit", workspace, pk=post.pk)).status_code == 302
    assert login(social).post(url("post_approve", workspace, pk=post.pk)).status_code == 403
    client = login(editor)
    response = client.post(url("post_reject", workspace, pk=post.pk), {"note": "", "confirmed": "1",
                                                                       "seen_hash": seen(post)}, follow=True)
    assert "a note is required" in response.content.decode()
    client.post(url("post_request_changes", workspace, pk=post.pk), {"note": "Brighter photo", "seen_hash": seen(post)})
    assert Post.objects.get(pk=post.pk).status == S.DRAFT
    login(social).post(url("post_submit", workspace, pk=post.pk))
    response = login(editor).post(url("post_approve", workspace, pk=post.pk), {"seen_hash": seen(post)},
                                  HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="post-panel"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert Post.objects.get(pk=post.pk).status == S.APPROVED
    assert list(ReviewEvent.objects.filter(post=post).values_list("action", flat=True)) == [
        "submitted", "changes_requested", "submitted", "approved"]
    detail = login(social).get(url("post_detail", workspace, pk=post.pk)).content.decode()
    assert "Brighter photo" in detail and "Publish now" in detail and ">Approve<" not in detail


def test_schedule_actions_through_views(login, social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED, publish_at=NOW + timedelta(days=1))
    client = login(social)
    client.post(url("post_reschedule", workspace, pk=post.pk), {"publish_at": "2027-05-06T18:00",
                                                                 "expected_version": 1})
    post.refresh_from_db()
    assert post.publish_at == datetime(2027, 5, 6, 16, 0, tzinfo=UTC) and post.status == S.APPROVED
    client.post(url("post_publish_now", workspace, pk=post.pk), {"confirmed": "1"})
    assert Post.objects.get(pk=post.pk).publish_at == NOW
    client.post(url("post_cancel", workspace, pk=post.pk), {"confirmed": "1"})
    assert Post.objects.get(pk=post.pk).status == S.CANCELLED


def test_detail_buttons_per_role(login, editor, social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.IN_REVIEW)
    as_editor = login(editor).get(url("post_detail", workspace, pk=post.pk)).content.decode()
    assert ">Approve<" in as_editor and "Reject" in as_editor and "Cancel post" not in as_editor
    as_social = login(social).get(url("post_detail", workspace, pk=post.pk)).content.decode()
    assert ">Approve<" not in as_social and "Cancel post" in as_social and "Add to queue" in as_social
