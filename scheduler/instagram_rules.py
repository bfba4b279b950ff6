"""Compose-time checks against Instagram's publishing rules (instagram-graph-api.md §3).

A post is checked when it is composed or edited, not when Instagram refuses it at publish time. Errors come
back as one ``ValidationError`` keyed by form field, each message a sentence a social manager can act on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import localtime
from instagram.client import is_page_id
from scheduler.models import MediaAsset, Post
from scheduler.recurrence import RecurrenceError, validate_rule

CAPTION_MAX = 2200
HASHTAGS_MAX = 30
MENTIONS_MAX = 20
COLLABORATORS_MAX = 3
CAROUSEL_MIN, CAROUSEL_MAX = 2, 10
ALT_TEXT_MAX = 1000
# Instagram tags at most 20 people on one photo; more are refused by the app and the API alike.
USER_TAGS_MAX = 20

# Instagram counts "#word" and "@handle" tokens; a "#" inside a word (e.g. "C#") is not a hashtag.
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")
_USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")


def count_hashtags(text: str) -> int:
    return len(_HASHTAG.findall(text or ""))


def count_mentions(text: str) -> int:
    return len(_MENTION.findall(text or ""))


def local_text(instant: datetime, tz: str) -> str:
    """E.g. "2027-11-07 01:30 EST (America/New_York)": the abbreviation only where the wall time happens twice."""
    return f"{localtime.local_text(instant, tz, '%Y-%m-%d %H:%M')} ({tz})"


@dataclass(frozen=True)
class CaptionRule:
    """One of Instagram's caption limits. The composer's live counters and messages and the services' refusal
    are both rendered from :data:`CAPTION_RULES`, so there is one place to change a rule."""

    key: str
    label: str  # the counter's unit, e.g. "hashtags"
    limit: int
    measure: Callable[[str], int]
    message: str  # formatted with n (the count) and limit

    def check(self, caption: str) -> dict[str, Any]:
        n = self.measure(caption or "")
        ok = n <= self.limit
        return {"key": self.key, "label": self.label, "count": n, "limit": self.limit, "ok": ok,
                "near": ok and n >= self.limit * 0.9, "message": "" if ok else self.message.format(n=n, limit=self.limit)}


CAPTION_RULES: tuple[CaptionRule, ...] = (
    CaptionRule("characters", "characters", CAPTION_MAX, len,
                "The caption has {n:,} characters; Instagram allows at most {limit:,}."),
    CaptionRule("hashtags", "hashtags", HASHTAGS_MAX, count_hashtags,
                "The caption has {n} hashtags; Instagram allows at most {limit}."),
    CaptionRule("mentions", "mentions", MENTIONS_MAX, count_mentions,
                "The caption mentions {n} accounts; Instagram allows at most {limit} @mentions."),
)


def caption_report(caption: str) -> list[dict[str, Any]]:
    """Every caption rule with its count, limit and, when broken, the message (for the live counters)."""
    return [rule.check(caption) for rule in CAPTION_RULES]


def caption_errors(caption: str) -> list[str]:
    return [r["message"] for r in caption_report(caption) if not r["ok"]]


def media_errors(kind: str, assets: Sequence[MediaAsset]) -> list[str]:
    n = len(assets)
    label = Post.Kind(kind).label.lower()
    errors: list[str] = []
    if kind == Post.Kind.FEED:
        if n != 1:
            errors.append(f"A feed post takes exactly one image; {n} media items were chosen.")
        elif assets[0].kind != MediaAsset.Kind.IMAGE:
            errors.append("A feed post takes an image; to post a video, choose the reel kind.")
    elif kind == Post.Kind.CAROUSEL:
        if not CAROUSEL_MIN <= n <= CAROUSEL_MAX:
            errors.append(f"A carousel takes {CAROUSEL_MIN} to {CAROUSEL_MAX} media items; {n} were chosen.")
    elif kind == Post.Kind.REEL:
        if n != 1:
            errors.append(f"A reel takes exactly one video; {n} media items were chosen.")
        elif assets[0].kind != MediaAsset.Kind.VIDEO:
            errors.append("A reel takes a video; to post an image, choose the feed kind.")
    elif kind == Post.Kind.STORY and n != 1:
        errors.append(f"A story takes exactly one image or video; {n} media items were chosen.")
    for asset in assets:
        if not asset.suitable_for(kind):
            reasons = "; ".join(r.rstrip(".") for r in asset.reasons_for(kind)) or "it was not checked for this use"
            errors.append(f"“{asset}” (#{asset.pk}) can't be used in a {label}: {reasons}.")
    return errors


def collaborator_errors(kind: str, collaborators: Sequence[str]) -> list[str]:
    errors = []
    if collaborators and kind == Post.Kind.STORY:
        errors.append("Stories can't have collaborators.")
    if len(collaborators) > COLLABORATORS_MAX:
        errors.append(f"{len(collaborators)} collaborators were given; Instagram allows at most {COLLABORATORS_MAX}.")
    for name in collaborators:
        if not _USERNAME.match(name):
            errors.append(f"“{name}” is not an Instagram username (letters, digits, dots and underscores).")
    return errors


def _shown(value: Any) -> str:
    """A sent value as words for a message (what came from a hostile or broken page, shortened)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "infinity"
    if isinstance(value, str):
        return f"the text “{value[:20]}”"
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "…"


