from django.urls import path

from scheduler.media.public import media_public

urlpatterns = [path("m/<str:token>", media_public, name="media_public")]
