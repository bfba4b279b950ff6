"""Regression tests for issue 9's findings 2–6 (finding 1, the user admin, is in tests/accounts/test_user_admin.py).

Each was written against the reproduction in the issue and fails on the code before the fix.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Notification
from scheduler.engine.dispatcher import dispatch_run
from scheduler.media.storage import public_url
from scheduler.models import MediaAsset, Post, ReviewEvent
from scheduler.services import approval as approval_svc
from scheduler.services import compose as compose_svc
from scheduler.services import schedule as schedule_svc
from scheduler.services import series as series_svc
from tests.scheduler.media_fixtures import image_bytes, upload
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory
from tests.scheduler.post_fixtures import NOW

pytestmark = pytest.mark.django_db
S = Post.Status


def weekly(workspace, account, social, status=S.DRAFT):
    return compose_svc.post_create(user=social, workspace=workspace, account=account, kind="feed", caption="Unreviewed",
                           asset_ids=[MediaAssetFactory(workspace=workspace).pk], publish_at=NOW + timedelta(days=1),
                           rrule="FREQ=WEEKLY;COUNT=5")


# --- finding 2: a series occurrence inherits review, never gains it -------------------------------------------------

@pytest.mark.parametrize("how", ["skip", "cancel"])
def test_skipping_or_cancelling_a_draft_series_never_creates_an_approved_occurrence(frozen_now, workspace, account,
                                                                                    social, how):
    root = weekly(workspace, account, social)
    if how == "skip":
        nxt = series_svc.post_skip_occurrence(user=social, post=root)
    else:
        schedule_svc.post_cancel(user=social, post=root)
        nxt = Post.objects.get(series_root=root)
    assert nxt.status == S.DRAFT and not nxt.approved_hash
    with time_machine.travel(nxt.publish_at + timedelta(minutes=1), tick=False):
        dispatch_run()
    nxt.refresh_from_db()
    assert nxt.status == S.DRAFT and not nxt.attempts.exists()  # the engine never published it


def test_an_approved_series_passes_its_approval_on_until_its_content_changes(frozen_now, workspace, account, social,
                                                                             editor):
    root = weekly(workspace, account, social)
    approval_svc.post_submit(user=social, post=root)
    approval_svc.post_approve(user=editor, post=root)
    nxt = series_svc.post_skip_occurrence(user=social, post=Post.objects.get(pk=root.pk))
    assert nxt.status == S.APPROVED and nxt.approved_hash == root.approved_hash
    assert list(nxt.items.values_list("asset_id", flat=True)) == list(root.items.values_list("asset_id", flat=True))
    # A content edit of the series after approval: the next occurrence goes through the desk again.
    root2 = weekly(workspace, account, social)
    approval_svc.post_submit(user=social, post=root2)
    approval_svc.post_approve(user=editor, post=root2)
    root2 = Post.objects.get(pk=root2.pk)
    compose_svc.post_update(user=social, post=root2, expected_version=root2.version, caption="Changed after approval")
    root2.refresh_from_db()
    assert root2.status == S.IN_REVIEW
    nxt2 = series_svc.post_skip_occurrence(user=social, post=root2)
    assert nxt2.status == S.DRAFT and nxt2.caption == "Changed after approval"


def test_moving_a_date_of_a_skipped_draft_series_on_the_calendar_creates_no_approved_post(frozen_now, workspace, account,
                                                                                          social, editor):
    """The calendar's series split / single-date move copies the series too: same rule as the engine."""
    from scheduler.services.calendar import series_move_date

    for approve in (False, True):
        root = weekly(workspace, account, social)
        if approve:
            approval_svc.post_submit(user=social, post=root)
            approval_svc.post_approve(user=editor, post=root)
        root = Post.objects.get(pk=root.pk)
        series_svc.post_skip_occurrence(user=social, post=root)  # the root is cancelled now; that must not approve anything
        root = Post.objects.get(pk=root.pk)
        fourth = root.publish_at + timedelta(days=21)
        before = set(Post.objects.values_list("pk", flat=True))
        single = series_move_date(user=social, post=root, occurrence_utc=fourth,
                                  publish_at=fourth + timedelta(hours=2), expected_version=root.version)
        created = Post.objects.exclude(pk__in=before)
        expected = S.APPROVED if approve else S.DRAFT
        assert single.status == expected and set(created.values_list("status", flat=True)) == {expected}, approve


