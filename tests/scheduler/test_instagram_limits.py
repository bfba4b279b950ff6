"""Instagram's limits are written once, in scheduler/instagram_rules.py: pages and forms read them from there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scheduler import instagram_rules
from scheduler.forms.media import AssetForm
from scheduler.models import MediaAsset, Post, PostMedia
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db


def test_the_review_desk_counts_the_caption_against_the_rules_limits(login, editor, workspace, account, monkeypatch):
    post = PostFactory(workspace=workspace, account=account, status=Post.Status.IN_REVIEW,
                       caption="Autumn menu #coffee #beans @roastery")
    change = reverse("admin:scheduler_post_change", args=[post.pk])
    page = login(editor).get(change).content.decode()
    assert "36 / 2,200 characters · 2 / 30 hashtags · 1 / 20 mentions" in page
    # Change the limits in the one module: the desk follows (nothing in the template repeats them).
    monkeypatch.setattr(instagram_rules, "CAPTION_MAX", 1000)
    monkeypatch.setattr(instagram_rules, "HASHTAGS_MAX", 5)
    monkeypatch.setattr(instagram_rules, "MENTIONS_MAX", 3)
    page = login(editor).get(change).content.decode()
    assert "36 / 1,000 characters · 2 / 5 hashtags · 1 / 3 mentions" in page


def test_the_alt_text_maximum_is_instagram_rules_own():
    assert instagram_rules.ALT_TEXT_MAX == 1000  # Instagram's documented limit (instagram-graph-api.md: alt_text ≤ 1000 chars)
    assert AssetForm().fields["alt_text"].max_length == instagram_rules.ALT_TEXT_MAX
    # The columns are as wide as the rule (models cannot import the rules module, so this test ties them).
    assert MediaAsset._meta.get_field("alt_text").max_length == instagram_rules.ALT_TEXT_MAX
    assert PostMedia._meta.get_field("alt_text").max_length == instagram_rules.ALT_TEXT_MAX
