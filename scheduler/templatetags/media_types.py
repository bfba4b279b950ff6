"""The upload inputs' `accept` list and the formats named beside them, from the one file-type table."""

from __future__ import annotations

from django import template

from instagram.media_types import ACCEPTED_NAMES, EXTENSIONS

register = template.Library()


@register.simple_tag
def upload_accept() -> str:
    return ",".join(EXTENSIONS)


@register.simple_tag
def upload_formats() -> str:
    return ACCEPTED_NAMES