def user_tag_errors(user_tags: Sequence[Any]) -> list[str]:
    """The one check of people tags: usernames, one tag per person, at most 20, and a point on the photo
    (x, y from its left and top edges, each a number from 0 to 1, as Instagram's ``user_tags`` takes them)."""
    errors = []
    if len(user_tags) > USER_TAGS_MAX:
        errors.append(f"{len(user_tags)} people are tagged; Instagram allows at most {USER_TAGS_MAX} on one photo.")
    seen: set[str] = set()
    for n, tag in enumerate(user_tags, 1):
        name = tag.get("username") if isinstance(tag, dict) else None
        if not isinstance(name, str) or not _USERNAME.match(name):
            shown = f"“{name[:40]}”" if isinstance(name, str) and name else f"Tag {n}"
            errors.append(f"{shown} is not an Instagram username (1 to 30 letters, digits, dots and underscores).")
            continue
        if name.casefold() in seen:
            errors.append(f"@{name} is tagged twice; keep one tag per person.")
        seen.add(name.casefold())
        for axis, edge in (("x", "left"), ("y", "top")):
            value = tag.get(axis, 0.5)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not math.isfinite(value) or not 0 <= value <= 1:
                errors.append(f"The tag of @{name} is not on the photo: {axis} (from the {edge} edge) must be a number "
                              f"from 0 to 1, not {_shown(value)}. Place the tag on the photo again.")
    return errors


def location_errors(location_id: str) -> list[str]:
    """A location is a Facebook Page id (digits); names are looked up by the place search, never sent."""
    if not location_id or is_page_id(location_id):
        return []
    return [f"“{location_id[:40]}” is not a Facebook Page id: a place's id is 5 to 20 digits. Search the place by "
            "name, or copy the number from the address of the place's Facebook Page."]


def kind_extra_errors(kind: str, *, user_tags: Sequence[Any], location_id: str, first_comment: str) -> dict[str, list[str]]:
    """What cannot go out with this kind: the Graph API takes no tags, place or comment on a story, and the
    publisher tags people on single photos and reels only (a carousel's tags would be dropped silently)."""
    if kind == Post.Kind.CAROUSEL and user_tags:
        return {"user_tags": ["People can't be tagged on a carousel from Pressroom yet; tag them in the Instagram app "
                              "after it is posted, or post a single photo."]}
    if kind != Post.Kind.STORY:
        return {}
    errors: dict[str, list[str]] = {}
    if user_tags:
        errors["user_tags"] = ["Stories can't tag people through Instagram's API; remove the tags or choose a feed post."]
    if location_id:
        errors["location_id"] = ["Stories can't carry a location through Instagram's API; add it in the app by hand."]
    if first_comment:
        errors["first_comment"] = ["Stories can't be commented on; remove the first comment."]
    return errors


