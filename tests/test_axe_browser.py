"""Issue 23: axe-core (vendored for tests only, tests/vendor/axe.min.js, axe-core 4.10.2 from npm) finds no serious or
critical accessibility violation on the main pages.

axe is run through page.evaluate (the DevTools protocol), so the Content-Security-Policy that refuses inline scripts
does not stop it and the pages are checked under the policy they really run with.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduler.services import approval as approval_svc
from scheduler.services import compose as compose_svc
from scheduler.services.media import media_upload
from tests.archive.factories import make_profile
from tests.browser_support import sign_in
from tests.factories import InstagramAccountFactory
from tests.scheduler.media_fixtures import image_bytes, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[str]:  # noqa: ANN001
    """Serious and critical violations on the page as it is now, one line each (rule, impact, first targets)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE)  # the source as an expression, through the DevTools protocol: not the page's policy
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
                          "v => ({id: v.id, impact: v.impact, help: v.help,"
                          " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes']} on {page.url}"
            for v in found if v["impact"] in BLOCKING]


@pytest.fixture
def content(social, workspace, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    asset = media_upload(user=social, workspace=workspace,
                         uploaded_file=upload("menu.jpg", image_bytes(1080, 1350, color=(196, 120, 60)))).asset
    post = compose_svc.post_create(user=social, workspace=workspace, account=account, kind="feed",
                                   caption="Our autumn menu is here #autumn", asset_ids=[asset.pk],
                                   alt_texts=["A cup of coffee"], publish_at=timezone.now() + timedelta(hours=27))
    post = approval_svc.post_submit(user=social, post=post)
    profile = make_profile(workspace)
    return {"post": post, "profile": profile}


def test_main_pages_have_no_serious_or_critical_axe_violations(browser_page, live_server, client, admin_user, editor,
                                                                content, workspace):
    page = browser_page
    ws = workspace.slug
    problems: list[str] = []
    page.goto(reverse("accounts:login"))
    problems += axe_violations(page)

    sign_in(page, client, admin_user, live_server.url)
    post = content["post"]
    for url in (reverse("scheduler:dashboard", kwargs={"ws": ws}),
                reverse("scheduler:calendar", kwargs={"ws": ws}) + "?view=month",
                reverse("scheduler:calendar", kwargs={"ws": ws}) + "?view=week",
                reverse("scheduler:calendar", kwargs={"ws": ws}) + "?view=agenda",
                reverse("scheduler:post_create", kwargs={"ws": ws}),
                reverse("scheduler:post_detail", kwargs={"ws": ws, "pk": post.pk}),
                reverse("scheduler:library", kwargs={"ws": ws}),
                reverse("archive:gallery", kwargs={"ws": ws, "pk": content["profile"].pk}),
                reverse("accounts:team", kwargs={"ws": ws}),
                reverse("accounts:workspace_settings", kwargs={"ws": ws})):
        page.goto(url)
        problems += axe_violations(page)

    page.context.clear_cookies()
    sign_in(page, client, editor, live_server.url)
    for url in (reverse("admin:scheduler_post_changelist") + "?status__exact=in_review",
                reverse("admin:scheduler_post_change", args=[post.pk])):
        page.goto(url)
        problems += axe_violations(page)
    assert problems == [], "\n".join(problems)
