"""Reading in the sandbox: rendering users and media with field expressions, /media paging, comments, children."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from instagram.sandbox.common import (
    MEDIA_FIELD_NAMES,
    USER_FIELDS,
    Response,
    SandboxError,
    bad_field,
    iso,
    make_cursor,
    no_object,
    owned_user,
    read_cursor,
)
from instagram.sandbox.discovery import business_discovery
from instagram.sandbox.fields import Field, parse_fields

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox


class ReadingState:
    """Rendering of users and media, and comments; mixed into Sandbox."""

    # ---------------------------------------------------------------------------------- rendering
    def render_user(self, user: dict[str, Any], fields: list[Field], base: str, *, discovery: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields or [Field("id")]:
            name = f.name
            if name not in USER_FIELDS or (discovery and name in ("business_discovery", "account_type", "user_id")):
                raise bad_field(name, "IGUser" if not discovery else "BusinessDiscovery")
            if name == "media_count":
                out[name] = len(self.media_ids_of(user["id"]))
            elif name == "profile_picture_url":
                out[name] = f"{base}/cdn/avatar/{user['id']}.jpg"
            elif name == "followers_count" and user["id"] in self.users:
                out[name] = self.followers_on(user, self.now())  # own accounts grow day by day
            elif name == "ig_id":
                out[name] = int(user["id"]) % 10**10
            elif name == "media":
                out["media"] = self.media_edge(user["id"], f, base, next_base=None if discovery else f"{base}/v25.0/{user['id']}/media")
            elif name == "business_discovery":
                continue  # handled by the caller, it needs the token's account
            elif name in user:
                out[name] = user[name]
        out.setdefault("id", user["id"])
        return out

    def media_edge(self, user_id: str, f: Field, base: str, *, next_base: str | None, token: str | None = None,
                   since: float | None = None, until: float | None = None) -> dict[str, Any]:
        ids = self.media_ids_of(user_id)
        all_ids = self.ordered_ids(user_id)
        if since is not None or until is not None:
            ids = [i for i in ids if (since is None or self.find_media(i)["timestamp"] >= since)
                   and (until is None or self.find_media(i)["timestamp"] <= until)]
        try:
            limit = max(1, min(100, int(f.args.get("limit", 25))))
        except ValueError:
            raise SandboxError("(#100) limit must be a number", code=100) from None
        start = 0
        if f.args.get("after") or f.args.get("before"):
            # Position by the full ordering so a deleted anchor still resumes at the right place.
            position = {mid: k for k, mid in enumerate(all_ids or [])}
            if f.args.get("after"):
                pos = position.get(read_cursor(f.args["after"]), -1)
                start = next((k for k, i in enumerate(ids) if position[i] > pos), len(ids))
            else:
                pos = position.get(read_cursor(f.args["before"]), 0)
                end = next((k for k, i in enumerate(ids) if position[i] >= pos), len(ids))
                start = max(0, end - limit)
        chunk = ids[start:start + limit]
        children = f.children or [Field("id")]
        out: dict[str, Any] = {"data": [self.render_media(self.find_media(i), children, base) for i in chunk]}
        if chunk:
            paging: dict[str, Any] = {"cursors": {"before": make_cursor(chunk[0]), "after": make_cursor(chunk[-1])}}
            if start + limit < len(ids):
                if next_base:
                    fields = ",".join(field_text(c) for c in children)
                    query = f"fields={fields}&limit={limit}&after={paging['cursors']['after']}"
                    if token:
                        query = f"access_token={token}&" + query
                    paging["next"] = f"{next_base}?{query}"
                else:
                    # Nested edges are followed with media.after(cursor); the link only signals "there is more".
                    paging["next"] = f"{base}/v25.0/{user_id}/media?after={paging['cursors']['after']}"
            if start > 0 and next_base:
                paging["previous"] = f"{next_base}?limit={limit}&before={paging['cursors']['before']}"
            out["paging"] = paging
        return out

    def render_media(self, m: dict[str, Any] | None, fields: list[Field], base: str, *, nested: bool = False) -> dict[str, Any]:
        if m is None:
            return {}
        out: dict[str, Any] = {}
        owner = self.find_user(m["owner"]) or {}
        for f in fields or [Field("id")]:
            name = f.name
            if name not in MEDIA_FIELD_NAMES:
                raise bad_field(name, "IGMedia")
            if name == "timestamp":
                out[name] = iso(m["timestamp"])
            elif name == "permalink":
                out[name] = f"https://www.instagram.com/{'reel' if m.get('media_product_type') == 'REELS' else 'p'}/{m['shortcode']}/"
            elif name == "media_url":
                # Reels with copyrighted audio come without media_url (the field is absent), as on Instagram.
                if not m.get("media_url_withheld"):
                    out[name] = self.media_url(m, base)
            elif name == "thumbnail_url":
                if m["media_type"] == "VIDEO":
                    out[name] = self.signed(f"{base}/cdn/t/{m['id']}.jpg")
            elif name == "caption":
                if m.get("caption"):
                    out[name] = m["caption"]
            elif name == "like_count":
                if m.get("like_count") is not None:
                    out[name] = m["like_count"]
            elif name == "alt_text":
                if m.get("alt_text"):
                    out[name] = m["alt_text"]
            elif name == "username":
                out[name] = owner.get("username", "")
            elif name == "owner":
                out[name] = {"id": m["owner"]}
            elif name == "is_comment_enabled":
                out[name] = True
            elif name == "children":
                if m.get("children") and not nested:
                    kids = [self.find_media(c) for c in m["children"]]
                    out[name] = {"data": [self.render_media(k, f.children or [Field("id")], base, nested=True)
                                          for k in kids if k]}
            elif name == "comments":
                out[name] = {"data": [dict(c) for c in m.get("comments", [])]}
            elif name == "comments_count":
                out[name] = m.get("comments_count", 0)
            elif name in m:
                out[name] = m[name]
        out.setdefault("id", m["id"])
        return out

    def media_url(self, m: dict[str, Any], base: str) -> str | None:
        if m["media_type"] == "CAROUSEL_ALBUM":
            first = self.find_media(m["children"][0]) if m.get("children") else None
            return self.media_url(first, base) if first else None
        if m.get("upload"):
            return self.signed(f"{base}/cdn/p/{m['id']}.{m['upload'].rsplit('.', 1)[-1]}")
        ext = "mp4" if m["media_type"] == "VIDEO" else "jpg"
        return self.signed(f"{base}/cdn/p/{m['id']}.{ext}")

    def signed(self, url: str) -> str:
        """Instagram's CDN URLs expire (`oe=` is the hex expiry time); with `cdn_url_lifetime` set, so do ours."""
        lifetime = self.scaled("cdn_url_lifetime")
        return f"{url}?oe={int(self.now() + lifetime):X}" if lifetime > 0 else url

    # ---------------------------------------------------------------------------------- comments & insights
    def add_comment(self, user: dict[str, Any], media_id: str, message: str) -> dict[str, Any]:
        with self.lock:
            m = self.find_media(media_id)
            if m is None or m["owner"] != user["id"] or m.get("parent"):
                raise no_object(media_id, post=True)
            if not message:
                raise SandboxError("(#100) The parameter message is required", code=100)
            comment = {"id": self.next_id(), "text": message, "username": user["username"], "timestamp": iso(self.now())}
            m.setdefault("comments", []).append(comment)
            m["comments_count"] = m.get("comments_count", 0) + 1
            self.save()
            return comment


