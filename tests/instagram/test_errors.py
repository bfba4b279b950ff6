"""classify() follows the error table of instagram-graph-api.md §4; usage headers parse."""

from __future__ import annotations

import pytest

from instagram import errors
from instagram.usage import parse_usage_headers


def _env(code, subcode=None, **extra):
    return {"error": {"message": "m", "type": "OAuthException", "code": code, "error_subcode": subcode,
                      "fbtrace_id": "T", **extra}}


@pytest.mark.parametrize(("code", "subcode", "cls"), [
    (190, 460, errors.TokenInvalid), (4, None, errors.RateLimited), (17, None, errors.RateLimited),
    (32, None, errors.RateLimited), (613, None, errors.RateLimited), (80002, None, errors.RateLimited),
    (9, 2207042, errors.PublishingLimitReached), (1, None, errors.Transient), (2, None, errors.Transient),
    (-1, 2207001, errors.Transient), (-2, 2207003, errors.Transient), (24, 2207008, errors.Transient),
    (9007, 2207027, errors.NotReady), (-2, 2207020, errors.NeedsNewContainer),
    (-1, 2207032, errors.NeedsNewContainer), (-1, 2207053, errors.NeedsNewContainer),
    (352, 2207026, errors.PermanentMediaError), (36000, 2207004, errors.PermanentMediaError),
    (36004, 2207010, errors.PermanentMediaError), (100, 2207028, errors.PermanentMediaError),
    (9004, 2207052, errors.PermanentMediaError), (100, 2207040, errors.PermanentMediaError),
    (25, 2207050, errors.PermanentMediaError), (4, 2207051, errors.PermanentMediaError),
    (10, None, errors.PermissionDenied), (200, None, errors.PermissionDenied), (299, None, errors.PermissionDenied),
])
def test_table(code, subcode, cls):
    exc = errors.classify(_env(code, subcode), 400, {})
    assert type(exc) is cls and exc.code == code
    assert exc.user_message == errors._SUBCODE_MESSAGES.get(subcode, cls.default_user_message)  # plain words, not "m"


def test_is_transient_flag_and_5xx():
    assert isinstance(errors.classify(_env(999, is_transient=True), 400), errors.Transient)
    assert isinstance(errors.classify(None, 502), errors.Transient)
    assert type(errors.classify(_env(100), 400)) is errors.GraphAPIError


def test_user_msg_wins():
    exc = errors.classify(_env(36001, 2207005, error_user_msg="Use a JPEG please."), 400)
    assert exc.user_message == "Use a JPEG please."


def test_usage_headers():
    usage = parse_usage_headers({"x-app-usage": '{"call_count":28,"total_time":25,"total_cputime":95}'})
    assert usage.max_percent == 95 and usage.near_limit and usage.regain_access_minutes is None
    buc = '{"1": [{"type": "instagram", "call_count": 5, "estimated_time_to_regain_access": 3}]}'
    assert parse_usage_headers({"X-Business-Use-Case-Usage": buc}).regain_access_minutes == 3
    assert parse_usage_headers({}) is None
    assert parse_usage_headers({"X-App-Usage": "garbage"}) is None
