"""Routes of the post lifecycle: list, composer, detail, actions, manual queue."""

from django.urls import path

from scheduler.views import posts as views

urlpatterns = [
    path("w/<slug:ws>/posts/", views.post_list, name="post_list"),
    path("w/<slug:ws>/posts/new", views.post_create, name="post_create"),
    path("w/<slug:ws>/posts/<int:pk>/", views.post_detail, name="post_detail"),
    path("w/<slug:ws>/posts/<int:pk>/edit", views.post_edit, name="post_edit"),
    path("w/<slug:ws>/manual/", views.manual_queue, name="manual_queue"),
    *[
        path(f"w/<slug:ws>/posts/<int:pk>/{verb}", view, name=f"post_{verb.replace('-', '_')}")
        for verb, view in views.action_views.items()
    ],
]
