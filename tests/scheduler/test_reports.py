"""The client report: read-only, own workspace only, no drafts and no review notes; the CSV (streamed, formula-safe);
the monthly e-mail (once per month, on the 1st in the workspace's zone)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.spreadsheets import spreadsheet_cell
from scheduler.models import ReportSubscription
from scheduler.services.reports import monthly_reports_send
from tests.factories import UserFactory
from tests.scheduler.analytics_fixtures import *  # noqa: F403 (the analytics_data fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def url(name, ws, **query):
    return reverse(f"scheduler:{name}", kwargs={"ws": ws.slug}) + ("?" + "&".join(f"{k}={v}" for k, v in query.items())
                                                                    if query else "")


def test_client_report_shows_published_posts_only_and_no_review_notes(login, client_user, workspace, analytics_data):
    c = login(client_user)
    html = c.get(url("report", workspace)).content.decode()  # default: last month, April 2027
    assert "April 2027" in html and "Acme Coffee on Instagram" in html
    for name in ("p1", "p2", "p3", "p4"):
        assert f"Post {name}" in html
    assert "Post p5" not in html.split("Every post of the month")[1]  # March
    assert "SECRET DRAFT" not in html and "the client hates emojis" not in html
    assert 'class="report-section"' in html and "Monthly e-mail" not in html  # clients do not manage the e-mail
    assert 'data-nav="scheduler:report"' in html and 'data-nav="scheduler:analytics"' in html


def test_report_of_another_workspace_is_a_404(login, outsider, workspace, analytics_data):
    c = login(outsider)
    assert c.get(url("report", workspace)).status_code == 404
    assert c.get(url("report_csv", workspace)).status_code == 404
    assert c.get(url("analytics", workspace)).status_code == 404


def test_bad_month_says_so_and_shows_last_month(login, client_user, workspace, analytics_data):
    html = login(client_user).get(url("report", workspace, month="April")).content.decode()
    assert "“April” is not a month; write it like 2026-11." in html and "April 2027" in html


def test_csv_streams_published_posts_with_formula_cells_neutralised(login, client_user, workspace, analytics_data):
    post = analytics_data["p1"]
    post.caption = "=HYPERLINK(\"http://evil.example\",\"click\")"
    post.save(update_fields=["caption"])
    response = login(client_user).get(url("report_csv", workspace, month="2027-04"))
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["published (local)", "account", "kind"]
    assert len(rows) == 5  # four published in April; no draft, nothing from March
    by_caption = {r[3]: r for r in rows[1:]}
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in by_caption
    p2 = by_caption["Post p2 #coffee"]
    assert p2[0] == "2027-04-12 09:30" and p2[5:13] == ["2000", "4000", "150", "20", "20", "10", "200", "0.1000"]


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+41 79", "'+41 79"), ("-x", "'-x"), ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("plain", "plain"), (-5, -5), (3, 3), (None, None),
])
def test_report_cells_use_the_one_spreadsheet_rule(value, expected):
    assert spreadsheet_cell(value) == expected


def test_monthly_email_once_per_month_across_the_boundary_in_the_workspace_zone(workspace, client_user, admin_user,
                                                                               analytics_data):
    sub = ReportSubscription.objects.create(workspace=workspace, enabled=True)
    stranger = UserFactory(username="not-a-member", email="x@example.test")
    sub.recipients.set([client_user, stranger])  # someone who left the workspace gets nothing
    # 30 April 23:30 in Berlin (21:30 UTC): still April locally — nothing yet.
    with time_machine.travel(datetime(2027, 4, 30, 21, 30, tzinfo=UTC), tick=False):
        assert monthly_reports_send() == 0
    # 1 May 00:05 in Berlin is still 30 April in UTC: the report of April goes out now, once.
    with time_machine.travel(datetime(2027, 4, 30, 22, 5, tzinfo=UTC), tick=False):
        assert monthly_reports_send() == 1
        assert monthly_reports_send() == 0
    with time_machine.travel(datetime(2027, 5, 1, 12, 0, tzinfo=UTC), tick=False):
        assert monthly_reports_send() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [client_user.email] and "April 2027" in message.subject
    assert "Engagement rate: 6.9 %" in message.body and "/w/acme/report/?month=2027-04" in message.body
    assert "SECRET DRAFT" not in message.body
    # The next month: once more.
    with time_machine.travel(datetime(2027, 5, 31, 22, 10, tzinfo=UTC), tick=False):
        assert monthly_reports_send() == 1
    assert len(mail.outbox) == 2 and "May 2027" in mail.outbox[1].subject
    # Off: nothing.
    ReportSubscription.objects.filter(pk=sub.pk).update(enabled=False)
    with time_machine.travel(datetime(2027, 7, 1, 6, 0, tzinfo=UTC), tick=False):
        assert monthly_reports_send() == 0


def test_email_setting_needs_a_recipient_and_is_admin_only(login, admin_user, social, client_user, workspace):
    c = login(admin_user)
    page = c.post(url("report_email", workspace), {"enabled": "on"}).content.decode()
    assert "Choose at least one member to send the report to." in page and 'checked' in page
    assert not ReportSubscription.objects.exists()
    assert c.post(url("report_email", workspace), {"enabled": "on", "recipients": [str(client_user.pk)]}).status_code == 302
    sub = ReportSubscription.objects.get(workspace=workspace)
    assert sub.enabled and list(sub.recipients.all()) == [client_user]
    assert login(social).get(url("report_email", workspace)).status_code == 403


def test_report_for_a_date_range_and_its_csv(login, client_user, workspace, analytics_data):
    c = login(client_user)
    html = c.get(url("report", workspace, start="2027-04-10", end="2027-04-19")).content.decode()
    assert "10 Apr 2027 – 19 Apr 2027" in html and "Every post of the period" in html
    table = html.split("Every post of the period")[1]
    assert "Post p2" in table and "Post p3" in table and "Post p1" not in table
    assert "start=2027-04-10&amp;end=2027-04-19" in html  # the CSV link keeps the range
    rows = b"".join(c.get(url("report_csv", workspace, start="2027-04-10", end="2027-04-19")).streaming_content)
    assert rows.count(b"\n") == 3  # header + p2 + p3
    bad = c.get(url("report", workspace, start="2027-04-19", end="2027-04-10")).content.decode()
    assert "The end date is before the start date." in bad
    assert c.get(url("report_csv", workspace, start="2027-04-19", end="2027-04-10")).status_code == 400
