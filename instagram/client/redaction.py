"""Masking of tokens and secrets wherever a URL, header or message becomes text (logs, errors, reprs)."""

from __future__ import annotations

import logging
import re

__all__ = ["redact", "mask_token"]

# Query/form parameters whose values are secrets; masked wherever a URL or message is turned into text.
_SECRET_PARAMS = ("access_token", "input_token", "client_secret", "fb_exchange_token", "code", "refresh_token")
_SECRET_PARAM_RE = re.compile(r"((?:{})=)[^&\s#\"']+".format("|".join(_SECRET_PARAMS)), re.IGNORECASE)
_AUTH_HEADER_RE = re.compile(r"((?:Bearer|OAuth)\s+)[A-Za-z0-9._\-|%]+", re.IGNORECASE)


def redact(text: str, *secrets: str | None) -> str:
    """Mask secret query parameters, auth headers and any of the given literal secrets in text."""
    text = _SECRET_PARAM_RE.sub(r"\1***", text)
    text = _AUTH_HEADER_RE.sub(r"\1***", text)
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "***")
    return text


class _RedactingFilter(logging.Filter):
    """urllib3 logs full request lines (query strings included) at DEBUG; mask the secrets in them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix; let logging report it
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_urllib3_log = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, _RedactingFilter) for f in _urllib3_log.filters):
    _urllib3_log.addFilter(_RedactingFilter())


def mask_token(token: str | None) -> str:
    return f"{token[:4]}…({len(token)} chars)" if token else "<none>"
