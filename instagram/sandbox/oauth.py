"""OAuth in the sandbox: accounts, tokens, authorization codes, the consent page and the token exchanges."""

from __future__ import annotations

import html
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from instagram.sandbox.common import (
    OWN_USER_BASE,
    SCOPE_NEEDS,
    Response,
    SandboxError,
    iso,
    no_object,
)

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox


class OAuthState:
    """Accounts, tokens and codes; mixed into Sandbox."""

    # ---------------------------------------------------------------------------------- accounts & tokens
    def create_user(self, username: str, *, name: str = "", business: bool = True) -> dict[str, Any]:
        with self.lock:
            existing = self.user_by_username(username)
            if existing and existing["id"] in self.users:
                return existing
            uid = self.next_id(OWN_USER_BASE)
            self.users[uid] = {
                "id": uid, "user_id": uid, "username": username, "name": name or username.replace("_", " ").title(),
                "biography": "A sandbox account.", "website": "", "followers_count": 100 + len(self.users) * 11,
                "follows_count": 42, "account_type": "BUSINESS" if business else "PERSONAL", "public": False,
            }
            self.own_order[uid] = []
            self.save()
            return self.users[uid]

    def issue_token(self, user_id: str, *, kind: str, scopes: list[str], login: str = "instagram",
                    age_seconds: float = 0.0, lifetime: float | None = None) -> dict[str, Any]:
        prefix = "EAA" if login == "facebook" else "IGAA"
        token = prefix + secrets.token_urlsafe(96).replace("-", "A").replace("_", "B")
        if lifetime is None:
            lifetime = self.scaled("short_token_lifetime" if kind == "short" else "long_token_lifetime")
        issued = self.now() - age_seconds
        row = {"user_id": user_id, "kind": kind, "scopes": list(scopes), "login": login, "issued_at": issued,
               "expires_at": issued + lifetime, "revoked": None}
        with self.lock:
            self.tokens[token] = row
            self.save()
        return {"access_token": token, **row, "expires_in": int(max(0, row["expires_at"] - self.now()))}

    def auth(self, token: str | None, need: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        if not token:
            raise SandboxError("An active access token must be used to query information about the current user.",
                               code=2500)
        row = self.tokens.get(token)
        if row is None:
            raise SandboxError("Invalid OAuth access token - Cannot parse access token", code=190)
        if row.get("revoked"):
            raise SandboxError("Error validating access token: The session has been invalidated because the user "
                               "changed their password or Facebook has changed the session for security reasons.",
                               code=190, subcode=int(row["revoked"]))
        if self.now() >= row["expires_at"]:
            raise SandboxError(f"Error validating access token: Session has expired on {iso(row['expires_at'])}. "
                               f"The current time is {iso(self.now())}.", code=190, subcode=463)
        if need and not (SCOPE_NEEDS[need] & set(row["scopes"])):
            raise SandboxError("(#10) Application does not have permission for this action", code=10)
        user = self.users.get(row["user_id"])
        if user is None:
            raise SandboxError("Error validating access token: The user has not authorized application.",
                               code=190, subcode=458)
        return row, user

    def own_target(self, user: dict[str, Any], target: str, *, post: bool) -> None:
        if target not in ("me", user["id"]):
            raise no_object(target, post)

    # ---------------------------------------------------------------------------------- OAuth
    def authorize(self, *, username: str, redirect_uri: str, scopes: list[str], login: str) -> str:
        user = self.create_user(username)
        code = "AQ" + secrets.token_urlsafe(48)
        with self.lock:
            self.codes[code] = {"user_id": user["id"], "redirect_uri": redirect_uri, "scopes": scopes, "login": login,
                                "expires_at": self.now() + self.scaled("code_lifetime"), "used": False}
            self.save()
        return code

    def redeem_code(self, *, client_id: str, client_secret: str, redirect_uri: str, code: str, oauth_shape: bool) -> dict[str, Any]:
        def fail(msg: str) -> SandboxError:
            return SandboxError(msg, code=400 if oauth_shape else 100, oauth_shape=oauth_shape)

        if client_id != self.config["app_id"]:
            raise fail("Invalid platform app")
        if client_secret != self.config["app_secret"]:
            raise fail("Error validating client secret.")
        with self.lock:
            row = self.codes.get(code.removesuffix("#_"))
            if row is None:
                raise fail("Invalid authorization code")
            if row["used"]:
                raise fail("This authorization code has been used")
            if self.now() >= row["expires_at"]:
                raise fail("This authorization code has expired")
            if row["redirect_uri"] != redirect_uri:
                raise fail("Error validating verification code. Please make sure your redirect_uri is identical to "
                           "the one you used in the OAuth dialog request")
            row["used"] = True
        return self.issue_token(row["user_id"], kind="short", scopes=row["scopes"], login=row["login"])

    def code_answer(self, tok: dict[str, Any]) -> dict[str, Any]:
        shape = self.config["oauth_response_shape"]
        perms: Any = tok["scopes"] if shape == "flat_list" else ",".join(tok["scopes"])
        row = {"access_token": tok["access_token"], "user_id": int(tok["user_id"]), "permissions": perms}
        return {"data": [row]} if shape == "wrapped" else row

    def exchange_long_lived(self, *, client_secret: str, token: str, client_id: str | None = None) -> dict[str, Any]:
        if client_secret != self.config["app_secret"] or (client_id is not None and client_id != self.config["app_id"]):
            raise SandboxError("Error validating client secret.", code=101)
        row, _user = self.auth(token)
        if row["kind"] != "short" and row["login"] == "instagram":
            raise SandboxError("(#100) Only a short-lived token can be exchanged for a long-lived one", code=100)
        tok = self.issue_token(row["user_id"], kind="long", scopes=row["scopes"], login=row["login"])
        return {"access_token": tok["access_token"], "token_type": "bearer", "expires_in": tok["expires_in"]}

    def refresh(self, token: str) -> dict[str, Any]:
        row, _user = self.auth(token)
        if row["kind"] != "long":
            raise SandboxError("(#100) Only a long-lived token can be refreshed", code=100)
        if self.now() - row["issued_at"] < self.scaled("refresh_min_age"):
            raise SandboxError("(#100) The access token cannot be refreshed until it is at least 24 hours old",
                               code=100)
        tok = self.issue_token(row["user_id"], kind="long", scopes=row["scopes"], login=row["login"])
        return {"access_token": tok["access_token"], "token_type": "bearer", "expires_in": tok["expires_in"]}


def _redirect(url: str) -> Response:
    return Response(302, raw=b"", headers={"Location": url}, content_type="text/plain")


def _with_query(url: str, params: dict[str, str], fragment: str = "") -> str:
    sep = "&" if "?" in url else "?"
    return url + sep + urlencode(params) + fragment


# --- OAuth ------------------------------------------------------------------------------------------

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Instagram sandbox — authorize</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}}button{{padding:.5rem 1.2rem;margin-right:.5rem}}</style>
</head><body><h1>Sandbox Instagram</h1>
<p><strong>{app}</strong> wants to connect to your Instagram professional account.</p>
<form method="post" action="{action}">{hidden}
<p><label>Account username <input name="sandbox_username" value="{username}" required></label></p>
<fieldset><legend>Permissions</legend>{scopes}</fieldset>
<p><button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></p>
</form></body></html>"""


def authorize_page(sb: Sandbox, params: dict[str, str], *, login: str) -> Response:
    if params.get("client_id") != sb.config["app_id"]:
        return Response(400, raw=b"Invalid platform app (client_id)", content_type="text/plain")
    if not params.get("redirect_uri"):
        return Response(400, raw=b"redirect_uri is required", content_type="text/plain")
    params = {**params, "login": login}
    auto = params.get("sandbox_auto")
    if auto in ("allow", "deny"):
        return authorize_decide(sb, {**params, "decision": auto})
    scopes = [s for s in (params.get("scope") or "").replace(" ", ",").split(",") if s]
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in params.items() if k in ("client_id", "redirect_uri", "state", "scope", "login"))
    boxes = "".join(f'<label><input type="checkbox" name="grant" value="{html.escape(s)}" checked> {html.escape(s)}</label><br>'
                    for s in scopes)
    page = _PAGE.format(app=html.escape(sb.config["app_id"]), action="/oauth/authorize/decide", hidden=hidden,
                        username=html.escape(params.get("sandbox_username", "sandbox_brand")), scopes=boxes)
    return Response(200, raw=page.encode(), content_type="text/html; charset=utf-8")


def authorize_decide(sb: Sandbox, params: dict[str, str]) -> Response:
    redirect_uri = params.get("redirect_uri", "")
    state = params.get("state", "")
    login = params.get("login", "instagram")
    if params.get("decision") != "allow":
        return _redirect(_with_query(redirect_uri, {"error": "access_denied", "error_reason": "user_denied",
                                                    "error_description": "Permissions error", "state": state}))
    requested = [s for s in (params.get("scope") or "").replace(" ", ",").split(",") if s]
    if "sandbox_scopes" in params:
        granted = [s for s in params["sandbox_scopes"].split(",") if s]
    else:
        granted = requested
    code = sb.authorize(username=params.get("sandbox_username") or "sandbox_brand", redirect_uri=redirect_uri,
                        scopes=list(granted), login=login)
    return _redirect(_with_query(redirect_uri, {"code": code, "state": state}, "#_" if login == "instagram" else "#_=_"))


def oauth_code_exchange(sb: Sandbox, params: dict[str, str]) -> Response:
    if params.get("grant_type") != "authorization_code":
        raise SandboxError("Invalid grant_type", code=400, oauth_shape=True)
    tok = sb.redeem_code(client_id=params.get("client_id", ""), client_secret=params.get("client_secret", ""),
                         redirect_uri=params.get("redirect_uri", ""), code=params.get("code", ""), oauth_shape=True)
    return Response(200, sb.code_answer(tok))


def fb_code_exchange(sb: Sandbox, params: dict[str, str]) -> Response:
    tok = sb.redeem_code(client_id=params.get("client_id", ""), client_secret=params.get("client_secret", ""),
                         redirect_uri=params.get("redirect_uri", ""), code=params.get("code", ""), oauth_shape=False)
    return Response(200, {"access_token": tok["access_token"], "token_type": "bearer", "expires_in": tok["expires_in"]})