def field_text(f: Field) -> str:
    text = f.name + "".join(f".{k}({v})" for k, v in f.args.items())
    if f.children:
        text += "{" + ",".join(field_text(c) for c in f.children) + "}"
    return text


# --- Graph objects ----------------------------------------------------------------------------------


def get_object(sb: Sandbox, token: str | None, obj: str, params: dict[str, str], base: str) -> Response:
    row, user = sb.auth(token, "basic")
    fields = parse_fields(params.get("fields"))
    if obj == "me" and row["login"] == "facebook" and not fields:
        return Response(200, {"id": "fb-" + user["id"], "name": user["name"]})
    if obj in ("me", user["id"]):
        out = sb.render_user(user, [f for f in fields if f.name != "business_discovery"], base)
        for f in fields:
            if f.name == "business_discovery":
                if sb.config["discovery_needs_facebook_login"] and row["login"] != "facebook":
                    # As on Meta: Business Discovery is a Facebook Login (graph.facebook.com) feature.
                    raise bad_field("business_discovery", "User")
                out["business_discovery"] = business_discovery(sb, user, f, base)
        return Response(200, out)
    container = sb.containers.get(obj)
    if container is not None and container["owner"] == user["id"]:
        out: dict[str, Any] = {}
        for f in fields or [Field("id")]:
            if f.name == "status_code":
                out["status_code"] = sb.status_of(container)
            elif f.name == "status":
                out["status"] = sb.status_text(container)
            elif f.name == "id":
                out["id"] = obj
            else:
                raise SandboxError(f"(#100) Tried accessing nonexisting field ({f.name}) on node type (ShadowIGMediaBuilder)", code=100)
        out.setdefault("id", obj)
        return Response(200, out)
    media = sb.find_media(obj)
    if media is not None and media["owner"] == user["id"]:
        return Response(200, sb.render_media(media, fields, base))
    raise SandboxError(
        f"Unsupported get request. Object with ID '{obj}' does not exist, cannot be loaded due to missing permissions, "
        "or does not support this operation.", code=100, subcode=33)


