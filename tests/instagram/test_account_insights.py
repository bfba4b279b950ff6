"""Account insights in the sandbox and the client: total_value per day, deprecated metrics refused, no data ≠ 0."""

from __future__ import annotations

import time

import pytest

from instagram import errors

pytestmark = pytest.mark.sandbox
DAY = 86400


def _day_start(ts: float) -> int:
    return int(ts // DAY * DAY)


def test_account_day_is_deterministic_and_plausible(client, ig_id):
    today = _day_start(time.time())
    day = client.account_day(ig_id, since=today - DAY, until=today)
    again = client.account_day(ig_id, since=today - DAY, until=today)
    assert day == again
    assert day.followers_count and day.media_count == 0
    assert 0 < day.reach < day.followers_count and day.reach < day.views < 3 * day.reach
    assert 0 < day.accounts_engaged <= day.total_interactions
    week = client.account_insights(ig_id, since=today - 7 * DAY, until=today)
    assert week["reach"] > day.reach  # seven days add up


def test_deprecated_and_unknown_metrics_are_refused(client, ig_id):
    today = _day_start(time.time())
    for metric in ("impressions", "profile_views", "website_clicks"):
        with pytest.raises(errors.GraphAPIError) as err:
            client.account_insights(ig_id, since=today - DAY, until=today, metrics=[metric])
        assert err.value.code == 100 and metric in str(err.value)


def test_a_day_not_over_has_no_data_not_zero(client, ig_id):
    now = time.time()
    values = client.account_insights(ig_id, since=_day_start(now), until=_day_start(now) + DAY)
    assert values == {"reach": None, "views": None, "accounts_engaged": None, "total_interactions": None}


def test_without_the_insights_permission_only_the_counts_come(sandbox, client, ig_id):
    today = _day_start(time.time())
    sandbox.reset_calls()
    day = client.account_day(ig_id, since=today - DAY, until=today, insights=False)
    assert day.followers_count and day.reach is None and sandbox.api_calls() == 1
