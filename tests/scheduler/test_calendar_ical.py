"""The iCalendar feed read back with the icalendar library: right instants across DST, series, tokens, scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.urls import reverse

from accounts.models import Membership
from scheduler.models import Post
from scheduler.services.calendar import feed_token_get_or_create, feed_token_regenerate, feed_token_revoke
from tests.factories import InstagramAccountFactory
from tests.scheduler.calendar_support import local, post_at, series_at

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("frozen_at_module_now")  # tests/scheduler/calendar_support.py


def feed_url(token, account=None) -> str:  # noqa: ANN001
    if account is None:
        return reverse("scheduler:calendar_feed", kwargs={"token": token.token})
    return reverse("scheduler:calendar_feed_account", kwargs={"token": token.token, "account": account.pk})


def read(client, url: str) -> icalendar.Calendar:  # noqa: ANN001
    r = client.get(url)
    assert r.status_code == 200, r.status_code
    assert r["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(body(r))


def body(r) -> bytes:  # noqa: ANN001
    """The feed is streamed (StreamingHttpResponse)."""
    return b"".join(r.streaming_content) if r.streaming else r.content


def events(cal: icalendar.Calendar) -> list:
    return sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def test_instants_across_dst_in_utc_and_links(client, social, workspace):
    before = post_at(workspace, local(workspace, "2027-03-27 10:00"), caption="Saturday before")
    after = post_at(workspace, local(workspace, "2027-03-29 10:00"), caption="Monday after")
    r = client.get(feed_url(feed_token_get_or_create(user=social, workspace=workspace)))
    data = body(r)
    assert b"TZID" not in data  # UTC times: exact instants, even for the second of two equal wall times
    cal = icalendar.Calendar.from_ical(data)
    got = {e["UID"].split("@")[0]: e for e in events(cal)}
    first, second = got[f"post-{before.pk}"], got[f"post-{after.pk}"]
    assert first["DTSTART"].to_ical() == b"20270327T090000Z"
    assert first.decoded("dtstart").astimezone(UTC) == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)  # CET
    assert second.decoded("dtstart").astimezone(UTC) == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # CEST
    assert str(first["URL"]).endswith(f"/w/{workspace.slug}/posts/{before.pk}/")
    assert "Saturday before" in str(first["SUMMARY"])


def test_series_are_listed_as_their_occurrences(client, social, workspace):
    series_at(workspace, local(workspace, "2027-03-22 10:00"), rule="FREQ=WEEKLY;COUNT=4", caption="Weekly tip")
    cal = read(client, feed_url(feed_token_get_or_create(user=social, workspace=workspace)))
    starts = [e.decoded("dtstart").astimezone(UTC) for e in events(cal) if "Weekly tip" in str(e["SUMMARY"])]
    assert starts == [datetime(2027, 3, 22, 9, 0, tzinfo=UTC), datetime(2027, 3, 29, 8, 0, tzinfo=UTC),
                      datetime(2027, 4, 5, 8, 0, tzinfo=UTC), datetime(2027, 4, 12, 8, 0, tzinfo=UTC)]
    assert len({e["UID"] for e in events(cal)}) == 4


def test_revoked_and_regenerated_tokens_answer_404(client, social, workspace):
    token = feed_token_get_or_create(user=social, workspace=workspace)
    assert client.get(feed_url(token)).status_code == 200
    fresh = feed_token_regenerate(user=social, workspace=workspace)
    assert client.get(feed_url(token)).status_code == 404
    assert client.get(feed_url(fresh)).status_code == 200
    feed_token_revoke(user=social, workspace=workspace)
    assert client.get(feed_url(fresh)).status_code == 404
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404


def test_token_follows_the_users_rights(client, social, workspace):
    token = feed_token_get_or_create(user=social, workspace=workspace)
    Membership.objects.filter(user=social, workspace=workspace).delete()
    social.__dict__.pop("_pressroom_member", None)
    assert client.get(feed_url(token)).status_code == 404


def test_client_feed_has_no_drafts(client, client_user, workspace):
    post_at(workspace, local(workspace, "2027-03-20 10:00"), caption="Approved launch")
    post_at(workspace, local(workspace, "2027-03-21 10:00"), status=Post.Status.DRAFT, caption="Secret draft")
    post_at(workspace, local(workspace, "2027-03-22 10:00"), status=Post.Status.IN_REVIEW, caption="In review")
    cal = read(client, feed_url(feed_token_get_or_create(user=client_user, workspace=workspace)))
    summaries = " ".join(str(e["SUMMARY"]) for e in events(cal))
    assert "Approved launch" in summaries
    assert "Secret draft" not in summaries and "In review" not in summaries
    # The link goes to the read-only calendar day, not to the post page with its internal review history.
    assert [str(e["URL"]).split("/w/")[1] for e in events(cal)] == ["acme/calendar/?view=day&date=2027-03-20"]


def test_account_feed_holds_that_account_only(client, social, workspace, other_workspace):
    a1 = InstagramAccountFactory(workspace=workspace, username="one")
    a2 = InstagramAccountFactory(workspace=workspace, username="two")
    post_at(workspace, local(workspace, "2027-03-20 10:00"), account=a1)
    post_at(workspace, local(workspace, "2027-03-21 10:00"), account=a2)
    token = feed_token_get_or_create(user=social, workspace=workspace)
    cal = read(client, feed_url(token, a1))
    assert [str(e["SUMMARY"]).split(" ")[0] for e in events(cal)] == ["@one"]
    foreign = InstagramAccountFactory(workspace=other_workspace)
    assert client.get(feed_url(token, foreign)).status_code == 404


def test_feeds_page_creates_and_revokes_links(login, social, workspace):
    c = login(social)
    page = reverse("scheduler:calendar_feeds", kwargs={"ws": workspace.slug})
    assert "Create my feed links" in c.get(page).content.decode()
    html = c.post(page, {"action": "regenerate"}, follow=True).content.decode()
    token = social.calendar_feed_tokens.get(revoked_at__isnull=True)
    assert f"/calendar/feed/{token.token}.ics" in html
    c.post(page, {"action": "revoke"})
    assert not social.calendar_feed_tokens.filter(revoked_at__isnull=True).exists()


def test_long_unicode_text_is_folded_and_reads_back(client, social, workspace):
    caption = "Herbstmischung ☕️ — Röstung „Nord“ " * 12
    post_at(workspace, local(workspace, "2027-03-20 10:00"), caption=caption)
    data = body(client.get(feed_url(feed_token_get_or_create(user=social, workspace=workspace))))
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    (event,) = events(icalendar.Calendar.from_ical(data))
    assert str(event["DESCRIPTION"]) == f"Approved. {caption[:500]}"


def test_feed_is_streamed_and_parses(client, social, workspace):
    """Issue 25: a generator response (not one string), read back with icalendar, every event there."""
    for day in range(11, 31):
        post_at(workspace, local(workspace, f"2027-03-{day:02d} 10:00"), caption=f"Day {day}")
    series_at(workspace, local(workspace, "2027-03-12 08:00"), rule="FREQ=DAILY;COUNT=5", caption="Daily")
    r = client.get(feed_url(feed_token_get_or_create(user=social, workspace=workspace)))
    assert r.status_code == 200 and r.streaming
    cal = icalendar.Calendar.from_ical(b"".join(r.streaming_content))
    assert len(cal.walk("VEVENT")) == 20 + 5


def test_unchanged_feed_answers_304_until_a_post_changes(client, social, client_user, workspace):
    post = post_at(workspace, local(workspace, "2027-03-20 10:00"), caption="First")
    url = feed_url(feed_token_get_or_create(user=social, workspace=workspace))
    first = client.get(url)
    tag = first["ETag"]
    assert first.status_code == 200 and tag
    again = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and not again.streaming and again.content == b""
    # a change in the window (edit through the model: version and updated_at move) gives a new tag and the body
    Post.objects.filter(pk=post.pk).update(caption="Second", version=post.version + 1)
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert b"Second" in body(changed)
    # the engine changes a status without a version: the tag moves too
    tag = changed["ETag"]
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHING)
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200
    # a client's feed of the same workspace never shares a manager's tag
    Membership.objects.get_or_create(user=client_user, workspace=workspace)
    client_url = feed_url(feed_token_get_or_create(user=client_user, workspace=workspace))
    assert client.get(client_url)["ETag"] != client.get(url)["ETag"]


def test_a_write_that_commits_late_with_an_older_time_still_changes_the_tag(client, social, workspace):
    """Two writers: B's write is the newest; A's transaction read the clock first (or its host's clock is behind) and
    commits after a calendar app fetched the feed. A's `updated_at` is older than the newest, its version unchanged:
    the tag must move all the same, or the app keeps the old caption."""
    a = post_at(workspace, local(workspace, "2027-03-20 10:00"), caption="Before")
    b = post_at(workspace, local(workspace, "2027-03-21 10:00"), caption="B")
    url = feed_url(feed_token_get_or_create(user=social, workspace=workspace))
    Post.objects.filter(pk=b.pk).update(caption="B, edited")
    tag = client.get(url)["ETag"]
    newest = Post.objects.get(pk=b.pk).updated_at
    Post.objects.filter(pk=a.pk).update(caption="After", updated_at=newest - timedelta(seconds=30))
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and b"After" in body(changed)


def test_deleting_a_post_of_the_window_changes_the_tag(client, social, workspace):
    """Posts last written long before the newest write are outside the tag's recent read: their deletion is seen
    through the workspace's count of deleted posts (a queryset delete and an instance delete)."""
    stays = post_at(workspace, local(workspace, "2027-03-20 10:00"), caption="Stays")
    old = [post_at(workspace, local(workspace, f"2027-03-2{n} 10:00"), caption=f"Old {n}") for n in (2, 3)]
    Post.objects.filter(pk__in=[p.pk for p in old]).update(updated_at=stays.updated_at - timedelta(days=30))
    url = feed_url(feed_token_get_or_create(user=social, workspace=workspace))
    tag = client.get(url)["ETag"]
    Post.objects.filter(pk=old[0].pk).delete()
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    text = body(changed)
    assert changed.status_code == 200 and b"Old 2" not in text and b"Old 3" in text and b"Stays" in text
    Post.objects.get(pk=old[1].pk).delete()
    assert client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_after_a_bulk_write_the_tag_still_moves_with_every_change(client, social, workspace, monkeypatch):
    """More posts written at once than the recent read takes (an import): the tag sums the window's versions and
    statuses instead, and still moves with an edit, a status the engine sets and a deletion."""
    from scheduler import ical

    monkeypatch.setattr(ical, "RECENT_ROWS", 1)
    posts = [post_at(workspace, local(workspace, f"2027-03-2{n} 10:00"), caption=f"Post {n}") for n in range(3)]
    url = feed_url(feed_token_get_or_create(user=social, workspace=workspace))
    tags = [client.get(url)["ETag"]]
    for write in (lambda: Post.objects.filter(pk=posts[0].pk).update(caption="Edited", version=2),
                  lambda: Post.objects.filter(pk=posts[1].pk).update(status=Post.Status.PUBLISHING),
                  lambda: Post.objects.filter(pk=posts[2].pk).delete()):
        write()
        answer = client.get(url, HTTP_IF_NONE_MATCH=tags[-1])
        assert answer.status_code == 200
        tags.append(answer["ETag"])
    assert len(set(tags)) == 4


def test_revoked_token_is_404_even_with_a_known_etag(client, social, workspace):
    post_at(workspace, local(workspace, "2027-03-20 10:00"))
    token = feed_token_get_or_create(user=social, workspace=workspace)
    tag = client.get(feed_url(token))["ETag"]
    feed_token_revoke(user=social, workspace=workspace)
    assert client.get(feed_url(token), HTTP_IF_NONE_MATCH=tag).status_code == 404
