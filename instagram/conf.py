"""Build clients from Django settings, read lazily so `instagram` stays importable without Django."""

from __future__ import annotations

import os
import threading
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests

from instagram.client import GraphClient, OAuthClient

_local = threading.local()


def _settings() -> Any:
    from django.conf import settings

    return settings


def _timeout() -> tuple[float, float]:
    read = float(getattr(_settings(), "INSTAGRAM_TIMEOUT_SECONDS", 30.0))
    # Connecting should be quick even when answering is slow; a stuck connect is a dead host.
    return (min(10.0, read), read)


def graph_client(access_token: str, *, login: str = "instagram", **overrides: Any) -> GraphClient:
    s = _settings()
    kwargs: dict[str, Any] = dict(
        graph_base_url=s.INSTAGRAM_GRAPH_URL,
        api_version=s.INSTAGRAM_API_VERSION,
        login=login,
        timeout=_timeout(),
    )
    kwargs.update(overrides)
    return GraphClient(access_token, **kwargs)


def oauth_client(redirect_uri: str, *, login: str = "instagram", **overrides: Any) -> OAuthClient:
    s = _settings()
    kwargs: dict[str, Any] = dict(
        oauth_base_url=s.INSTAGRAM_OAUTH_URL,
        api_base_url=s.INSTAGRAM_API_URL,
        graph_base_url=s.INSTAGRAM_GRAPH_URL,
        api_version=s.INSTAGRAM_API_VERSION,
        login=login,
        timeout=_timeout(),
    )
    kwargs.update(overrides)
    return OAuthClient(s.INSTAGRAM_APP_ID, s.INSTAGRAM_APP_SECRET, redirect_uri, **kwargs)


def thread_session() -> requests.Session:
    """One HTTP session per thread, for a worker thread that calls Instagram for one account after another
    (the publish threads), only for the Graph API: its connections are kept alive between posts instead of a new
    connection (and TLS handshake) for every post. It keeps no cookies, so nothing carries over from one account
    to the next; the token goes with each request."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        # requests re-reads the environment (proxies, CA bundle) on every request — a scan of os.environ, about a
        # millisecond of CPU per post; this session only calls the Graph API, so resolve it once, for that host.
        session.trust_env = False
        session.proxies = requests.utils.get_environ_proxies(_settings().INSTAGRAM_GRAPH_URL)
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        _local.session = session
    return session
