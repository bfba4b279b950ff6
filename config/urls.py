"""Top-level routes: health, the admin, and one include per app (each app namespaced)."""

from django.contrib import admin
from django.urls import include, path

from config import health

admin.site.site_header = "Pressroom review desk"
admin.site.site_title = "Pressroom admin"
admin.site.index_title = "Review and administration"

urlpatterns = [
    path("", include(([path("healthz", health.healthz, name="healthz")], "config"))),  # config:healthz
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),  # namespace "accounts"
    path("", include("scheduler.urls")),  # namespace "scheduler"
    path("", include("archive.urls")),  # namespace "archive"
]
