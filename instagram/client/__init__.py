"""HTTP client for the Instagram Graph API (Instagram Login or Facebook Login hosts) and its OAuth flows.

Plain Python on a requests Session: base URLs, API version and timeouts are constructor arguments, so
the same code talks to graph.instagram.com, graph.facebook.com or the offline sandbox. Tokens travel
in the Authorization header where the API allows it and are masked everywhere text is produced
(logs, exception messages, reprs), because URLs and errors end up in logs and error pages.

Modules: transport (session, errors, usage), graph (GraphClient = publishing + reading calls),
oauth (OAuthClient), pagination, results, fields, redaction. Import from here.
"""

from __future__ import annotations

from instagram.client.fields import (
    DEFAULT_INSIGHT_METRICS,
    DISCOVERY_MEDIA_FIELDS,
    DISCOVERY_PROFILE_FIELDS,
    MEDIA_FIELDS,
    PROFILE_FIELDS,
)
from instagram.client.graph import GraphClient
from instagram.client.oauth import OAuthClient
from instagram.client.pagination import paginate, paginate_pages
from instagram.client.redaction import redact
from instagram.client.results import ContainerStatus, LongLivedToken, Page, PublishingLimit, ShortLivedToken

__all__ = [
    "GraphClient",
    "OAuthClient",
    "Page",
    "ContainerStatus",
    "PublishingLimit",
    "ShortLivedToken",
    "LongLivedToken",
    "paginate",
    "paginate_pages",
    "redact",
    "PROFILE_FIELDS",
    "MEDIA_FIELDS",
    "DISCOVERY_PROFILE_FIELDS",
    "DISCOVERY_MEDIA_FIELDS",
    "DEFAULT_INSIGHT_METRICS",
]
