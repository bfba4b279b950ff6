"""Place search of GraphClient: Facebook Pages with a location, whose ids Instagram takes as `location_id`.

Meta's Pages Search API (`GET /pages/search?q=…&fields=id,name,location,link`) answers on graph.facebook.com for a
Facebook Login user token, or an app token with the "Page Public Metadata Access" feature. Instagram Login tokens
(graph.instagram.com) have no such endpoint: the caller falls back to a typed Page id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from instagram.client.fields import PLACE_FIELDS, csv

__all__ = ["PlacesCalls", "Place", "PAGE_SEARCH_PATH", "PLACE_SEARCH_LIMIT", "is_page_id"]

# The path and its fields are Meta's (developers.facebook.com/documentation/pages-api/search-pages); kept here so
# a change on Meta's side is one edit.
PAGE_SEARCH_PATH = "pages/search"
PLACE_SEARCH_LIMIT = 10


def is_page_id(value: str) -> bool:
    """A Facebook Page id as Instagram's `location_id` takes it: digits only (Page ids run 5 to 20 digits)."""
    text = str(value or "")
    return text.isascii() and text.isdigit() and 5 <= len(text) <= 20


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    street: str = ""
    city: str = ""
    country: str = ""
    link: str = ""

    @property
    def where(self) -> str:
        """"Street, City, Country" with the missing parts left out."""
        return ", ".join(p for p in (self.street, self.city, self.country) if p)

    @classmethod
    def from_answer(cls, row: Mapping[str, Any]) -> Place | None:
        pid, name = str(row.get("id") or ""), str(row.get("name") or "").strip()
        if not is_page_id(pid) or not name:
            return None  # nothing Instagram could take as a location
        loc = row.get("location") if isinstance(row.get("location"), Mapping) else {}
        return cls(id=pid, name=name[:200], street=str(loc.get("street") or ""), city=str(loc.get("city") or ""),
                   country=str(loc.get("country") or ""), link=str(row.get("link") or ""))


class PlacesCalls:
    """Mixed into GraphClient, which provides `get`."""

    get: Any

    def search_places(self, query: str, *, fields: Iterable[str] | str = PLACE_FIELDS,
                      limit: int = PLACE_SEARCH_LIMIT) -> list[Place]:
        """Pages matching `query` that have a location (the ones Instagram accepts as a place), best first."""
        q = " ".join((query or "").split())
        if not q:
            raise ValueError("a place search needs some words")
        payload = self.get(PAGE_SEARCH_PATH, {"q": q[:100], "fields": csv(fields), "limit": int(limit)},
                           endpoint="page_search")
        rows = payload.get("data") if isinstance(payload.get("data"), list) else []
        places = [p for p in (Place.from_answer(r) for r in rows if isinstance(r, Mapping)) if p]
        return places[:limit]