# --- finding 3: no open redirect -------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["https://elsewhere.example/", "//elsewhere.example/x", "javascript:alert(1)"])
def test_dismiss_does_not_redirect_off_site(login, social, workspace, target):
    note = Notification.objects.create(user=social, workspace=workspace, kind="x", title="Hi")
    response = login(social).post(reverse("accounts:notification_dismiss", args=[note.pk]), {"next": target})
    assert response.status_code == 302 and "elsewhere" not in response["Location"]
    assert not response["Location"].startswith(("http", "//", "javascript"))
    ok = login(social).post(reverse("accounts:notification_dismiss", args=[note.pk]), {"next": "/w/acme/posts/"})
    assert ok["Location"] == "/w/acme/posts/"


def test_post_actions_do_not_redirect_off_site(login, social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.DRAFT)
    url = reverse("scheduler:post_cancel", kwargs={"ws": workspace.slug, "pk": post.pk})
    response = login(social).post(url, {"next": "https://elsewhere.example/", "confirmed": "1"})
    assert response["Location"] == reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk})


# --- finding 4: clients see media of approved/published posts only ---------------------------------------------------

def test_clients_cannot_fetch_media_of_drafts(login, client_user, social, workspace, account, media_settings, client):
    from scheduler.services.media import media_upload

    asset = media_upload(user=social, workspace=workspace, uploaded_file=upload("d.jpg", image_bytes())).asset
    draft = PostFactory(workspace=workspace, account=account, status=S.DRAFT, media=[asset])

    def fetch(variant: str) -> int:
        url = reverse("scheduler:asset_file", kwargs={"ws": workspace.slug, "pk": asset.pk, "variant": variant})
        return login(client_user).get(url).status_code

    assert (fetch("original"), fetch("thumb"), fetch("instagram")) == (404, 404, 404)
    # Nor through the signed public URL, which serves posts on their way out only.
    client.logout()
    assert client.get(public_url(asset).removeprefix("http://testserver")).status_code == 404
    Post.objects.filter(pk=draft.pk).update(status=S.APPROVED)
    assert (fetch("original"), fetch("thumb")) == (200, 200)
    assert client.get(public_url(asset).removeprefix("http://testserver")).status_code == 200
    assert MediaAsset.objects.count() == 1


# --- finding 5: a stale admin save conflicts and keeps the newer data ------------------------------------------------

def test_stale_admin_save_shows_a_conflict_and_keeps_the_newer_caption(login, editor, social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.IN_REVIEW, caption="Original")
    change = reverse("admin:scheduler_post_change", args=[post.pk])
    client = login(editor)
    html = client.get(change).content.decode()
    loaded = int(re.search(r'name="expected_version" value="(\d+)"', html).group(1))
    assert loaded == 1
    compose_svc.post_update(user=social, post=Post.objects.get(pk=post.pk), expected_version=1, caption="Newer by Sam")
    hidden = dict(re.findall(r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(\d*)"', html))
    response = client.post(change, {"caption": "Stale edit", "expected_version": loaded, **hidden}, follow=True)
    body = response.content.decode()
    assert "Someone else changed this post" in body and "changed successfully" not in body
    post.refresh_from_db()
    assert (post.caption, post.version) == ("Newer by Sam", 2)
    assert "Newer by Sam" in body  # the form shows the newer data


# --- finding 6: one transition table; pages offer exactly what the services accept ---------------------------------
# (imported here, not at the top, so findings 2–5 above also run against code that predates the table)
from scheduler import rules  # noqa: E402
from scheduler.rules import Op  # noqa: E402


@pytest.mark.parametrize("status", [s for s in S.values])
@pytest.mark.parametrize("persona", ["admin", "editor", "social", "client"], indirect=True)
def test_the_post_page_offers_exactly_what_the_table_allows(login, persona, workspace, account, status, frozen_now):
    post = PostFactory(workspace=workspace, account=account, status=status, rrule="FREQ=DAILY",
                       publish_at=NOW + timedelta(days=2))
    page = login(persona).get(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}))
    if page.status_code == 404:  # a client does not see drafts at all
        assert not rules.allowed_actions(persona, post) & {Op.EDIT, Op.SUBMIT}
        return
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
        url = reverse(f"scheduler:post_{op.value}", kwargs={"ws": workspace.slug, "pk": post.pk})
        assert login(user).post(url, {"note": "x"}).status_code in (302, 403)
    post.refresh_from_db()
    assert post.status == S.PUBLISHED and not ReviewEvent.objects.filter(post=post).exists()
