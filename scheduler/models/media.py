"""The media library: one uploaded file with its rendition, thumbnail and Instagram suitability."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def asset_upload_to(instance: MediaAsset, filename: str) -> str:
    # The user's file name never becomes a path: a generated name under the workspace's folder.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"workspaces/{instance.workspace_id}/media/{uuid.uuid4().hex}.{ext}"


def derived_upload_to(instance: MediaAsset, filename: str) -> str:
    return f"workspaces/{instance.workspace_id}/derived/{uuid.uuid4().hex}-{filename}"


class MediaAsset(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    USES = ("feed", "carousel", "story", "reel")

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="media_assets")
    file = models.FileField(upload_to=asset_upload_to, max_length=300)
    original_name = models.CharField(max_length=255, blank=True, help_text="As uploaded; metadata only.")
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    mime_type = models.CharField(max_length=60)
    size_bytes = models.BigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    video_codec = models.CharField(max_length=30, blank=True)
    audio_codec = models.CharField(max_length=30, blank=True)
    audio_sample_rate = models.PositiveIntegerField(null=True, blank=True)
    fps = models.FloatField(null=True, blank=True)
    thumbnail = models.FileField(upload_to=derived_upload_to, max_length=300, blank=True)
    # JPEG within Instagram's limits (≤ 8 MB, width ≤ 1440, sRGB), made at upload for images.
    rendition = models.FileField(upload_to=derived_upload_to, max_length=300, blank=True)
    # Column width only: the rule is instagram_rules.ALT_TEXT_MAX (models cannot import it; a test keeps them equal).
    alt_text = models.CharField(max_length=1000, blank=True)
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    # Space-separated lower-case tags: one indexed text column is enough for contains-search.
    tags = models.CharField(max_length=500, blank=True)
    # {"feed": {"ok": true, "reasons": []}, "carousel": …, "story": …, "reel": …}, computed once at upload.
    suitability = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sha256"], name="mediaasset_unique_sha256_per_workspace")
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="mediaasset_keyset"),
            models.Index(fields=["workspace", "kind", "-created_at", "-id"], name="mediaasset_kind_keyset"),
            models.Index(fields=["workspace", "uploaded_by"], name="mediaasset_uploader"),
        ]

    def __str__(self) -> str:
        return self.title or self.original_name or f"Asset {self.pk}"

    def suitable_for(self, use: str) -> bool:
        return bool(self.suitability.get(use, {}).get("ok"))

    def reasons_for(self, use: str) -> list[str]:
        return list(self.suitability.get(use, {}).get("reasons", []))

    @property
    def suitability_list(self) -> list[dict]:
        """[{"use": "feed", "ok": True, "reasons": []}, …] in the order of USES, for badges and the panel."""
        return [{"use": use, "ok": self.suitable_for(use), "reasons": self.reasons_for(use)} for use in self.USES]

    @property
    def aspect_text(self) -> str:
        if not (self.width and self.height):
            return ""
        return f"{self.width}×{self.height}"

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split()
