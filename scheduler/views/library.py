"""The media library: the grid (HTMX-filtered, keyset-paginated), uploads, the detail panel, delete, files.

Thin views: policy (workspace_view) → selector or service → template or partial. Uploads answer JSON to the
library's script (one file per request, so each gets its own progress bar) and fall back to a plain
multi-file form post with messages when scripts are off.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import Action, workspace_view
from scheduler.forms.media import AssetForm
from scheduler.models import MediaAsset
from scheduler.rules import can_view_asset
from scheduler.selectors import media as selectors
from scheduler.services import media as services

TEMPLATE = "scheduler/library/index.html"


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _form_for(asset: MediaAsset) -> AssetForm:
    return AssetForm(initial={"title": asset.title, "alt_text": asset.alt_text, "tags": asset.tags,
                              "description": asset.description})


def _asset_or_404(request: HttpRequest, pk: int) -> MediaAsset:
    asset = selectors.asset_detail(workspace=request.workspace, pk=pk)
    if asset is None:
        raise Http404("No such media in this workspace.")
    return asset


@workspace_view(Action.USE_LIBRARY)
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    filters = selectors.LibraryFilters.from_query(request.GET)
    page = selectors.library_page(workspace=ws, filters=filters, cursor=request.GET.get("cursor"))
    context = {"page": page, "filters": filters, "query": filters.as_query(), "sorts": selectors.SORTS,
               "uses": selectors.USES, "kinds": MediaAsset.Kind.choices}
    if request.htmx and request.GET.get("cursor"):
        return render(request, f"{TEMPLATE}#more", context)  # the next cards and the next "load more"
    if request.htmx and request.htmx.target == "library-results":
        return render(request, f"{TEMPLATE}#results", context)
    total, uploaders = selectors.library_summary(workspace=ws)
    context.update(total=total, uploaders=uploaders, max_mb=services.upload_limit_mb())
    return render(request, TEMPLATE, context)


@workspace_view(Action.USE_LIBRARY)
@require_POST
def library_upload(request: HttpRequest) -> HttpResponse:
    files = request.FILES.getlist("file")
    if _wants_json(request):
        if len(files) != 1:
            return JsonResponse({"ok": False, "error": "Send one file per request in the field “file”."}, status=400)
        try:
            result = services.media_upload(user=request.user, workspace=request.workspace, uploaded_file=files[0])
        except services.MediaRejected as exc:
            return JsonResponse({"ok": False, "error": str(exc)}, status=422)
        card = render_to_string("scheduler/library/_card.html", {"asset": result.asset}, request=request)
        # The page's header count follows the upload (issue 23), in the words the page itself uses. Uploads run
        # side by side and their answers may arrive out of order: "counted_at" (µs, taken after the count) lets
        # the page keep the newest count instead of whichever answer came last.
        total = selectors.library_summary(workspace=request.workspace)[0]
        counted_at = time.time_ns() // 1000
        total_text = render_to_string("scheduler/library/index.html#total", {"total": total},
                                      request=request).strip()
        return JsonResponse({"ok": True, "duplicate": result.duplicate, "message": result.message,
                             "asset": {"id": result.asset.pk, "title": str(result.asset)}, "card_html": card,
                             "total": total, "total_text": total_text, "counted_at": counted_at},
                            status=200 if result.duplicate else 201)
    if not files:
        messages.error(request, "Choose one or more files to upload.")
    for f in files:
        try:
            result = services.media_upload(user=request.user, workspace=request.workspace, uploaded_file=f)
        except services.MediaRejected as exc:
            messages.error(request, str(exc))
        else:
            (messages.info if result.duplicate else messages.success)(request, result.message)
    return redirect("scheduler:library", ws=request.workspace.slug)


@workspace_view(Action.USE_LIBRARY)
@require_http_methods(["GET", "POST"])
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    asset = _asset_or_404(request, pk)
    saved = False
    if request.method == "POST":
        form = AssetForm(request.POST)
        if form.is_valid():
            try:
                services.media_update(user=request.user, asset=asset, **form.cleaned_data)
            except services.MediaRejected as exc:
                form.add_error(None, exc.reason)
            else:
                if not request.htmx:
                    messages.success(request, f"Saved “{asset}”.")
                    return redirect("scheduler:asset_detail", ws=request.workspace.slug, pk=asset.pk)
                saved = True
                form = _form_for(asset)  # show what was stored (tags normalised), not what was typed
    else:
        form = _form_for(asset)
    context = {"asset": asset, "form": form, "saved": saved, "error": None}
    if request.htmx:
        status = 422 if request.method == "POST" and not saved else 200
        return render(request, "scheduler/library/panel.html", context, status=status)
    return render(request, "scheduler/library/detail.html", context)


@workspace_view(Action.USE_LIBRARY)
@require_POST
def asset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    asset = _asset_or_404(request, pk)
    try:
        services.media_delete(user=request.user, asset=asset)
    except services.MediaInUse as exc:
        if request.htmx:
            return render(request, "scheduler/library/panel.html",
                          {"asset": asset, "form": _form_for(asset), "error": exc.message}, status=409)
        messages.error(request, exc.message)
        return redirect("scheduler:asset_detail", ws=request.workspace.slug, pk=pk)
    if request.htmx:
        response = HttpResponse(f'<p class="muted" id="panel-gone">“{asset}” was deleted.</p>')
        response["HX-Trigger"] = f'{{"asset-deleted": {{"id": {pk}}}}}'
        return response
    messages.success(request, f"Deleted “{asset}”.")
    return redirect("scheduler:library", ws=request.workspace.slug)


@workspace_view(Action.VIEW_CALENDAR)
@require_safe
def asset_file(request: HttpRequest, pk: int, variant: str) -> HttpResponse:
    """Thumbnails for everyone who sees posts; originals for roles that may download them. Private:
    served to members only (S3: a short presigned redirect), never from a guessable public path."""
    asset = MediaAsset.objects.filter(workspace=request.workspace, pk=pk).only(
        "workspace_id", "file", "thumbnail", "rendition", "original_name", "mime_type", "sha256").first()
    if asset is not None:
        asset.workspace = request.workspace  # already resolved by workspace_view; no second query
    if asset is None or not can_view_asset(request.user, asset, variant=variant):
        raise Http404("No such file.")  # hidden, not forbidden: a client does not learn a draft's media exists
    field = {"thumb": asset.thumbnail, "original": asset.file, "instagram": asset.rendition}.get(variant)
    if not field:
        raise Http404("No such file.")
    etag = f'"{asset.sha256[:32]}-{variant}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    if settings.USE_S3:
        return HttpResponseRedirect(default_storage.url(field.name, expire=300))
    try:
        handle = default_storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    content_type = asset.mime_type if variant == "original" else "image/jpeg"
    response = FileResponse(handle, content_type=content_type, as_attachment=variant == "original",
                            filename=asset.original_name or None)
    response["Cache-Control"] = "private, max-age=86400"
    response["ETag"] = etag
    return response

