"""Sends a signed-in user who must pass the code step (accounts.two_factor) to it before any other page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from accounts import two_factor

# Pages a half-signed-in user may open: the code step itself, signing out, and pages that need no session.
EXEMPT = {"accounts:two_factor_verify", "accounts:two_factor_setup", "accounts:logout", "accounts:login",
          "accounts:invitation_accept", "config:healthz", "scheduler:calendar_feed",
          "scheduler:calendar_feed_account", "scheduler:media_public"}


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            response = self._gate(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _gate(self, request: HttpRequest, user: Any) -> HttpResponse | None:
        path = request.path_info
        if path.startswith(("/static/", "/media/")):
            return None
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.view_name in EXEMPT:
            return None
        if not two_factor.required_for(user, admin=path.startswith("/admin/")):
            return None
        target = "accounts:two_factor_verify" if two_factor.is_enrolled(user) else "accounts:two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
