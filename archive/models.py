"""Archived public profiles, their snapshots over time, posts, media files and fetch runs (DESIGN.md §6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from instagram.media_types import extension_for


class ArchivedProfile(models.Model):
    """A public Business/Creator profile (or one of the workspace's own accounts) kept in the archive.

    A profile is recognised by its Instagram user id: a rename updates `username` and keeps the archive.
    """

    class Source(models.TextChoices):
        DISCOVERY = "discovery", "Business Discovery"
        OWN = "own", "Connected account (/me/media)"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        UNAVAILABLE = "unavailable", "Unavailable on Instagram"

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="archived_profiles")
    username = models.CharField(max_length=30)
    ig_user_id = models.CharField(max_length=64)
    previous_usernames = models.JSONField(default=list, blank=True)
    name = models.CharField(max_length=200, blank=True)
    biography = models.TextField(blank=True)
    website = models.CharField(max_length=500, blank=True)
    picture_url = models.TextField(blank=True)
    picture = models.CharField(max_length=300, blank=True, help_text="Stored file name of the profile picture.")
    followers_count = models.PositiveIntegerField(null=True, blank=True)
    follows_count = models.PositiveIntegerField(null=True, blank=True)
    media_count = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.DISCOVERY)
    # The connected account whose token asks Instagram (own accounts: the account itself).
    account = models.ForeignKey(
        "accounts.InstagramAccount", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    last_error = models.TextField(blank=True)
    refresh_interval_hours = models.PositiveSmallIntegerField(default=24, help_text="0 = no scheduled refresh.")
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_full_pass_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "ig_user_id"], name="archivedprofile_unique_igid"),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"


class ProfileSnapshot(models.Model):
    """Counts at one fetch, so change over time can be plotted."""

    profile = models.ForeignKey(ArchivedProfile, on_delete=models.CASCADE, related_name="snapshots")
    taken_at = models.DateTimeField()
    followers_count = models.PositiveIntegerField(null=True, blank=True)
    follows_count = models.PositiveIntegerField(null=True, blank=True)
    media_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["taken_at"]
        indexes = [models.Index(fields=["profile", "taken_at"], name="profilesnapshot_time")]

    def __str__(self) -> str:
        return f"{self.profile_id} at {self.taken_at:%Y-%m-%d %H:%M}"


class ArchivedPost(models.Model):
    class Type(models.TextChoices):
        IMAGE = "IMAGE", "Photo"
        VIDEO = "VIDEO", "Video"
        CAROUSEL = "CAROUSEL_ALBUM", "Carousel"

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(ArchivedProfile, on_delete=models.CASCADE, related_name="posts")
    ig_id = models.CharField(max_length=64)
    shortcode = models.CharField(max_length=64, blank=True)
    caption = models.TextField(blank=True)
    media_type = models.CharField(max_length=16, choices=Type.choices)
    product_type = models.CharField(max_length=16, blank=True)
    taken_at = models.DateTimeField()
    like_count = models.PositiveIntegerField(null=True, blank=True, help_text="Empty when the owner hides likes.")
    comments_count = models.PositiveIntegerField(null=True, blank=True)
    permalink = models.CharField(max_length=500, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    deleted_on_instagram = models.BooleanField(default=False)
    deleted_detected_at = models.DateTimeField(null=True, blank=True)
    # Instagram's API has no "pinned" field; /media lists pinned posts first, out of date order. A leading post
    # older than a post listed after it is pinned (archive/services/listing.py infers it at each first page).
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["profile", "ig_id"], name="archivedpost_unique_per_profile")]
        indexes = [
            models.Index(fields=["profile", "-taken_at", "-id"], name="archivedpost_keyset"),
            models.Index(fields=["profile", "media_type", "-taken_at"], name="archivedpost_type"),
            models.Index(fields=["workspace", "-taken_at"], name="archivedpost_ws"),
        ]

    def __str__(self) -> str:
        return self.shortcode or self.ig_id


class ArchivedMedia(models.Model):
    """One file of a post (a carousel has several). `file` is a content-addressed name, shared by equal bytes."""

    class Kind(models.TextChoices):
        IMAGE = "IMAGE", "Image"
        VIDEO = "VIDEO", "Video"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        DONE = "done", "Stored"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(ArchivedPost, on_delete=models.CASCADE, related_name="media")
    order = models.PositiveSmallIntegerField(default=0)
    ig_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    source_url = models.TextField(blank=True)
    thumbnail_source_url = models.TextField(blank=True)
    file = models.CharField(max_length=300, blank=True)
    thumbnail = models.CharField(max_length=300, blank=True)
    mime_type = models.CharField(max_length=60, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    crc32 = models.BigIntegerField(null=True, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_run = models.ForeignKey("ArchiveRun", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["post", "order"]
        constraints = [models.UniqueConstraint(fields=["post", "ig_id"], name="archivedmedia_unique_per_post")]
        indexes = [
            models.Index(fields=["workspace", "sha256"], name="archivedmedia_sha"),
            models.Index(fields=["post", "state"], name="archivedmedia_state"),
        ]

    def __str__(self) -> str:
        return f"{self.post} #{self.order}"

    @property
    def extension(self) -> str:
        return extension_for(self.mime_type, "mp4" if self.kind == "VIDEO" else "jpg")


class ArchiveRun(models.Model):
    """One fetch of one profile: progress the UI polls, and the cursor a crashed run resumes from."""

    class Kind(models.TextChoices):
        INCREMENTAL = "incremental", "Update"
        FULL = "full", "Full pass"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        WAITING = "waiting", "Waiting for Instagram's rate limit"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    class Phase(models.TextChoices):
        LISTING = "listing", "Reading posts"
        DOWNLOADING = "downloading", "Downloading media"
        FINISHING = "finishing", "Finishing"
        DONE = "done", "Done"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING, State.WAITING)

    profile = models.ForeignKey(ArchivedProfile, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INCREMENTAL)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.LISTING)
    cursor = models.TextField(blank=True, help_text="Paging cursor of the next page to read.")
    listing_done = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0, help_text="Posts listed so far (pinned-post rule).")
    oldest_seen_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    posts_seen = models.PositiveIntegerField(default=0)
    posts_new = models.PositiveIntegerField(default=0)
    posts_deleted = models.PositiveIntegerField(default=0)
    media_total = models.PositiveIntegerField(default=0)
    media_done = models.PositiveIntegerField(default=0)
    media_failed = models.PositiveIntegerField(default=0)
    bytes_downloaded = models.BigIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    wait_until = models.DateTimeField(null=True, blank=True)
    waits = models.PositiveSmallIntegerField(default=0)
    lease_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="archiverun_state")]
        constraints = [
            # At most one active run per profile: a second "refresh" joins the running one.
            models.UniqueConstraint(fields=["profile"], condition=models.Q(state__in=["queued", "running", "waiting"]),
                                    name="archiverun_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.profile} ({self.get_state_display()})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def last_message(self) -> str:
        return str(self.errors[-1].get("message", "")) if self.errors else ""

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if self.phase == self.Phase.LISTING:
            return 5 if self.posts_seen else 1
        if not self.media_total:
            return 95
        return 10 + int(85 * (self.media_done + self.media_failed) / self.media_total)
