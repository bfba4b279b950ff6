"""Archive pages: the profile list with add forms, a profile's page (chart, deleted posts, runs), the gallery."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.permissions import Action, can, workspace_view
from archive import selectors
from archive.services.profiles import REFRESH_CHOICES
from scheduler.charts import Series, line_chart

GALLERY = "archive/gallery.html"


def _perms(request: HttpRequest) -> dict[str, bool]:
    ws = request.workspace
    return {"can_manage": can(request.user, Action.MANAGE_ARCHIVE, ws),
            "can_download": can(request.user, Action.DOWNLOAD_ORIGINALS, ws)}


@workspace_view(Action.VIEW_ARCHIVE)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    perms = _perms(request)
    context = {"profiles": selectors.profile_list(workspace=ws), **perms}
    if perms["can_manage"]:
        context["own_accounts"] = selectors.own_accounts_not_archived(workspace=ws)
    return render(request, "archive/index.html", context)


def _growth_chart(points: list, tz: Any) -> Any:  # noqa: ANN401
    """Followers (left scale) and media count (right scale), one point per snapshot day."""
    return line_chart([Series("followers", "Followers", "#3450d1", [(t, f) for t, f, _m in points]),
                       Series("posts", "Posts", "#c2570c", [(t, m) for t, _f, m in points], axis="right")],
                      tz=tz, title="Followers and posts over time", css_class="growth-chart", all_dots=True,
                      empty="The chart appears after the second fetch (one point per day).")


@workspace_view(Action.VIEW_ARCHIVE)
@require_safe
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_detail(workspace=request.workspace, pk=pk)
    context = {
        "profile": profile,
        "stats": selectors.profile_stats(profile=profile),
        "chart": _growth_chart(selectors.snapshot_series(profile=profile), request.workspace.tzinfo),
        "deleted": selectors.deleted_posts(profile=profile),
        "runs": selectors.recent_runs(profile=profile),
        "refresh_choices": REFRESH_CHOICES,
        **_perms(request),
    }
    return render(request, "archive/profile.html", context)


@workspace_view(Action.VIEW_ARCHIVE)
@require_safe
def gallery(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_detail(workspace=request.workspace, pk=pk)
    filters = selectors.GalleryFilters.from_query(request.GET)
    page = selectors.gallery_page(profile=profile, filters=filters, cursor=request.GET.get("cursor"))
    context = {"profile": profile, "page": page, "filters": filters, "query": filters.as_query(),
               "query_string": urlencode(filters.as_query()),
               "types": selectors.TYPES, **_perms(request)}
    if request.htmx and request.GET.get("cursor"):
        return render(request, f"{GALLERY}#more", context)
    context["count"] = selectors.gallery_count(profile=profile, filters=filters)
    if request.htmx and request.htmx.target == "gallery-results":
        return render(request, f"{GALLERY}#results", context)
    return render(request, GALLERY, context)


@workspace_view(Action.VIEW_ARCHIVE)
@require_safe
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One post with all its files: the lightbox's page when scripts are off, and a link to share."""
    post = selectors.post_detail(workspace=request.workspace, pk=pk)
    return render(request, "archive/post.html", {"post": post, "profile": post.profile, **_perms(request)})


@workspace_view(Action.VIEW_ARCHIVE)
@require_safe
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar of one run; while it is active the fragment polls itself every two seconds."""
    run = selectors.run_detail(workspace=request.workspace, pk=pk)
    response = render(request, "archive/_run.html", {"run": run})
    if request.htmx and not run.is_active:
        # The run just ended under a polling page: the counts, runs table, chart and grid around the bar are from
        # before it, so reload the page rather than leave "0 archived" next to a finished bar.
        response["HX-Refresh"] = "true"
    return response
