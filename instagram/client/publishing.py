"""Content-publishing calls of GraphClient: containers, status, media_publish, the publishing quota."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from instagram.client.results import ContainerStatus, PublishingLimit

__all__ = ["PublishingCalls"]


class PublishingCalls:
    """Mixed into GraphClient, which provides `get` and `post`."""

    get: Any
    post: Any

    @staticmethod
    def _common(
        *,
        caption: str | None = None,
        alt_text: str | None = None,
        collaborators: Iterable[str] | None = None,
        user_tags: Iterable[Mapping[str, Any]] | None = None,
        location_id: str | None = None,
    ) -> dict[str, Any]:
        return {
            "caption": caption,
            "alt_text": alt_text,
            "collaborators": json.dumps(list(collaborators)) if collaborators else None,
            "user_tags": json.dumps([dict(t) for t in user_tags]) if user_tags else None,
            "location_id": location_id,
        }

    def _create(self, ig_user_id: str, data: Mapping[str, Any]) -> str:
        return str(self.post(f"{ig_user_id}/media", data, endpoint="create_container")["id"])

    def create_image_container(
        self,
        ig_user_id: str,
        image_url: str,
        *,
        caption: str | None = None,
        alt_text: str | None = None,
        collaborators: Iterable[str] | None = None,
        user_tags: Iterable[Mapping[str, Any]] | None = None,
        location_id: str | None = None,
    ) -> str:
        common = self._common(caption=caption, alt_text=alt_text, collaborators=collaborators,
                              user_tags=user_tags, location_id=location_id)
        return self._create(ig_user_id, {"image_url": image_url, **common})

    def create_carousel_item(
        self,
        ig_user_id: str,
        *,
        image_url: str | None = None,
        video_url: str | None = None,
        alt_text: str | None = None,
        user_tags: Iterable[Mapping[str, Any]] | None = None,
    ) -> str:
        if bool(image_url) == bool(video_url):
            raise ValueError("a carousel item needs exactly one of image_url or video_url")
        data: dict[str, Any] = {"is_carousel_item": "true", **self._common(alt_text=alt_text, user_tags=user_tags)}
        if video_url:
            data.update(media_type="VIDEO", video_url=video_url)
        else:
            data["image_url"] = image_url
        return self._create(ig_user_id, data)

    def create_carousel_container(
        self,
        ig_user_id: str,
        children: Iterable[str],
        *,
        caption: str | None = None,
        collaborators: Iterable[str] | None = None,
        location_id: str | None = None,
    ) -> str:
        common = self._common(caption=caption, collaborators=collaborators, location_id=location_id)
        return self._create(ig_user_id, {"media_type": "CAROUSEL", "children": ",".join(children), **common})

    def create_reel_container(
        self,
        ig_user_id: str,
        video_url: str,
        *,
        caption: str | None = None,
        cover_url: str | None = None,
        thumb_offset: int | None = None,
        share_to_feed: bool | None = None,
        audio_name: str | None = None,
        collaborators: Iterable[str] | None = None,
        user_tags: Iterable[Mapping[str, Any]] | None = None,
        location_id: str | None = None,
    ) -> str:
        data: dict[str, Any] = {
            "media_type": "REELS",
            "video_url": video_url,
            "cover_url": cover_url,
            # Meta ignores thumb_offset when cover_url is given; sending only one avoids ambiguity.
            "thumb_offset": None if cover_url or thumb_offset is None else int(thumb_offset),
            "share_to_feed": None if share_to_feed is None else ("true" if share_to_feed else "false"),
            "audio_name": audio_name,
            **self._common(caption=caption, collaborators=collaborators, user_tags=user_tags, location_id=location_id),
        }
        return self._create(ig_user_id, data)

    def create_story_container(
        self,
        ig_user_id: str,
        *,
        image_url: str | None = None,
        video_url: str | None = None,
        user_tags: Iterable[Mapping[str, Any]] | None = None,
    ) -> str:
        if bool(image_url) == bool(video_url):
            raise ValueError("a story needs exactly one of image_url or video_url")
        data = {"media_type": "STORIES", "image_url": image_url, "video_url": video_url,
                **self._common(user_tags=user_tags)}
        return self._create(ig_user_id, data)

    def container_status(self, container_id: str) -> ContainerStatus:
        payload = self.get(container_id, {"fields": "id,status_code,status"}, endpoint="container_status")
        return ContainerStatus(id=str(payload.get("id", container_id)), status_code=str(payload.get("status_code", "")),
                               status=str(payload.get("status") or ""))

    def media_publish(self, ig_user_id: str, creation_id: str) -> str:
        """Publish a FINISHED container; returns the new IG media id. Never retried here: the caller owns that."""
        return str(self.post(f"{ig_user_id}/media_publish", {"creation_id": creation_id}, endpoint="media_publish")["id"])

    def content_publishing_limit(self, ig_user_id: str, *, since: int | None = None) -> PublishingLimit:
        params: dict[str, Any] = {"fields": "quota_usage,config"}
        if since is not None:
            params["since"] = int(since)
        payload = self.get(f"{ig_user_id}/content_publishing_limit", params, endpoint="content_publishing_limit")
        row = (payload.get("data") or [{}])[0]
        config = row.get("config") or {}
        return PublishingLimit(quota_usage=int(row.get("quota_usage") or 0),
                               quota_total=int(config.get("quota_total") or 0),
                               quota_duration=int(config.get("quota_duration") or 86400))

