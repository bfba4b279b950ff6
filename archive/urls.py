"""Routes of the archive (namespace "archive"), all under /w/<ws>/archive/."""

from django.urls import include, path

from archive.views import actions, files, pages

app_name = "archive"

workspace_patterns = [
    path("", pages.index, name="index"),
    path("add", actions.profile_add, name="profile_add"),
    path("add-own/<int:account_id>", actions.profile_add_own, name="profile_add_own"),
    path("p/<int:pk>/", pages.profile_detail, name="profile"),
    path("p/<int:pk>/gallery", pages.gallery, name="gallery"),
    path("p/<int:pk>/refresh", actions.profile_refresh, name="profile_refresh"),
    path("p/<int:pk>/settings", actions.profile_settings, name="profile_settings"),
    path("p/<int:pk>/export.zip", files.export, name="export"),
    path("p/<int:pk>/picture", files.profile_picture, name="profile_picture"),
    path("posts/<int:pk>/", pages.post_detail, name="post_detail"),
    path("runs/<int:pk>/progress", pages.run_progress, name="run_progress"),
    path("media/<int:pk>/thumb", files.media_thumb, name="media_thumb"),
    path("media/<int:pk>/original", files.media_original, name="media_original"),
]

urlpatterns = [path("w/<slug:ws>/archive/", include(workspace_patterns))]
