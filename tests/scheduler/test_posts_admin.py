"""The admin review desk: approve / reject-with-note actions and caption edits go through the services."""

from __future__ import annotations

from django.urls import reverse

from scheduler.models import Post, ReviewEvent
from tests.scheduler.post_factories import PostFactory
from tests.scheduler.review_support import seen_fields

S = Post.Status
CHANGELIST = "admin:scheduler_post_changelist"


def test_changelist_scoped_and_constant(login, editor, workspace, other_workspace, account,
                                        django_assert_max_num_queries):
    for _ in range(5):
        PostFactory(workspace=workspace, account=account, status=S.IN_REVIEW)
    hidden = PostFactory(workspace=other_workspace, caption="Not yours")
    client = login(editor)
    with django_assert_max_num_queries(25):
        response = client.get(reverse(CHANGELIST), {"status__exact": "in_review"})
    assert response.status_code == 200
    assert "Not yours" not in response.content.decode()
    assert client.get(reverse("admin:scheduler_post_change", args=[hidden.pk])).status_code == 404


def test_approve_selected(login, editor, workspace, account):
    posts = [PostFactory(workspace=workspace, account=account, status=S.IN_REVIEW) for _ in range(2)]
    draft = PostFactory(workspace=workspace, account=account, status=S.DRAFT)
    response = login(editor).post(reverse(CHANGELIST) + "?queue=all", {
        "action": "approve_selected", "_selected_action": [p.pk for p in [*posts, draft]],
        **seen_fields(*posts, draft)}, follow=True)
    body = response.content.decode()
    assert "Approved 2 posts" in body and "Can&#x27;t approve a post that is draft" in body
    assert set(Post.objects.filter(pk__in=[p.pk for p in posts]).values_list("status", flat=True)) == {S.APPROVED}
    assert ReviewEvent.objects.filter(action="approved", actor=editor).count() == 2


def test_reject_selected_asks_for_a_note(login, editor, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.IN_REVIEW)
    client = login(editor)
    page = client.post(reverse(CHANGELIST), {"action": "reject_selected", "_selected_action": [post.pk],
                                             **seen_fields(post)})
    assert page.status_code == 200 and "Note for the author" in page.content.decode()
    assert f'name="seen_{post.pk}"' in page.content.decode()  # the version on screen travels to the next step
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW
    client.post(reverse(CHANGELIST), {"action": "reject_selected", "_selected_action": [post.pk], "apply": "1",
                                      "note": "Logo is cut off", **seen_fields(post)})
    post.refresh_from_db()
    assert post.status == S.DRAFT
    assert ReviewEvent.objects.get(post=post, action="rejected").note == "Logo is cut off"


def test_social_manager_cannot_approve_in_admin(login, social, workspace, account):
    # Social managers have no admin access at all (not staff).
    post = PostFactory(workspace=workspace, account=account, status=S.IN_REVIEW)
    response = login(social).post(reverse(CHANGELIST), {"action": "approve_selected", "_selected_action": [post.pk]})
    assert response.status_code == 302 and "login" in response["Location"]
    assert Post.objects.get(pk=post.pk).status == S.IN_REVIEW


def test_caption_edit_of_approved_post_goes_back_to_review(login, editor, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED, caption="Old")
    change = reverse("admin:scheduler_post_change", args=[post.pk])
    client = login(editor)
    form = client.get(change)
    assert form.status_code == 200
    data = {"caption": "New caption", "expected_version": post.version}
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert (post.caption, post.status, post.version) == ("New caption", S.IN_REVIEW, 2)
    assert ReviewEvent.objects.get(post=post, action="edited").actor == editor
