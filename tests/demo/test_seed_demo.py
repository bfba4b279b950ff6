from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import InstagramAccount, Membership, User, Workspace
from archive.models import ArchivedMedia, ArchivedProfile
from demo.archive import HISTORY_DAYS
from demo.management.commands.seed_demo import DEMO_PASSWORD, USERS
from instagram.sandbox.testing import RunningSandbox
from scheduler.models import AccountDay, MediaAsset, Post, PostingSlot


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_every_login_works(client, capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with RunningSandbox() as sandbox:
        settings.INSTAGRAM_GRAPH_URL = sandbox.url
        call_command("seed_demo")
        call_command("seed_demo")
    out = capsys.readouterr().out
    assert Workspace.objects.count() == 2
    # Each demo workspace has one connected sandbox account, not duplicated by the second run.
    assert sorted(InstagramAccount.objects.values_list("username", flat=True)) == ["acme_demo", "bluebird_demo"]
    assert User.objects.count() == len(USERS)
    assert Membership.objects.count() == sum(len(slugs) for _, _, slugs in USERS)
    # Demo content, made through the real services once: a library with thumbnails, posts in every review state.
    for ws in Workspace.objects.all():
        assets = MediaAsset.objects.filter(workspace=ws)
        assert assets.count() == 6 and all(a.thumbnail and a.rendition for a in assets)
        statuses = sorted(Post.objects.filter(workspace=ws).exclude(status="published").values_list("status", flat=True))
        assert statuses == ["approved", "approved", "approved", "draft", "draft", "in_review"]
        # 90 days of history, once: published posts with insights and one row of account figures a day.
        published = Post.objects.filter(workspace=ws, status="published")
        assert 30 <= published.count() <= 90 and not published.filter(metrics__isnull=True).exists()
        assert AccountDay.objects.filter(account__workspace=ws).count() == 90
        assert {k for k in published.values_list("kind", flat=True)} == {"feed", "carousel", "reel", "story"}
        captions = " ".join(Post.objects.filter(workspace=ws).values_list("caption", flat=True)).lower()
        if ws.slug == "bluebird":  # a bookshop, not a coffee shop
            assert "book" in captions and "coffee" not in captions and "latte" not in captions
            assert "coffee" not in " ".join(assets.values_list("title", flat=True)).lower()
        assert Post.objects.filter(workspace=ws, manual_reason="stickers").count() == 1
        assert Post.objects.filter(workspace=ws).exclude(rrule="").count() == 1
        assert PostingSlot.objects.filter(account__workspace=ws).count() == 15
        # One archived sandbox profile per workspace, with its files, not archived twice by the second run.
        profile = ArchivedProfile.objects.get(workspace=ws)
        assert profile.posts.count() > 20 and profile.runs.count() == 1 and profile.runs.get().state == "done"
        assert ArchivedMedia.objects.filter(post__profile=profile, state="done").count() >= profile.posts.count()
        # A history behind the first fetch, once (QA: the demo's profile page promised a chart it could not draw).
        before = profile.runs.get().started_at - timedelta(hours=12)
        assert profile.snapshots.filter(taken_at__lt=before).count() == HISTORY_DAYS  # not doubled by the second seed
        first, last = profile.snapshots.order_by("taken_at").first(), profile.snapshots.order_by("taken_at").last()
        assert first.followers_count < last.followers_count and first.media_count <= last.media_count
    for username, _role, slugs in USERS:
        assert username in out
        response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{username} could not sign in"
        landing = client.get(reverse("accounts:home"), follow=True)
        assert landing.status_code == 200
        assert landing.request["PATH_INFO"] == reverse("scheduler:dashboard", kwargs={"ws": slugs[0]})
        client.post(reverse("accounts:logout"))
    # The grid planner has something to show on a fresh install: planned posts, live ones with pictures, free slots,
    # and a draft with a picture and no time in the side rail (issue 21).
    client.post(reverse("accounts:login"), {"username": "social", "password": DEMO_PASSWORD})
    for account in InstagramAccount.objects.all():
        html = client.get(reverse("scheduler:grid", kwargs={"ws": account.workspace.slug,
                                                            "account": account.pk})).content.decode()
        assert html.count('class="tile tile-planned') >= 3 and html.count('data-movable="1"') >= 2
        assert html.count('class="tile tile-live') >= 20 and html.count('class="tile tile-slot') == 6
        rail = re.findall(r'<li class="rail-draft".*?</li>', html, re.S)
        assert len(rail) == 1 and "<img" in rail[0] and "no date yet" in rail[0]
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"username": "client", "password": DEMO_PASSWORD})
    profile = ArchivedProfile.objects.get(workspace__slug="acme")
    page = client.get(reverse("archive:profile", kwargs={"ws": "acme", "pk": profile.pk})).content.decode()
    assert "<polyline" in page and "appears after the second fetch" not in page
    for name in ("analytics", "report"):  # a fresh install shows real-looking figures
        page = client.get(reverse(f"scheduler:{name}", kwargs={"ws": "acme"})).content.decode()
        assert page.count("<polyline") >= 2 and "Nothing published in this period." not in page


@pytest.mark.django_db
def test_seed_demo_without_a_sandbox_says_how_to_fix_it(capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INSTAGRAM_GRAPH_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    call_command("seed_demo")
    assert "sandbox is not running" in capsys.readouterr().out
    assert InstagramAccount.objects.count() == 0
    assert MediaAsset.objects.count() == 12 and Post.objects.count() == 0  # a library, but no posts without accounts
