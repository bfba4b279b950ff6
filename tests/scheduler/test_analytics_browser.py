"""The analytics page and the monthly report as a client, in headless Chromium, on screen and in print.

Screenshots (looked at) go to /work/wt/screens/i22/ when that folder exists, else var/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from demo.history import history_create
from scheduler.services import media as media_services
from tests.browser_support import SCREENSHOTS, sign_in
from tests.factories import InstagramAccountFactory
from tests.scheduler.media_fixtures import image_bytes, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/wt/screens/i22") if Path("/work/wt/screens").is_dir() else SCREENSHOTS


def _shot(page, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_client_opens_analytics_and_the_printable_report(browser_page, live_server, client, settings, tmp_path,
                                                         workspace, social, client_user):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    assets = [media_services.media_upload(user=social, workspace=workspace, uploaded_file=upload(
        f"cup-{i}.jpg", image_bytes(1080, 1350, color=color))).asset
        for i, color in enumerate([(120, 70, 40), (200, 150, 90), (60, 40, 30), (230, 210, 180)])]
    made = history_create(account=account, author=social, assets=assets,
                          today=timezone.localdate(timezone=workspace.tzinfo))
    assert made > 30

    page = browser_page
    sign_in(page, client, client_user, live_server.url)
    page.goto(reverse("scheduler:analytics", kwargs={"ws": workspace.slug}))
    page.locator(".followers-chart polyline").wait_for()
    assert page.locator(".kpi").count() == 6
    assert page.locator(".reach-chart polyline").count() == 2  # this period and the previous, dashed
    assert page.locator("#posts tbody tr").count() >= 10
    assert page.locator("#posts img").count() >= 10  # thumbnails load for a client (published posts' media)
    assert re.search(r"\d+\.\d %", page.locator('[data-kpi="engagement-rate"] strong').inner_text())
    page.locator('#posts th a', has_text="Reach").click()
    page.wait_for_url(re.compile(r"sort=reach"))
    _shot(page, "analytics-client")

    page.goto(reverse("scheduler:best_time", kwargs={"ws": workspace.slug}))
    page.locator("table.heatmap").wait_for()
    assert page.locator("text=Use as posting slots").count() == 0  # clients look, they do not set slots
    _shot(page, "best-time-client")

    page.goto(reverse("scheduler:report", kwargs={"ws": workspace.slug}))
    page.locator(".report-cover h1").wait_for()
    assert page.locator(".report-section").count() == 4
    assert page.locator("text=Download CSV").is_visible()
    _shot(page, "report-client-screen")
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden() and all(f.is_hidden() for f in page.locator(".report form.no-print").all())
    breaks = page.eval_on_selector_all(".report-section", "els => els.map(e => getComputedStyle(e).breakAfter)")
    assert breaks[:-1] == ["page"] * 3
    _shot(page, "report-client-print")
    pdf = page.pdf(format="A4", print_background=True)
    (SHOTS / "report-client.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 4  # one page (at least) per section
