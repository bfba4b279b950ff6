"""Typed Graph API errors, following the error table of instagram-graph-api.md §4.

Callers decide what to do by the exception class (reconnect, wait, retry, new container, give up),
never by parsing messages. Every exception carries a plain-words `user_message` that can be shown
to a person as is; Meta's own `error_user_msg` wins when it is present.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from instagram.usage import Usage, parse_usage_headers

__all__ = [
    "GraphAPIError",
    "TokenInvalid",
    "RateLimited",
    "PublishingLimitReached",
    "Transient",
    "NotReady",
    "NeedsNewContainer",
    "PermanentMediaError",
    "PermissionDenied",
    "ProfileNotFound",
    "OAuthError",
    "classify",
    "classify_oauth",
]


class GraphAPIError(Exception):
    """Base of every error the Instagram APIs answer with (or that stands in for one, like a timeout)."""

    default_user_message = "Instagram answered with an error."

    def __init__(
        self,
        message: str = "",
        *,
        code: int | None = None,
        subcode: int | None = None,
        fbtrace_id: str = "",
        user_title: str = "",
        user_message: str = "",
        is_transient: bool = False,
        http_status: int | None = None,
        error_type: str = "",
    ) -> None:
        self.message = message or self.default_user_message
        self.code = code
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id
        self.user_title = user_title
        self.user_message = user_message or self.default_user_message
        self.is_transient = is_transient
        self.http_status = http_status
        self.error_type = error_type
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [self.message]
        if self.code is not None:
            parts.append(f"(code {self.code}" + (f"/{self.subcode}" if self.subcode else "") + ")")
        if self.fbtrace_id:
            parts.append(f"[fbtrace_id {self.fbtrace_id}]")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, subcode={self.subcode!r}, message={self.message!r})"

    #: True when the same request may simply be tried again later.
    retryable: bool = False
    #: The usage headers of the failed answer (set by the client's transport), so a caller can slow down or wait.
    usage: Usage | None = None


class TokenInvalid(GraphAPIError):
    """Code 190: the token is expired, revoked or invalid — the account must be reconnected."""

    default_user_message = "The Instagram connection has expired or was revoked. Reconnect the account."


class RateLimited(GraphAPIError):
    """Throttled (4, 17, 32, 613, 80002). `retry_after_seconds` comes from the usage headers when known."""

    default_user_message = "Instagram is rate limiting requests right now; they will be retried later."
    retryable = True

    def __init__(self, *args: Any, retry_after_seconds: int | None = None, **kwargs: Any) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(*args, **kwargs)


class PublishingLimitReached(RateLimited):
    """9/2207042: the moving 24-hour publishing quota is used up; wait for the window, do not retry now."""

    default_user_message = "This account reached Instagram's publishing limit for the last 24 hours."
    retryable = False


class Transient(GraphAPIError):
    """Temporary server-side trouble, network errors, timeouts and 5xx: retry with backoff."""

    default_user_message = "Instagram had a temporary problem; the request will be retried."
    retryable = True


class NotReady(Transient):
    """9007/2207027: the container is not finished yet — poll its status again later."""

    default_user_message = "Instagram is still processing the media."


class NeedsNewContainer(GraphAPIError):
    """The container is unusable (expired, failed to create): build a new one from the same media."""

    default_user_message = "Instagram could not use the prepared media; it has to be uploaded again."


class PermanentMediaError(GraphAPIError):
    """The media or request itself is wrong (format, size, ratio, caption, carousel size…): never retry."""

    default_user_message = "Instagram rejected this media."


class ProfileNotFound(PermanentMediaError):
    """110/2207013 from Business Discovery: no Business/Creator profile answers to that username.

    Instagram gives the same code for a missing, a personal (non-professional) and an age-gated account;
    `user_message` is Meta's own text when it sent one (the sandbox says which case it was).
    """

    default_user_message = "No Instagram Business or Creator account has this username."


class PermissionDenied(GraphAPIError):
    """Codes 10 and 200–299: the token lacks a permission or the account may not do this."""

    default_user_message = "The Instagram account has not granted the permission this needs."


class OAuthError(GraphAPIError):
    """An error from the OAuth hosts (api.instagram.com shape, or a denied consent)."""

    default_user_message = "Instagram did not complete the sign-in."


# Plain-words messages for subcodes whose Graph API text is terse or technical.
_SUBCODE_MESSAGES = {
    2207004: "The image is larger than Instagram's 8 MB limit.",
    2207005: "Instagram only accepts JPEG images for this post.",
    2207009: "The image's aspect ratio is outside what Instagram allows (4:5 to 1.91:1).",
    2207010: "The caption is too long (Instagram allows 2,200 characters, 30 hashtags and 20 @mentions).",
    2207052: "Instagram could not download the media from its URL.",
    2207042: "This account reached Instagram's publishing limit for the last 24 hours.",
    2207028: "A carousel needs between 2 and 10 items.",
    2207040: "The caption mentions more than 20 accounts.",
    2207026: "Instagram does not support this video format.",
    2207023: "Instagram does not recognise this media type.",
    2207006: "The media could not be found on Instagram.",
    2207050: "The Instagram account is restricted and cannot publish right now.",
    2207051: "Instagram blocked this action as spam or restricted activity.",
    2207020: "The prepared media expired before it was published.",
    2207008: "The prepared media was not found or has expired.",
    2207027: "Instagram is still processing the media.",
    2207003: "Instagram timed out downloading the media.",
    2207001: "Instagram had a server error.",
    2207032: "Instagram failed to prepare the media.",
    2207053: "An unknown error occurred while Instagram processed the upload.",
}

_THROTTLE_CODES = {4, 17, 32, 613, 80002}
_TRANSIENT_SUBCODES = {2207001, 2207003, 2207008}
_NEW_CONTAINER_SUBCODES = {2207020, 2207032, 2207053}
_PERMANENT_SUBCODES = {
    2207004, 2207005, 2207009, 2207010, 2207026, 2207028, 2207052, 2207023, 2207040,
    2207006, 2207050, 2207051, 2207057, 2207013,
}
# Code 100 alone is a generic "invalid parameter": not retryable, but not a media problem either.
_PERMANENT_CODES = {36000, 36001, 36002, 36003, 36004, 9004, 352, 24, 25}


def _to_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _pick_class(code: int | None, subcode: int | None, is_transient: bool, http_status: int | None) -> type[GraphAPIError]:
    # Order matters: the subcode is the more specific signal, so it is checked before the code.
    if code == 190:
        return TokenInvalid
    if subcode == 2207042:
        return PublishingLimitReached
    if code == 9007 or subcode == 2207027:
        return NotReady
    if subcode in _NEW_CONTAINER_SUBCODES:
        return NeedsNewContainer
    if subcode in _TRANSIENT_SUBCODES:
        return Transient
    if subcode == 2207013 or code == 110:
        return ProfileNotFound
    if subcode in _PERMANENT_SUBCODES:
        return PermanentMediaError
    if code in _THROTTLE_CODES:
        return RateLimited
    if code == 10 or (code is not None and 200 <= code <= 299):
        return PermissionDenied
    if code in (1, 2) or is_transient:
        return Transient
    if code in _PERMANENT_CODES:
        return PermanentMediaError
    if http_status is not None and http_status >= 500:
        return Transient
    return GraphAPIError


def _retry_after(usage: Usage | None) -> int | None:
    if usage is None or usage.regain_access_minutes is None:
        return None
    return max(0, usage.regain_access_minutes) * 60


def classify(
    payload: Mapping[str, Any] | None,
    http_status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> GraphAPIError:
    """Turn an error answer of the Graph API into the matching typed exception (not raised)."""
    err = (payload or {}).get("error") if isinstance(payload, Mapping) else None
    if not isinstance(err, Mapping):
        if isinstance(payload, Mapping) and ("error_message" in payload or "error_type" in payload):
            return classify_oauth(payload, http_status)
        cls = Transient if (http_status or 0) >= 500 else GraphAPIError
        return cls(f"Unexpected HTTP {http_status} answer from Instagram", http_status=http_status)
    code = _to_int(err.get("code"))
    subcode = _to_int(err.get("error_subcode"))
    is_transient = bool(err.get("is_transient"))
    cls = _pick_class(code, subcode, is_transient, http_status)
    user_message = err.get("error_user_msg") or _SUBCODE_MESSAGES.get(subcode or 0, "")
    kwargs: dict[str, Any] = dict(
        code=code,
        subcode=subcode,
        fbtrace_id=str(err.get("fbtrace_id") or ""),
        user_title=str(err.get("error_user_title") or ""),
        user_message=str(user_message or ""),
        is_transient=is_transient,
        http_status=http_status,
        error_type=str(err.get("type") or ""),
    )
    message = str(err.get("message") or "")
    if issubclass(cls, RateLimited):
        usage = parse_usage_headers(headers or {})
        return cls(message, retry_after_seconds=_retry_after(usage), **kwargs)
    return cls(message, **kwargs)


def classify_oauth(payload: Mapping[str, Any] | None, http_status: int | None = None) -> GraphAPIError:
    """api.instagram.com answers `{"error_type","code","error_message"}` instead of the Graph envelope."""
    payload = payload or {}
    if isinstance(payload.get("error"), Mapping):
        exc = classify(payload, http_status)
        # A Graph-shaped answer on an OAuth call is still an OAuth failure unless it says the token is bad.
        if type(exc) is GraphAPIError:
            return OAuthError(exc.message, code=exc.code, subcode=exc.subcode, fbtrace_id=exc.fbtrace_id,
                              user_message=exc.user_message, http_status=http_status, error_type=exc.error_type)
        return exc
    message = str(payload.get("error_message") or payload.get("error_description") or "OAuth request failed")
    return OAuthError(
        message,
        code=_to_int(payload.get("code")),
        http_status=http_status,
        error_type=str(payload.get("error_type") or payload.get("error") or ""),
        user_message="Instagram did not accept the sign-in: " + message,
    )
