"""GraphClient: Graph API calls on behalf of one access token (profile, publishing, reading)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import requests

from instagram.client.fields import PROFILE_FIELDS, csv
from instagram.client.pagination import paginate
from instagram.client.places import PlacesCalls
from instagram.client.publishing import PublishingCalls
from instagram.client.reading import ReadingCalls
from instagram.client.redaction import mask_token
from instagram.client.transport import Login, Timeout, Transport

__all__ = ["GraphClient"]


class GraphClient(Transport, PublishingCalls, ReadingCalls, PlacesCalls):
    """Calls on behalf of one access token. Every method raises a subclass of GraphAPIError on failure."""

    def __init__(
        self,
        access_token: str,
        *,
        graph_base_url: str = "https://graph.instagram.com",
        api_version: str = "v25.0",
        login: Login = "instagram",
        timeout: Timeout = (5.0, 30.0),
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(timeout=timeout, session=session)
        if not access_token:
            raise ValueError("GraphClient needs an access token")
        self._token = access_token
        self.graph_base_url = graph_base_url.rstrip("/")
        self.api_version = api_version
        self.login = login

    def __repr__(self) -> str:
        return f"GraphClient({self.graph_base_url}/{self.api_version}, login={self.login}, token={mask_token(self._token)})"

    def _secrets(self) -> tuple[str | None, ...]:
        return (self._token,)

    def _url(self, path: str) -> str:
        return f"{self.graph_base_url}/{self.api_version}/{path.lstrip('/')}"

    def _auth(self) -> dict[str, str]:
        # A header keeps the token out of URLs, which urllib3 and proxies log.
        return {"Authorization": f"Bearer {self._token}"}

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, endpoint: str | None = None) -> dict[str, Any]:
        return self._send("GET", self._url(path), params=params, headers=self._auth(), endpoint=endpoint or path)

    def post(self, path: str, data: Mapping[str, Any] | None = None, *, endpoint: str | None = None) -> dict[str, Any]:
        clean = {k: v for k, v in (data or {}).items() if v is not None}
        return self._send("POST", self._url(path), data=clean, headers=self._auth(), endpoint=endpoint or path)

    def get_url(self, url: str, *, endpoint: str = "next_page") -> dict[str, Any]:
        """GET an absolute URL Instagram gave us (paging.next)."""
        return self._send("GET", url, headers=self._auth(), endpoint=endpoint)

    # --- profile ----------------------------------------------------------------------------------

    def profile(self, ig_user_id: str = "me", fields: Iterable[str] | str = PROFILE_FIELDS) -> dict[str, Any]:
        return self.get(ig_user_id, {"fields": csv(fields)}, endpoint="profile")

    def me(self, fields: Iterable[str] | str = PROFILE_FIELDS) -> dict[str, Any]:
        return self.profile("me", fields)

    def facebook_pages(self) -> list[dict[str, Any]]:
        """Facebook Login: the Pages of the user with their linked Instagram business account."""
        first = self.get("me/accounts", {"fields": "id,name,instagram_business_account{id,username}"}, endpoint="me_accounts")
        return list(paginate(self, first))

