"""Routes of the media library."""

from django.urls import path

from scheduler.views import library as views

urlpatterns = [
    path("w/<slug:ws>/library/", views.library, name="library"),
    path("w/<slug:ws>/library/upload", views.library_upload, name="library_upload"),
    path("w/<slug:ws>/library/<int:pk>/", views.asset_detail, name="asset_detail"),
    path("w/<slug:ws>/library/<int:pk>/delete", views.asset_delete, name="asset_delete"),
    path("w/<slug:ws>/library/<int:pk>/<str:variant>", views.asset_file, name="asset_file"),
]
