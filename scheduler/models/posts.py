"""Posts and their media items, publish attempts, review events, posting slots and metric snapshots."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone


class PostQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        """Every write to a post moves its `updated_at`, whichever path wrote it (the engine's guarded updates, the
        series' bookkeeping, `bulk_update`), as `save()` does: the calendar feed's ETag relies on it
        (scheduler/ical.py)."""
        kwargs.setdefault("updated_at", timezone.now())
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Deletes, and counts the deleted posts on their workspaces (`Workspace.posts_deleted`) in the same
        transaction. Pressroom itself never deletes a post (cancel keeps the history); a shell or a future feature
        that does must still change the calendar feed's ETag."""
        with transaction.atomic():
            per_workspace = dict(Counter(self.values_list("workspace_id", flat=True)))
            deleted = super().delete()
            _count_deleted(per_workspace)
        return deleted


def _count_deleted(per_workspace: dict[int, int]) -> None:
    from accounts.models import Workspace

    for workspace_id, n in per_workspace.items():
        Workspace.objects.filter(pk=workspace_id).update(posts_deleted=F("posts_deleted") + n)


class Post(models.Model):
    """One Instagram post (or one occurrence of a recurring series).

    State changes happen only in services; every change writes a ReviewEvent or PublishAttempt.
    "Scheduled" = approved with a publish_at.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHING = "publishing", "Publishing"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        MANUAL = "manual", "Manual"
        # Publishing may or may not have happened (answer lost, container unclear): a human decides.
        NEEDS_REVIEW = "needs_review", "Needs review"

    class Kind(models.TextChoices):
        FEED = "feed", "Feed image"
        CAROUSEL = "carousel", "Carousel"
        REEL = "reel", "Reel"
        STORY = "story", "Story"

    class ManualReason(models.TextChoices):
        NONE = "", "—"
        STICKERS = "stickers", "Stickers"
        MUSIC = "music", "Music"
        PRODUCT_TAGS = "product_tags", "Product tags"
        ACCOUNT = "account", "Account cannot publish"
        OTHER = "other", "Other"

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="posts")
    account = models.ForeignKey("accounts.InstagramAccount", on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FEED)
    caption = models.TextField(blank=True)
    first_comment = models.TextField(blank=True)
    location_id = models.CharField(max_length=64, blank=True)
    # The place's name as the search showed it, for display only; Instagram takes the id (a Facebook Page id).
    location_name = models.CharField(max_length=200, blank=True)
    collaborators = models.JSONField(default=list, blank=True)  # usernames, ≤ 3
    user_tags = models.JSONField(default=list, blank=True)  # [{"username","x","y"}]
    share_to_feed = models.BooleanField(default=True)
    publish_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.DRAFT)
    manual_reason = models.CharField(max_length=16, choices=ManualReason.choices, blank=True, default="")

    # Recurrence: the series root holds the rule; each occurrence points at its root.
    rrule = models.CharField(max_length=500, blank=True)
    series_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="occurrences"
    )
    occurrence_index = models.PositiveIntegerField(default=0)
    # The rule's own time for this occurrence (publish_at may be moved by hand; the series is not).
    occurrence_at = models.DateTimeField(null=True, blank=True)
    series_stopped = models.BooleanField(default=False)
    # A date moved or split off a series with the series' content: it has no review of its own and follows the
    # series' (approved with it, sent back with it) until its own content changes (scheduler/services/approval.py).
    review_follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="review_followers"
    )

    # Engine bookkeeping (see DESIGN §4 / publishing-reliability.md).
    retry_count = models.PositiveSmallIntegerField(default=0)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    publish_started_at = models.DateTimeField(null=True, blank=True)
    container_ids = models.JSONField(default=list, blank=True)  # children first, parent last
    containers_created_at = models.DateTimeField(null=True, blank=True)
    reconcile_attempts = models.PositiveSmallIntegerField(default=0)
    ig_media_id = models.CharField(max_length=64, blank=True)
    permalink = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    first_comment_id = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    last_error_code = models.CharField(max_length=32, blank=True)
    deferred_reason = models.CharField(max_length=300, blank=True)

    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notify_on_publish = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency for edits and moves
    # Review bound to content (scheduler/content.py): the hash of the current content and of the last approved.
    content_hash = models.CharField(max_length=64, blank=True)
    approved_hash = models.CharField(max_length=64, blank=True)
    # Set when a post was still in review at its time: it never publishes and needs a new time to be approved.
    review_expired_at = models.DateTimeField(null=True, blank=True)
    # Workspaces that require two approvals: the first one, valid only while the content keeps this hash.
    first_approval_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_approval_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["publish_at", "id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="post_due"),
            # The claim's pick (scheduler/engine/claims.py): the first due post in (publish_at, id) order from the
            # index, instead of sorting every approved post on every claim.
            models.Index(fields=["status", "publish_at", "id"], name="post_claim_order"),
            models.Index(fields=["status", "next_check_at"], name="post_check"),
            models.Index(fields=["status", "claimed_at"], name="post_lease"),
            models.Index(fields=["workspace", "publish_at"], name="post_calendar"),
            # The calendar's grid/paging/ETag reads (issue 25): cells and counts from the index alone.
            models.Index(fields=["workspace", "publish_at", "id", "status", "account", "version", "updated_at"],
                         name="post_calendar_cover"),
            # Live series roots before a window (the dates they draw into it): a handful among thousands of posts.
            models.Index(fields=["workspace", "publish_at"], condition=models.Q(series_stopped=False) & ~models.Q(rrule=""),
                         name="post_live_series"),
            models.Index(fields=["account", "published_at"], name="post_account_published"),
            # The workspace's latest writes (the calendar feed's ETag): a few index entries, not the window's posts.
            # Partial on a condition no other read states, so only reads that name it can use it: SQLite, without
            # statistics for it, took it for every "workspace = ?" read (the calendar's month: 15 → 30 ms).
            models.Index(fields=["workspace", "updated_at"], condition=models.Q(updated_at__isnull=False),
                         name="post_last_change"),
        ]
        constraints = [
            # Materializing the next occurrence twice (two clusters, a retry) cannot create two posts.
            models.UniqueConstraint(
                fields=["series_root", "occurrence_index"],
                condition=models.Q(series_root__isnull=False),
                name="post_unique_occurrence",
            ),
        ]

    def __str__(self) -> str:
        first = (self.caption or "").strip().splitlines()[0][:60] if self.caption.strip() else ""
        return first or f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # `save(update_fields=[...])` writes only those fields: auto_now's new `updated_at` goes with them.
        fields = kwargs.get("update_fields")
        if fields is not None and "updated_at" not in fields:
            kwargs["update_fields"] = [*fields, "updated_at"]
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        # Counted on the workspace like the queryset's delete (PostQuerySet.delete).
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            _count_deleted({self.workspace_id: 1})
        return deleted

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)


class PostMedia(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey("scheduler.MediaAsset", on_delete=models.PROTECT, related_name="post_items")
    position = models.PositiveSmallIntegerField(default=0)
    # Column width only: the rule is instagram_rules.ALT_TEXT_MAX (models cannot import it; a test keeps them equal).
    alt_text = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "position"], name="postmedia_unique_position")]

    def __str__(self) -> str:
        return f"{self.post_id}#{self.position}"


class PublishAttempt(models.Model):
    """One row per try at publishing a post: what happened, with Instagram's own error."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        PUBLISHED = "published", "Published"
        WAITING = "waiting", "Waiting for video processing"
        RETRY = "retry", "Will retry"
        DEFERRED = "deferred", "Deferred by a limit"
        FAILED = "failed", "Failed"
        RECONCILED = "reconciled", "Reconciled after interruption"
        NEEDS_REVIEW = "needs_review", "Needs review"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, default=Outcome.RUNNING)
    error_code = models.CharField(max_length=16, blank=True)
    error_subcode = models.CharField(max_length=16, blank=True)
    error_message = models.TextField(blank=True)
    container_id = models.CharField(max_length=64, blank=True)
    fbtrace_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["post", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of post {self.post_id}: {self.outcome}"


class ReviewEvent(models.Model):
    """Every review/lifecycle transition with who, when and note."""

    class Action(models.TextChoices):
        """Every kind of event; the label completes "<who> …" in a post's history."""

        CREATED = "created", "created the post"
        EDITED = "edited", "edited it"
        DETAILS_CHANGED = "details_changed", "changed its details"
        MOVED = "moved", "moved it"
        SUBMITTED = "submitted", "submitted it for review"
        APPROVED = "approved", "approved it"
        APPROVED_FIRST = "approved_first", "gave the first of two approvals"
        REJECTED = "rejected", "rejected it"
        CHANGES_REQUESTED = "changes_requested", "requested changes"
        REVIEW_EXPIRED = "review_expired", "flagged it: still in review at its time"
        RESCHEDULED = "rescheduled", "rescheduled it"
        QUEUED = "queued", "queued it"
        CANCELLED = "cancelled", "cancelled it"
        PUBLISH_NOW = "publish_now", "asked to publish it now"
        SKIPPED = "skipped", "skipped this date"
        SERIES_STOPPED = "series_stopped", "stopped the series"
        SERIES_MOVED = "series_moved", "moved the series"
        SERIES_SPLIT = "series_split", "split the series"
        SERIES_CONTINUED = "series_continued", "continued the series from this date"
        SERIES_DATE_MOVED = "series_date_moved", "moved one date of the series"
        FOLLOWS_SERIES = "follows_series", "took the series' decision"
        OCCURRENCE_CREATED = "occurrence_created", "created this date of the series"
        MARKED_MANUAL = "marked_manual", "sent it to the manual lane"
        POSTED_MANUALLY = "posted_manually", "marked it as posted by hand"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="review_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=30, choices=Action.choices)
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14, blank=True)
    note = models.TextField(blank=True)
    # On approvals: what was approved (scheduler/content.py), so the desk can show what changed since.
    content = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} on post {self.post_id}"


class PostingSlot(models.Model):
    """A daily posting time for one account on one weekday (seed 000's grid, ≤ 25 a day)."""

    account = models.ForeignKey("accounts.InstagramAccount", on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(choices=[(i, d) for i, d in enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])])
    time = models.TimeField()

    class Meta:
        ordering = ["account", "weekday", "time"]
        constraints = [models.UniqueConstraint(fields=["account", "weekday", "time"], name="slot_unique")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.time:%H:%M}"


class MetricSnapshot(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="metrics")
    taken_at = models.DateTimeField()
    views = models.PositiveIntegerField(null=True, blank=True)
    reach = models.PositiveIntegerField(null=True, blank=True)
    likes = models.PositiveIntegerField(null=True, blank=True)
    comments = models.PositiveIntegerField(null=True, blank=True)
    saved = models.PositiveIntegerField(null=True, blank=True)
    shares = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["post", "-taken_at"]
        get_latest_by = "taken_at"
        # Analytics read each post's latest snapshot: one index seek per post.
        indexes = [models.Index(fields=["post", "taken_at"], name="metric_post_taken")]

    def __str__(self) -> str:
        return f"metrics of post {self.post_id} at {self.taken_at:%Y-%m-%d %H:%M}"