def alt_text_errors(alt_texts: Sequence[str]) -> list[str]:
    return [f"The alt text of item {i} has {len(t):,} characters; Instagram allows at most {ALT_TEXT_MAX:,}."
            for i, t in enumerate(alt_texts, 1) if t and len(t) > ALT_TEXT_MAX]


def publish_at_errors(publish_at: datetime | None, tz: str, *, now: datetime | None = None) -> list[str]:
    if publish_at is None:
        return []
    now = now or timezone.now()
    if publish_at < now:
        return [
            f"{local_text(publish_at, tz)} is in the past (it is now {local_text(now, tz)}). "
            f"Pick a time after {localtime.local_text(now, tz, '%H:%M')} today."
        ]
    return []


def rrule_errors(rrule: str, publish_at: datetime | None, tz: str) -> list[str]:
    if not rrule:
        return []
    if publish_at is None:
        return ["A repeating post needs a first publish time; the rule starts from it."]
    try:
        validate_rule(rrule, dtstart_utc=publish_at, tz=tz)
    except RecurrenceError as exc:
        return [str(exc)]
    return []


def resolve_assets(workspace_id: int, asset_ids: Iterable[int]) -> tuple[list[MediaAsset], list[str]]:
    """The workspace's assets in the order given; ids of other workspaces read as "not found"."""
    ids = [int(i) for i in asset_ids]
    found = MediaAsset.objects.filter(workspace_id=workspace_id, pk__in=ids).in_bulk()
    missing = [str(i) for i in ids if i not in found]
    errors = []
    if missing:
        errors.append(f"Media item(s) {', '.join(missing)} are not in this workspace's library.")
    if len(set(ids)) != len(ids):
        errors.append("The same media item was chosen twice.")
    return [found[i] for i in ids if i in found], errors


def post_problems(
    *,
    workspace: Any,
    account: Any,
    kind: str,
    caption: str,
    assets: Sequence[MediaAsset],
    asset_errors: Sequence[str] = (),
    publish_at: datetime | None,
    check_publish_at: bool,
    rrule: str,
    collaborators: Sequence[str],
    user_tags: Sequence[Any],
    alt_texts: Sequence[str] = (),
    location_id: str = "",
    first_comment: str = "",
) -> dict[str, list[str]]:
    """Everything wrong with the post, keyed by form field (empty when it may be saved). The composer's live
    checks call this while the user types; :func:`check_post` raises it when the services save."""
    tz = workspace.timezone
    errors: dict[str, list[str]] = {}

    def add(field: str, messages: Iterable[str]) -> None:
        if messages := list(messages):
            errors.setdefault(field, []).extend(messages)

    if account is None or account.workspace_id != workspace.pk:
        add("account", ["This Instagram account is not connected to this workspace."])
    if kind not in Post.Kind.values:
        add("kind", [f"“{kind}” is not a post kind; choose feed image, carousel, reel or story."])
    else:
        add("asset_ids", media_errors(kind, assets))
        add("collaborators", collaborator_errors(kind, collaborators))
    add("asset_ids", asset_errors)
    add("caption", caption_errors(caption))
    add("user_tags", user_tag_errors(user_tags))
    add("location_id", location_errors(location_id))
    add("asset_ids", alt_text_errors(alt_texts))
    for field, messages in kind_extra_errors(kind, user_tags=user_tags, location_id=location_id,
                                              first_comment=first_comment).items():
        add(field, messages)
    if check_publish_at:
        add("publish_at", publish_at_errors(publish_at, tz))
    add("rrule", rrule_errors(rrule, publish_at, tz))
    return errors


def check_post(**kwargs: Any) -> None:
    """Raise one ValidationError (dict keyed by form field) listing everything wrong with the post."""
    if errors := post_problems(**kwargs):
        raise ValidationError(errors)
