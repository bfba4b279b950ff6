"""Template helpers of the archive: the lightbox data of a post (JSON in a data attribute)."""

from __future__ import annotations

import json

from django import template
from django.urls import reverse
from django.utils import timezone

register = template.Library()


@register.simple_tag
def lightbox_json(post, ws: str, can_download: bool, tz) -> str:  # noqa: ANN001
    """Everything the lightbox shows for one post; URLs only for files the viewer may open."""
    media = []
    for m in post.media.all():
        thumb = reverse("archive:media_thumb", kwargs={"ws": ws, "pk": m.pk}) if m.thumbnail else ""
        src = reverse("archive:media_original", kwargs={"ws": ws, "pk": m.pk}) if m.state == "done" and can_download else ""
        media.append({"kind": m.kind, "thumb": thumb, "src": src, "download": f"{src}?download=1" if src else "",
                      "error": m.error if m.state == "failed" else ""})
    local = timezone.localtime(post.taken_at, tz)
    return json.dumps({
        "caption": post.caption, "date": f"{local:%d %b %Y, %H:%M}", "likes": post.like_count,
        "comments": post.comments_count, "permalink": post.permalink, "type": post.get_media_type_display(),
        "deleted": post.deleted_on_instagram, "media": media,
    })


@register.filter
def first_thumb(post):  # noqa: ANN001, ANN201
    return next((m for m in post.media.all() if m.thumbnail), None)
