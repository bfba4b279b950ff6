"""OAuthClient: authorize URL, code exchange, long-lived exchange and refresh (Instagram or Facebook Login)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import requests

from instagram.client.results import LongLivedToken, ShortLivedToken
from instagram.client.transport import Login, Timeout, Transport
from instagram.errors import OAuthError

__all__ = ["OAuthClient"]


class OAuthClient(Transport):
    """Authorize URL, code exchange, long-lived exchange and refresh for Instagram Login or Facebook Login."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        redirect_uri: str,
        *,
        oauth_base_url: str = "https://www.instagram.com",
        api_base_url: str = "https://api.instagram.com",
        graph_base_url: str = "https://graph.instagram.com",
        api_version: str = "v25.0",
        login: Login = "instagram",
        timeout: Timeout = (5.0, 30.0),
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(timeout=timeout, session=session)
        self.app_id = app_id
        self._secret = app_secret
        self.redirect_uri = redirect_uri
        self.oauth_base_url = oauth_base_url.rstrip("/")
        self.api_base_url = api_base_url.rstrip("/")
        self.graph_base_url = graph_base_url.rstrip("/")
        self.api_version = api_version
        self.login = login

    def __repr__(self) -> str:
        return f"OAuthClient(app_id={self.app_id}, login={self.login}, graph={self.graph_base_url})"

    def _secrets(self) -> tuple[str | None, ...]:
        return (self._secret,)

    def authorize_url(self, scopes: Iterable[str], state: str) -> str:
        params = {
            "client_id": self.app_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": ",".join(scopes),
            "state": state,
        }
        if self.login == "facebook":
            return f"{self.oauth_base_url}/{self.api_version}/dialog/oauth?{urlencode(params)}"
        return f"{self.oauth_base_url}/oauth/authorize?{urlencode(params)}"

    @staticmethod
    def code_from_callback(query: Mapping[str, str]) -> str:
        """The `code` of a redirect back from the consent page; OAuthError when the user denied or it is missing."""
        if query.get("error"):
            reason = query.get("error_reason") or query.get("error")
            denied = reason in ("user_denied", "access_denied")
            raise OAuthError(
                str(query.get("error_description") or reason),
                error_type=str(query.get("error")),
                user_message=("The Instagram account was not connected because the permission request was declined."
                              if denied else "Instagram did not complete the sign-in: " + str(query.get("error_description") or reason)),
            )
        code = str(query.get("code") or "")
        if not code:
            raise OAuthError("no code in the callback", user_message="Instagram sent back no authorization code.")
        return OAuthClient.clean_code(code)

    @staticmethod
    def clean_code(code: str) -> str:
        # Instagram appends "#_" to the redirect; browsers usually drop the fragment, copy-paste does not.
        return code.strip().removesuffix("#_")

    def exchange_code(self, code: str) -> ShortLivedToken:
        code = self.clean_code(code)
        if self.login == "facebook":
            payload = self._send(
                "GET", f"{self.graph_base_url}/{self.api_version}/oauth/access_token",
                params={"client_id": self.app_id, "client_secret": self._secret, "redirect_uri": self.redirect_uri,
                        "code": code},
                endpoint="oauth_access_token", oauth_shape=True, secrets=(code,),
            )
        else:
            payload = self._send(
                "POST", f"{self.api_base_url}/oauth/access_token",
                data={"client_id": self.app_id, "client_secret": self._secret, "grant_type": "authorization_code",
                      "redirect_uri": self.redirect_uri, "code": code},
                endpoint="oauth_access_token", oauth_shape=True, secrets=(code,),
            )
        # Seen in the wild: {"data":[{...}]} and the flat object; permissions as "a,b" or ["a","b"].
        row = payload
        if isinstance(payload.get("data"), list) and payload["data"]:
            row = payload["data"][0]
        token = row.get("access_token")
        if not token:
            raise OAuthError("the code exchange answer has no access_token",
                             user_message="Instagram did not return an access token.")
        permissions = row.get("permissions") or []
        if isinstance(permissions, str):
            permissions = [p.strip() for p in permissions.split(",") if p.strip()]
        expires = row.get("expires_in")
        return ShortLivedToken(access_token=str(token), user_id=str(row.get("user_id") or ""),
                               permissions=[str(p) for p in permissions],
                               expires_in=int(expires) if expires is not None else None)

    def _token_answer(self, payload: Mapping[str, Any]) -> LongLivedToken:
        if not payload.get("access_token"):
            raise OAuthError("the token answer has no access_token", user_message="Instagram did not return an access token.")
        expires = payload.get("expires_in")
        return LongLivedToken(access_token=str(payload["access_token"]), token_type=str(payload.get("token_type") or "bearer"),
                              expires_in=int(expires) if expires is not None else None)

    def exchange_long_lived(self, short_lived_token: str) -> LongLivedToken:
        """Short-lived (1 h) → long-lived (60 days). Server-side only: it needs the app secret."""
        if self.login == "facebook":
            payload = self._send(
                "GET", f"{self.graph_base_url}/{self.api_version}/oauth/access_token",
                params={"grant_type": "fb_exchange_token", "client_id": self.app_id, "client_secret": self._secret,
                        "fb_exchange_token": short_lived_token},
                endpoint="long_lived_exchange", secrets=(short_lived_token,),
            )
        else:
            payload = self._send(
                "GET", f"{self.graph_base_url}/access_token",
                params={"grant_type": "ig_exchange_token", "client_secret": self._secret,
                        "access_token": short_lived_token},
                endpoint="long_lived_exchange", secrets=(short_lived_token,),
            )
        return self._token_answer(payload)

    def refresh(self, long_lived_token: str) -> LongLivedToken:
        """Extend a long-lived token by 60 days from now (allowed once it is ≥ 24 h old and not expired).

        Facebook Login has no refresh endpoint; exchanging the token again does the same job.
        """
        if self.login == "facebook":
            return self.exchange_long_lived(long_lived_token)
        payload = self._send(
            "GET", f"{self.graph_base_url}/refresh_access_token",
            params={"grant_type": "ig_refresh_token", "access_token": long_lived_token},
            endpoint="refresh_access_token", secrets=(long_lived_token,),
        )
        return self._token_answer(payload)

