"""The app-served public media URL (local storage): signed, expiring, no session needed."""

from __future__ import annotations

import mimetypes

from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseGone
from django.views.decorators.http import require_safe

from scheduler.media.storage import name_from_token
from scheduler.rules import can_fetch_public_file


@require_safe
def media_public(request: HttpRequest, token: str) -> HttpResponse:
    try:
        name = name_from_token(token)
    except signing.SignatureExpired:
        return HttpResponseGone("This media link has expired.")
    except (signing.BadSignature, KeyError, ValueError):
        return HttpResponseForbidden("This media link is not valid.")
    if not can_fetch_public_file(name) or not default_storage.exists(name):
        raise Http404("No such media.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(default_storage.open(name, "rb"), content_type=content_type)
