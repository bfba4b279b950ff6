"""The requests-based transport both clients share: timeouts, usage headers, typed errors, redaction."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, Literal

import requests

from instagram.client.redaction import redact
from instagram.errors import Transient, classify, classify_oauth
from instagram.usage import Usage, parse_usage_headers

__all__ = ["Login", "Timeout", "Transport"]

log = logging.getLogger("instagram.client")

Login = Literal["instagram", "facebook"]
Timeout = float | tuple[float, float]


class Transport:
    """A requests Session with timeouts; turns answers into dicts or typed GraphAPIError exceptions."""

    def __init__(self, *, timeout: Timeout, session: requests.Session | None) -> None:
        self.timeout = timeout
        self.session = session or requests.Session()
        self.last_usage: Usage | None = None

    def _secrets(self) -> tuple[str | None, ...]:
        return ()

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        endpoint: str,
        oauth_shape: bool = False,
        secrets: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        masked = (*self._secrets(), *secrets)
        started = time.monotonic()
        try:
            resp = self.session.request(method, url, params=params, data=data, headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            log.warning("instagram %s timed out after %.1fs", endpoint, time.monotonic() - started)
            raise Transient(f"Timed out calling Instagram ({endpoint}): {redact(str(exc), *masked)}",
                            user_message="Instagram did not answer in time; the request will be retried.") from None
        except requests.RequestException as exc:
            log.warning("instagram %s network error: %s", endpoint, type(exc).__name__)
            raise Transient(f"Network error calling Instagram ({endpoint}): {redact(str(exc), *masked)}",
                            user_message="Instagram could not be reached; the request will be retried.") from None
        elapsed_ms = (time.monotonic() - started) * 1000
        usage = parse_usage_headers(resp.headers)
        if usage is not None:
            self.last_usage = usage
        log.info("instagram %s %s -> %s in %.0f ms", method, endpoint, resp.status_code, elapsed_ms)
        try:
            payload: Any = resp.json()
        except ValueError:
            payload = None
        if resp.status_code >= 400 or (isinstance(payload, dict) and "error" in payload and oauth_shape is False):
            exc = classify_oauth(payload, resp.status_code) if oauth_shape else classify(payload, resp.status_code, resp.headers)
            # Some hosts echo the token back in error text; never let it into exception messages.
            exc.message = redact(exc.message, *masked)
            exc.args = (str(exc),)
            exc.usage = usage
            log.warning("instagram %s failed: %s %s", endpoint, type(exc).__name__, exc)
            raise exc
        if not isinstance(payload, dict):
            raise Transient(f"Instagram answered {endpoint} with something that is not JSON (HTTP {resp.status_code}).",
                            http_status=resp.status_code)
        return payload
