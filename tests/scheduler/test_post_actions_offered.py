"""One transition table: the post page offers exactly what the services accept, and a forged action changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from scheduler import rules
from scheduler.models import Post, ReviewEvent
from scheduler.rules import Op
from tests.scheduler.post_factories import PostFactory
from tests.scheduler.post_fixtures import NOW

pytestmark = pytest.mark.django_db
S = Post.Status

# Which statuses a client (read-only) may open, written here from DESIGN.md §1 ("the approved calendar"), not read
# from scheduler.rules: every other persona opens every post.
CLIENT_MAY_OPEN = {"approved", "publishing", "published"}


@pytest.mark.parametrize("status", [s for s in S.values])
@pytest.mark.parametrize("persona", ["admin", "editor", "social", "client"], indirect=True)
def test_the_post_page_offers_exactly_what_the_table_allows(login, persona, workspace, account, status, frozen_now):
    post = PostFactory(workspace=workspace, account=account, status=status, rrule="FREQ=DAILY",
                       publish_at=NOW + timedelta(days=2))
    page = login(persona).get(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}))
    if persona.username == "cleo-client" and status not in CLIENT_MAY_OPEN:
        # A client does not see drafts, posts in review or failures at all: 404, never a page and never a 200.
        assert page.status_code == 404
        assert not rules.allowed_actions(persona, post) & {Op.EDIT, Op.SUBMIT}
        return
    assert page.status_code == 200  # every other persona and status opens the page (a 404 here is a bug)
    html = page.content.decode()
    offered = {op for op in Op if op not in (Op.EDIT, Op.EDIT_CAPTION)
               and f"/posts/{post.pk}/{op.value.replace('_', '-')}\"" in html}
    expected = rules.allowed_actions(persona, post) - {Op.EDIT, Op.EDIT_CAPTION}
    assert offered == expected
    assert (f"/posts/{post.pk}/edit\"" in html) == bool(rules.allowed_actions(persona, post)
                                                         & {Op.EDIT, Op.EDIT_CAPTION})


@pytest.mark.parametrize("op", [Op.SUBMIT, Op.APPROVE, Op.CANCEL, Op.PUBLISH_NOW, Op.SKIP])
def test_a_forged_action_the_table_refuses_changes_nothing(login, editor, social, workspace, account, op, frozen_now):
    post = PostFactory(workspace=workspace, account=account, status=S.PUBLISHED)
    for user in (editor, social):
        assert not rules.may(user, op, post)
        name = "post_skip_occurrence" if op is Op.SKIP else f"post_{op.value}"  # the route is named after its service
        url = reverse(f"scheduler:{name}", kwargs={"ws": workspace.slug, "pk": post.pk})
        assert login(user).post(url, {"note": "x"}).status_code in (302, 403)
    post.refresh_from_db()
    assert post.status == S.PUBLISHED and not ReviewEvent.objects.filter(post=post).exists()
