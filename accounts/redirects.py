"""Where a `next` parameter or a stored link may send someone: only back into this site (no open redirects)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str, *args: object, **kwargs: object) -> str:
    """The request's `next` (POST, then GET) when it stays on this host, else `fallback` (a URL or route name)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(fallback, *args, **kwargs)


def is_site_path(url: str) -> bool:
    """Whether `url` is a path on this site ("/w/acme/posts/12/?tab=history"): no scheme, no host.

    Refuses `javascript:`/`data:` URLs, other sites (`https://…`, protocol-relative `//host`), and the tricks
    browsers undo into those: backslashes (`/\\host`) and whitespace or control characters, which browsers strip
    before parsing (`/\\t/host` opens `//host`).
    """
    if not url or not url.startswith("/") or url.startswith("//"):
        return False
    if "\\" in url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def validate_site_path(value: str) -> None:
    """Model/form validator: a link stored for later (a notification's "Fix it") must stay on this site."""
    if value and not is_site_path(value):
        raise ValidationError(
            "A link must be a path on this site that starts with a single “/”, like /w/acme/posts/12/ "
            "(no other site, no javascript: or data: URL).",
            code="not_site_path",
        )
