"""The scheduler's admin: the review desk (posts), history, posting slots and the media library."""

from scheduler.admin import other, posts  # noqa: F401  (registers the ModelAdmins)
