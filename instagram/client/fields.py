"""Default field lists for profile, media, Business Discovery and insights requests."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["PROFILE_FIELDS", "MEDIA_FIELDS", "DISCOVERY_PROFILE_FIELDS", "DISCOVERY_MEDIA_FIELDS",
           "DEFAULT_INSIGHT_METRICS", "ACCOUNT_INSIGHT_METRICS", "CHILDREN_FIELDS", "PLACE_FIELDS", "csv"]

PROFILE_FIELDS = "id,user_id,username,name,biography,followers_count,follows_count,media_count,profile_picture_url,website"
MEDIA_FIELDS = (
    "id,caption,timestamp,permalink,shortcode,media_type,media_product_type,media_url,thumbnail_url,"
    "like_count,comments_count,alt_text,children{id,media_type,media_url,thumbnail_url}"
)
DISCOVERY_PROFILE_FIELDS = "id,username,name,biography,website,profile_picture_url,followers_count,follows_count,media_count"
DISCOVERY_MEDIA_FIELDS = (
    "id,caption,like_count,comments_count,media_url,thumbnail_url,permalink,timestamp,media_type,"
    "media_product_type,children{id,media_url,media_type,thumbnail_url}"
)
CHILDREN_FIELDS = "id,media_type,media_url,thumbnail_url,timestamp"
# Pages Search API: the Page id is what Instagram takes as location_id; location gives street, city, country.
PLACE_FIELDS = "id,name,location,link"
DEFAULT_INSIGHT_METRICS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")
# Account insights asked per day as total_value (impressions: deprecated in v22.0; profile_views and the contact
# clicks: deprecated in v21.0 — not asked). followers_count / media_count come from the profile fields instead.
ACCOUNT_INSIGHT_METRICS = ("reach", "views", "accounts_engaged", "total_interactions")


def csv(values: Iterable[str] | str) -> str:
    return values if isinstance(values, str) else ",".join(values)
