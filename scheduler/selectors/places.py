"""The composer's place search: Facebook Pages with a location, through the account's own Graph API token.

Only a Facebook Login account can search (Meta's Pages Search API lives on graph.facebook.com and needs the app's
"Page Public Metadata Access" feature); an Instagram Login account, a refused or rate-limited search or Instagram
being away all end in the same fallback — the place's Facebook Page id typed by hand — with words saying why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from accounts.crypto import EncryptionKeyError
from accounts.models import InstagramAccount
from accounts.services.instagram import graph_client_for
from instagram.client import Place
from instagram.errors import GraphAPIError, PermissionDenied, RateLimited, TokenInvalid, Transient

logger = logging.getLogger(__name__)

MIN_QUERY = 2
FALLBACK = "Type the place's Facebook Page id instead (the number in the address of its Facebook Page)."


@dataclass
class PlaceSearch:
    query: str
    places: list[Place] = field(default_factory=list)
    problem: str = ""  # why there are no results to pick from, in words; "" when the search ran
    searched: bool = False

    @property
    def empty(self) -> bool:
        return self.searched and not self.places and not self.problem


def can_search_places(account: InstagramAccount | None) -> bool:
    return account is not None and account.login_api == InstagramAccount.LoginApi.FACEBOOK


def place_search(*, account: InstagramAccount | None, query: str) -> PlaceSearch:
    """Places matching `query` for `account` (one Graph API call), or the reason there are none to pick."""
    q = " ".join((query or "").split())[:100]
    result = PlaceSearch(query=q)
    if account is None:
        result.problem = "Choose the Instagram account first; the place search uses its connection."
        return result
    if not can_search_places(account):
        result.problem = (f"@{account.username} is connected with Instagram Login, which has no place search. "
                          + FALLBACK)
        return result
    if len(q) < MIN_QUERY:
        return result
    try:
        result.places = graph_client_for(account).search_places(q)
    except RateLimited as exc:
        wait = exc.retry_after_seconds
        when = f"in about {max(1, round(wait / 60))} minute{'s' if wait > 90 else ''}" if wait else "in a few minutes"
        result.problem = f"Instagram is limiting requests right now; search again {when}. " + FALLBACK
    except TokenInvalid:
        result.problem = f"The connection of @{account.username} has expired; reconnect it to search places. " + FALLBACK
    except PermissionDenied:
        result.problem = ("Instagram refused the place search: the app needs the “Page Public Metadata Access” "
                          "feature. " + FALLBACK)
    except (Transient, EncryptionKeyError) as exc:
        logger.warning("place search failed for account %s: %s", account.pk, type(exc).__name__)
        result.problem = "The place search is not answering right now. " + FALLBACK
    except GraphAPIError as exc:
        logger.warning("place search refused for account %s: %s", account.pk, exc)
        result.problem = "Instagram did not run the place search. " + FALLBACK
    else:
        result.searched = True
    return result
