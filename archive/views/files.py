"""Archive files: thumbnails (everyone who may see the gallery), originals and ZIP exports (download right)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from accounts.permissions import Action, workspace_view
from archive import selectors
from archive.services.export import export_filename, export_stream
from archive.services.export import member_name as _member_name


def _open(name: str) -> object:
    if not name:
        raise Http404("This file was not stored.")
    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("This file is missing from storage.") from None


@workspace_view(Action.VIEW_ARCHIVE)
@require_safe
def media_thumb(request: HttpRequest, pk: int) -> HttpResponse:
    media = selectors.media_file(workspace=request.workspace, pk=pk)
    response = FileResponse(_open(media.thumbnail), content_type="image/jpeg")
    # Content-addressed names never change their bytes: the browser may keep them (privately) for a day.
    response["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@workspace_view(Action.DOWNLOAD_ORIGINALS)
@require_safe
def media_original(request: HttpRequest, pk: int) -> HttpResponse:
    media = selectors.media_file(workspace=request.workspace, pk=pk)
    download = request.GET.get("download") == "1"
    response = FileResponse(_open(media.file), content_type=media.mime_type or "application/octet-stream",
                            as_attachment=download, filename=_member_name(media.post, media).split("/")[-1])
    response["Cache-Control"] = "private, max-age=86400"
    return response


@workspace_view(Action.DOWNLOAD_ORIGINALS)
@require_safe
def export(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_detail(workspace=request.workspace, pk=pk)
    filters = selectors.GalleryFilters.from_query(request.GET)
    response = StreamingHttpResponse(export_stream(profile=profile, filters=filters), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(profile, filters)}"'
    response["Cache-Control"] = "no-store"
    return response


@workspace_view(Action.VIEW_ARCHIVE)
@require_safe
def profile_picture(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_detail(workspace=request.workspace, pk=pk)
    response = FileResponse(_open(profile.picture), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response
