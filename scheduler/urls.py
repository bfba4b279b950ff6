"""Routes of the scheduler app (namespace "scheduler"): dashboard, posts, manual queue, media library, public media."""

from django.urls import include, path

from scheduler.views import analytics, calendar, compose, dashboard, grid, library, posts, slots
from scheduler.views.media_public import media_public

app_name = "scheduler"

workspace_patterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Posts: list, composer, detail, the manual queue.
    path("posts/", posts.post_list, name="post_list"),
    path("posts/new", posts.post_create, name="post_create"),
    path("posts/compose/check", compose.compose_check, name="compose_check"),
    path("posts/compose/picker", compose.compose_picker, name="compose_picker"),
    path("posts/compose/places", compose.compose_places, name="compose_places"),
    path("posts/<int:pk>/", posts.post_detail, name="post_detail"),
    path("posts/<int:pk>/edit", posts.post_edit, name="post_edit"),
    path("manual/", posts.manual_queue, name="manual_queue"),
    # Post actions: each a POST to one service.
    path("posts/<int:pk>/submit", posts.post_submit, name="post_submit"),
    path("posts/<int:pk>/approve", posts.post_approve, name="post_approve"),
    path("posts/<int:pk>/reject", posts.post_reject, name="post_reject"),
    path("posts/<int:pk>/request-changes", posts.post_request_changes, name="post_request_changes"),
    path("posts/<int:pk>/reschedule", posts.post_reschedule, name="post_reschedule"),
    path("posts/<int:pk>/cancel", posts.post_cancel, name="post_cancel"),
    path("posts/<int:pk>/publish-now", posts.post_publish_now, name="post_publish_now"),
    path("posts/<int:pk>/skip", posts.post_skip_occurrence, name="post_skip_occurrence"),
    path("posts/<int:pk>/stop-series", posts.post_stop_series, name="post_stop_series"),
    path("posts/<int:pk>/queue", posts.post_queue, name="post_queue"),
    path("posts/<int:pk>/mark-manual", posts.post_mark_manual, name="post_mark_manual"),
    path("posts/<int:pk>/mark-posted", posts.post_mark_posted, name="post_mark_posted"),
    # Media library.
    path("library/", library.library, name="library"),
    path("library/upload", library.library_upload, name="library_upload"),
    path("library/<int:pk>/", library.asset_detail, name="asset_detail"),
    path("library/<int:pk>/delete", library.asset_delete, name="asset_delete"),
    path("library/<int:pk>/<str:variant>", library.asset_file, name="asset_file"),
    # Editorial calendar, its feeds page, and an account's posting-slot grid.
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/move/<int:pk>", calendar.calendar_move, name="calendar_move"),
    path("calendar/feeds/", calendar.calendar_feeds, name="calendar_feeds"),
    path("instagram/<int:pk>/slots/", slots.posting_slots, name="posting_slots"),
    # The grid planner: an account's profile grid, swapping planned posts, drafts into free slots, composer preview.
    path("grid/<int:account>/", grid.grid, name="grid"),
    path("grid/<int:account>/swap", grid.grid_swap, name="grid_swap"),
    path("grid/<int:account>/place", grid.grid_place, name="grid_place"),
    path("grid/preview", grid.grid_preview, name="grid_preview"),
    # Analytics, best time to post, the monthly client report.
    path("analytics/", analytics.analytics, name="analytics"),
    path("analytics/best-time/", analytics.best_time, name="best_time"),
    path("analytics/best-time/slots", analytics.best_time_slots, name="best_time_slots"),
    path("report/", analytics.report, name="report"),
    path("report/posts.csv", analytics.report_csv, name="report_csv"),
    path("report/email", analytics.report_email, name="report_email"),
]

urlpatterns = [
    path("w/<slug:ws>/", include(workspace_patterns)),
    # Signed, expiring media URLs that Instagram fetches (no session: the signature is the credential).
    path("m/<str:token>", media_public, name="media_public"),
    # iCalendar feeds (no session: the secret, revocable token in the URL is the credential).
    path("calendar/feed/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    path("calendar/feed/<str:token>/<int:account>.ics", calendar.calendar_feed, name="calendar_feed_account"),
]
