"""Cursor pagination of Graph API edges: `paging.cursors` and `paging.next`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from instagram.client.results import Page
from instagram.usage import Usage

if TYPE_CHECKING:
    from instagram.client.graph import GraphClient

__all__ = ["page_from", "paginate", "paginate_pages"]


def page_from(payload: Mapping[str, Any], usage: Usage | None = None) -> Page:
    paging = payload.get("paging") or {}
    cursors = paging.get("cursors") or {}
    return Page(
        data=list(payload.get("data") or []),
        next_url=paging.get("next") or None,
        after=cursors.get("after"),
        before=cursors.get("before"),
        usage=usage,
    )


def paginate_pages(client: GraphClient, first: Mapping[str, Any], *, max_pages: int | None = None) -> Iterator[Page]:
    """Yield pages starting from an already-fetched first answer, following `paging.next`.

    Stops only when `next` is absent: an empty page may still have a next one.
    """
    page = page_from(first, client.last_usage)
    count = 1
    yield page
    while page.next_url and (max_pages is None or count < max_pages):
        page = page_from(client.get_url(page.next_url, endpoint="next_page"), client.last_usage)
        count += 1
        yield page


def paginate(client: GraphClient, first: Mapping[str, Any], *, max_pages: int | None = None) -> Iterator[dict[str, Any]]:
    """Yield the items of every page (see paginate_pages)."""
    for page in paginate_pages(client, first, max_pages=max_pages):
        yield from page.data
