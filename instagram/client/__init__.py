"""HTTP client for the Instagram Graph API (Instagram Login or Facebook Login hosts) and its OAuth flows.

Plain Python on a requests Session: base URLs, API version and timeouts are constructor arguments, so
the same code talks to graph.instagram.com, graph.facebook.com or the offline sandbox. Tokens travel
in the Authorization header where the API allows it and are masked everywhere text is produced
(logs, exception messages, reprs), because URLs and errors end up in logs and error pages.

Modules: transport (session, errors, usage), graph (GraphClient = publishing + reading calls),
oauth (OAuthClient), cdn (media downloads), pagination, results, fields, redaction. Import from here.
"""

from __future__ import annotations

from instagram.client.cdn import (
    CdnCorrupt,
    CdnError,
    CdnExpired,
    CdnNotFound,
    CdnTooLarge,
    CdnTruncated,
    CdnUnavailable,
    CdnUnsupported,
    Download,
    cdn_session,
    download_media,
)
from instagram.client.fields import (
    ACCOUNT_INSIGHT_METRICS,
    CHILDREN_FIELDS,
    DEFAULT_INSIGHT_METRICS,
    DISCOVERY_MEDIA_FIELDS,
    DISCOVERY_PROFILE_FIELDS,
    MEDIA_FIELDS,
    PLACE_FIELDS,
    PROFILE_FIELDS,
)
from instagram.client.graph import GraphClient
from instagram.client.oauth import OAuthClient
from instagram.client.pagination import paginate, paginate_pages
from instagram.client.places import PAGE_SEARCH_PATH, Place, is_page_id
from instagram.client.reading import is_username
from instagram.client.redaction import redact
from instagram.client.results import (
    AccountDay,
    ContainerStatus,
    DiscoveryPage,
    LongLivedToken,
    Page,
    PublishingLimit,
    ShortLivedToken,
)

__all__ = [
    "GraphClient",
    "OAuthClient",
    "Page",
    "DiscoveryPage",
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
    "ACCOUNT_INSIGHT_METRICS",
    "AccountDay",
    "CHILDREN_FIELDS",
    "PLACE_FIELDS",
    "PAGE_SEARCH_PATH",
    "Place",
    "is_page_id",
    "is_username",
    "cdn_session",
    "download_media",
    "Download",
    "CdnError",
    "CdnNotFound",
    "CdnExpired",
    "CdnCorrupt",
    "CdnTruncated",
    "CdnTooLarge",
    "CdnUnavailable",
    "CdnUnsupported",
]
