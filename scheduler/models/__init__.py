"""The scheduler models, one module per topic, re-exported here."""

from scheduler.models.calendar import CalendarFeedToken  # noqa: F401
from scheduler.models.insights import AccountDay, ReportSubscription  # noqa: F401
from scheduler.models.media import MediaAsset  # noqa: F401
from scheduler.models.posts import MetricSnapshot, Post, PostingSlot, PostMedia, PublishAttempt, ReviewEvent  # noqa: F401
from scheduler.models.system import Heartbeat  # noqa: F401
