# Each engineer adds their routes here: library, posts, calendar…
urlpatterns: list = []

from scheduler.urls_posts import urlpatterns as _posts  # noqa: E402

urlpatterns += _posts

from scheduler.media.urls import urlpatterns as _media  # noqa: E402

urlpatterns += _media

from scheduler.urls_library import urlpatterns as _library  # noqa: E402

urlpatterns += _library

from scheduler.urls_calendar import urlpatterns as _calendar  # noqa: E402

urlpatterns += _calendar
