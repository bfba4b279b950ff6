"""Routes of the editorial calendar, its iCalendar feeds and the posting-slot grid."""

from django.urls import path

from scheduler.views import calendar as views
from scheduler.views import slots

urlpatterns = [
    path("w/<slug:ws>/calendar/", views.calendar, name="calendar"),
    path("w/<slug:ws>/calendar/move/<int:pk>", views.calendar_move, name="calendar_move"),
    path("w/<slug:ws>/calendar/feeds/", views.calendar_feeds, name="calendar_feeds"),
    path("w/<slug:ws>/instagram/<int:pk>/slots/", slots.posting_slots, name="posting_slots"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("calendar/feed/<str:token>/<int:account>.ics", views.calendar_feed, name="calendar_feed_account"),
]
