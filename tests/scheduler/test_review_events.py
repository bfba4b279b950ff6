"""ReviewEvent.action is one enum with labels: every writer uses it, and the post history reads its labels (issue 19)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from scheduler.models import Post, ReviewEvent
from tests.scheduler.post_factories import PostFactory

ROOT = Path(__file__).resolve().parents[2]

# Every event kind the services write, and how the history completes "<who> …" (written here, not read from code).
EXPECTED_LABELS = {
    "created": "created the post", "edited": "edited it", "moved": "moved it",
    "submitted": "submitted it for review", "approved": "approved it",
    "approved_first": "gave the first of two approvals", "rejected": "rejected it",
    "changes_requested": "requested changes", "review_expired": "flagged it: still in review at its time",
    "rescheduled": "rescheduled it", "queued": "queued it", "cancelled": "cancelled it",
    "publish_now": "asked to publish it now", "skipped": "skipped this date", "series_stopped": "stopped the series",
    "series_moved": "moved the series", "series_split": "split the series",
    "series_continued": "continued the series from this date", "series_date_moved": "moved one date of the series",
    "occurrence_created": "created this date of the series", "marked_manual": "sent it to the manual lane",
    "posted_manually": "marked it as posted by hand",
    "details_changed": "changed its details", "follows_series": "took the series' decision",
}


def test_every_event_kind_has_its_label():
    assert dict(ReviewEvent.Action.choices) == EXPECTED_LABELS


def _literal_actions(tree: ast.AST) -> list[str]:
    """`action="…"` keywords and `write_event(post, user, "…", …)` arguments written as bare strings."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or getattr(node.func, "attr", "") == "add_argument":  # argparse's action=
            continue
        for kw in node.keywords:
            if kw.arg == "action" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                found.append(kw.value.value)
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name in ("_event", "write_event") and len(node.args) >= 3 and isinstance(node.args[2], ast.Constant):
            found.append(node.args[2].value)
    return found


def test_no_module_writes_an_event_kind_as_a_bare_string():
    offenders = []
    for path in sorted((ROOT / "scheduler").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for value in _literal_actions(ast.parse(path.read_text())):
            offenders.append(f"{path.relative_to(ROOT)}: {value!r}")
    assert offenders == []


def test_the_checker_sees_both_spellings():
    source = 'ReviewEvent.objects.create(action="approved")\n_event(post, user, "series_moved", "note")\n'
    assert _literal_actions(ast.parse(source)) == ["approved", "series_moved"]


@pytest.mark.django_db
def test_the_post_history_shows_the_labels_the_old_list_missed(login, social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=Post.Status.IN_REVIEW)
    for kind in ("approved_first", "review_expired", "series_moved", "series_split", "series_continued",
                 "series_date_moved"):
        ReviewEvent.objects.create(post=post, actor=social, action=kind, from_status="in_review",
                                   to_status="in_review")
    html = login(social).get(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk})).content
    for kind in ("approved_first", "review_expired", "series_moved", "series_split", "series_continued",
                 "series_date_moved"):
        assert EXPECTED_LABELS[kind] in html.decode(), kind
