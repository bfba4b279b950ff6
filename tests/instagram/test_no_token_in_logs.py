"""Tokens, secrets and codes never reach log output, exception text or reprs."""

from __future__ import annotations

import logging

import pytest
import requests

from instagram import errors

pytestmark = pytest.mark.sandbox


def test_exchange_refresh_publish_logs_no_secret(sandbox, caplog):
    caplog.set_level(logging.DEBUG)  # urllib3 logs full request lines (query strings included) at DEBUG
    oauth = sandbox.oauth_client("http://testserver/cb")
    location = requests.get(oauth.authorize_url(["instagram_business_basic", "instagram_business_content_publish"], "s")
                            + "&sandbox_auto=allow", allow_redirects=False).headers["Location"]
    code = location.split("code=")[1].split("&")[0]
    short = oauth.exchange_code(code)
    long = oauth.exchange_long_lived(short.access_token)
    sandbox.advance_clock(86401)
    fresh = oauth.refresh(long.access_token)
    client = sandbox.graph_client(fresh.access_token)
    ig_id = short.user_id
    client.media_publish(ig_id, client.create_image_container(ig_id, sandbox.image_url()))
    texts = [repr(client), repr(oauth), repr(short), repr(long), repr(fresh)]
    sandbox.inject_fault("media_publish", code=190, subcode=463, message=f"bad token {fresh.access_token}", once=True)
    with pytest.raises(errors.TokenInvalid) as info:
        client.media_publish(ig_id, "1")
    texts += [str(info.value), repr(info.value), info.value.user_message]
    sandbox.inject_fault("profile", timeout=True, sleep_seconds=1, once=True)
    with pytest.raises(errors.Transient) as info:
        sandbox.graph_client(fresh.access_token, timeout=(1, 0.2)).me()
    texts.append(str(info.value))
    with pytest.raises(errors.GraphAPIError) as info:
        oauth.refresh(short.access_token)  # a short-lived token cannot be refreshed; the error text must not echo it
    texts.append(str(info.value))

    output = "\n".join([caplog.text, *texts])
    assert "GET /" in caplog.text or "POST /" in caplog.text  # urllib3 request lines were really captured
    for secret in (code, short.access_token, long.access_token, fresh.access_token, sandbox.sandbox.config["app_secret"]):
        assert secret not in output
