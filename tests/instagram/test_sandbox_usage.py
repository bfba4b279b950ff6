"""Usage headers that rise with calls, throttling with a regain time, resetting usage, and call counters."""

from __future__ import annotations

import pytest

from instagram import errors
from instagram.usage import Usage

pytestmark = pytest.mark.sandbox


def test_account_usage_rises_then_throttles_with_regain_time(sandbox, client, ig_id):
    sandbox.configure(app_call_budget=1000, account_call_budget=4)
    percents = []
    for _ in range(4):
        page = client.business_discovery_page(ig_id, "lumen_studio", limit=5)
        percents.append(page.usage.account_percent)
    assert percents == [25, 50, 75, 100] and page.usage.app_percent < page.usage.account_percent

    with pytest.raises(errors.RateLimited) as info:
        client.business_discovery_page(ig_id, "lumen_studio", limit=5)
    exc = info.value
    assert exc.code == 17 and exc.usage.regain_access_minutes == 60 and exc.retry_after_seconds == 3600
    assert exc.usage.account_percent == 100 and exc.usage.pause_seconds() == 3600

    sandbox.advance_clock(3601)  # the calls leave the rolling hour
    assert client.business_discovery_page(ig_id, "lumen_studio", limit=5).usage.account_percent == 25


def test_app_budget_answers_code_4_and_reset_usage_lifts_it(sandbox, client, ig_id):
    sandbox.configure(app_call_budget=3, account_call_budget=100)
    for _ in range(3):
        client.me()
    with pytest.raises(errors.RateLimited) as info:
        client.me()
    assert info.value.code == 4 and info.value.retry_after_seconds and sandbox.usage()["app"]["calls"] == 3
    sandbox.reset_usage()
    assert client.me()["id"] == ig_id and sandbox.usage()["app"]["calls"] == 1


def test_configured_throttle_code_and_fill(sandbox, client, ig_id):
    sandbox.configure(account_call_budget=100, account_limit_code=80002)
    sandbox.fill_usage(95, account_id=ig_id)
    client.me()
    assert client.last_usage.account_percent == 96 and client.last_usage.near_limit
    sandbox.fill_usage(4, account_id=ig_id)
    with pytest.raises(errors.RateLimited) as info:
        client.me()
    assert info.value.code == 80002


def test_call_counters_count_every_api_call(sandbox, client, ig_id):
    sandbox.reset_calls()
    list(client.business_discovery_media(ig_id, "verde_kitchen", limit=25))  # 60 posts: 3 pages
    client.me()
    sandbox.configure(app_call_budget=1)
    with pytest.raises(errors.RateLimited):
        client.me()  # refused calls are counted too: they were made
    counts = sandbox.calls()
    assert counts["by_endpoint"] == {"business_discovery": 3, "profile": 2} and counts["total"] == 5
    assert counts["by_account"] == {ig_id: 5} and sandbox.api_calls("business_discovery") == 3
    sandbox.reset_calls()
    assert sandbox.api_calls() == 0


def test_usage_pause_grows_towards_the_limit():
    assert Usage(max_percent=50).pause_seconds() == 0
    calm, busy = Usage(max_percent=80).pause_seconds(), Usage(max_percent=95).pause_seconds()
    assert 0 < calm < busy <= 360
    assert Usage(max_percent=100, regain_access_minutes=5).pause_seconds() == 300
