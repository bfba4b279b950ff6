"""The scheduler's admin: the review desk (posts), history, posting slots, the media library and (superusers only)
the task cluster's pages."""

from scheduler.admin import other, posts, tasks  # noqa: F401  (registers the ModelAdmins)
