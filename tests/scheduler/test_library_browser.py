"""The library in a real browser: upload files (picker and drop) with progress, find them, filter, edit alt text."""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import reverse

from scheduler.models import MediaAsset
from tests.browser_support import screenshot, sign_in
from tests.scheduler.media_fixtures import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _empty_library(page, client, user, live_server, workspace, settings, tmp_path, picks: dict[str, bytes]):  # noqa: ANN001, ANN202
    """Signed in on the workspace's empty library, with `picks` written as files to choose from (their folder)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    files = tmp_path / "pick"
    files.mkdir()
    for name, content in picks.items():
        (files / name).write_bytes(content)
    sign_in(page, client, user, live_server.url)
    page.goto(reverse("scheduler:library", kwargs={"ws": workspace.slug}))
    page.get_by_text("The library is empty").wait_for()
    return files


def test_upload_two_files_filter_and_edit_alt_text(browser_page, live_server, client, social, workspace, settings,
                                                    tmp_path):
    page = browser_page
    files = _empty_library(page, client, social, live_server, workspace, settings, tmp_path, {
        "harbour-sunrise.jpg": image_bytes(1080, 1350, "JPEG", color=(30, 90, 160)),
        "latte-art.png": image_bytes(1200, 1200, "PNG", color=(190, 140, 90)),
        "notes.jpg": b"#!/bin/sh\necho this is not a photo\n"})
    page.set_input_files("#upload-input", [str(files / "harbour-sunrise.jpg"), str(files / "latte-art.png")])
    done = page.locator("#upload-list li.done")
    done.nth(1).wait_for()
    assert done.count() == 2
    for i in range(2):  # each file had its own progress bar, now full
        assert done.nth(i).locator("progress").evaluate("p => p.value") == 100
        assert done.nth(i).locator(".status").inner_text() == "Uploaded"
    cards = page.locator("#asset-grid .asset-card")
    assert cards.count() == 2  # the new cards went straight into the grid
    # The header count follows (issue 23), without a reload.
    page.wait_for_function("() => document.getElementById('library-total').textContent.startsWith('2 assets')")
    assert page.locator("#library-total").inner_text() == f"2 assets in {workspace.name}"

    # A file that is not a photo: rejected by name and reason, nothing else disturbed.
    page.set_input_files("#upload-input", [str(files / "notes.jpg")])
    failed = page.locator("#upload-list li.failed")
    failed.wait_for()
    assert "“notes.jpg”" in failed.inner_text()
    assert cards.count() == 2

    # Drag and drop onto the drop zone works like the picker.
    dropped = base64.b64encode(image_bytes(1080, 1080, "WEBP", color=(20, 160, 90))).decode()
    page.evaluate("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, {type: "image/webp"}));
        document.getElementById("dropzone").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", ["park-bench.webp", dropped])
    done.nth(2).wait_for()
    assert cards.count() == 3

    # The grid as the server renders it, then filtered by search and by kind.
    page.reload()
    assert cards.count() == 3
    page.fill("input[name=q]", "harbour")
    page.wait_for_function("document.querySelectorAll('#asset-grid .asset-card').length === 1")
    assert "harbour-sunrise" in cards.first.inner_text()
    assert "q=harbour" in page.url  # the filter is in the address: shareable, survives reload
    page.fill("input[name=q]", "")
    page.wait_for_function("document.querySelectorAll('#asset-grid .asset-card').length === 3")
    page.select_option("select[name=kind]", "video")
    page.get_by_text("Nothing matches these filters.").wait_for()
    page.select_option("select[name=kind]", "image")
    page.wait_for_function("document.querySelectorAll('#asset-grid .asset-card').length === 3")

    # The detail panel: open a card, write alt text, save; the card and the database agree.
    page.locator(".asset-card", has_text="latte-art").locator(".asset-open").click()
    panel = page.locator("#panel")
    panel.get_by_label("Alt text").wait_for()
    assert "Not used in any post yet." in panel.inner_text()
    panel.get_by_label("Alt text").fill("A heart drawn in milk foam on a latte")
    panel.get_by_label("Tags").fill("coffee, art")
    panel.get_by_role("button", name="Save").click()
    panel.get_by_text("Saved.").wait_for()
    asset = MediaAsset.objects.get(original_name="latte-art.png")
    assert asset.alt_text == "A heart drawn in milk foam on a latte" and asset.tags == "coffee art"
    card = page.locator(f"#asset-{asset.pk}")
    assert card.locator("img").get_attribute("alt") == "A heart drawn in milk foam on a latte"
    assert re.search(r"no alt", page.locator(".asset-card", has_text="harbour").inner_text())
    # Thumbnails really load (served to members by the app), not broken images.
    assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "library")


def test_header_count_keeps_the_newest_count_when_answers_arrive_out_of_order(
        browser_page, live_server, client, social, workspace, settings, tmp_path):
    """Uploads run side by side; the answer that arrives last may carry the older count (CI saw "1 asset" after two)."""
    page = browser_page
    files = _empty_library(page, client, social, live_server, workspace, settings, tmp_path, {
        "first.jpg": image_bytes(1080, 1350, "JPEG", color=(200, 40, 40)),
        "second.png": image_bytes(1080, 1080, "PNG", color=(40, 200, 40))})

    # Both answers' "load" handlers are held until both have arrived, then run newest count first: the answer
    # counted first ("1 asset") is handled last.
    page.evaluate("""() => {
        const add = XMLHttpRequest.prototype.addEventListener;
        const held = [];
        XMLHttpRequest.prototype.addEventListener = function (type, fn, opts) {
            if (type !== "load") return add.call(this, type, fn, opts);
            return add.call(this, type, function (e) {
                held.push({at: JSON.parse(this.responseText).counted_at, run: () => fn.call(this, e)});
                if (held.length < 2) return;
                held.sort((a, b) => b.at - a.at);
                held.forEach((h) => h.run());
            }, opts);
        };
    }""")
    page.set_input_files("#upload-input", [str(files / "first.jpg"), str(files / "second.png")])
    page.locator("#upload-list li.done").nth(1).wait_for()
    assert MediaAsset.objects.filter(workspace=workspace).count() == 2
    # The held answer arrived last; the page still shows the newer count.
    assert page.locator("#library-total").inner_text() == f"2 assets in {workspace.name}"