def list_media(sb: Sandbox, token: str | None, obj: str, params: dict[str, str], base: str) -> Response:
    user = owned_user(sb, token, obj, "basic", post=False)
    f = Field("media", {k: params[k] for k in ("after", "before", "limit") if params.get(k)},
              parse_fields(params.get("fields")) or None)

    def ts(key: str) -> float | None:
        return float(params[key]) if params.get(key) else None

    with_token = token if "access_token" in params else None
    return Response(200, sb.media_edge(user["id"], f, base, next_base=f"{base}/v25.0/{user['id']}/media",
                                       token=with_token, since=ts("since"), until=ts("until")))

def post_comment(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    _row, user = sb.auth(token, "comments")
    return Response(200, {"id": sb.add_comment(user, obj, params.get("message", ""))["id"]})


def list_comments(sb: Sandbox, token: str | None, obj: str) -> Response:
    _row, user = sb.auth(token, "comments")
    m = sb.find_media(obj)
    if m is None or m["owner"] != user["id"]:
        raise SandboxError(f"Unsupported get request. Object with ID '{obj}' does not exist.", code=100, subcode=33)
    return Response(200, {"data": list(m.get("comments", []))})

def list_children(sb: Sandbox, token: str | None, obj: str, params: dict[str, str], base: str) -> Response:
    _row, user = sb.auth(token, "basic")
    m = sb.find_media(obj)
    if m is None or m["owner"] != user["id"]:
        raise SandboxError(f"Unsupported get request. Object with ID '{obj}' does not exist.", code=100, subcode=33)
    fields = parse_fields(params.get("fields")) or [Field("id")]
    return Response(200, {"data": [sb.render_media(sb.find_media(c), fields, base, nested=True) for c in m["children"]]})


def me_accounts(sb: Sandbox, token: str | None) -> Response:
    _row, user = sb.auth(token, "basic")
    return Response(200, {"data": [{"id": "page-" + user["id"], "name": user["name"] + " Page",
                                    "instagram_business_account": {"id": user["id"], "username": user["username"]}}]})
