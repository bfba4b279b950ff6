"""Users, workspaces and memberships, connected Instagram accounts (encrypted tokens), notifications."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from encrypted_model_fields.fields import EncryptedCharField, EncryptedTextField

from accounts.redirects import is_site_path, validate_site_path


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA timezone name such as Europe/Berlin.")


class User(AbstractUser):
    """Custom from the first migration so fields can be added later without a painful swap."""

    class Meta:
        ordering = ["username"]


class Workspace(models.Model):
    """One brand or customer of the agency; every piece of content belongs to exactly one."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    daily_post_cap = models.PositiveSmallIntegerField(
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Posts per Instagram account per local day.",
    )
    max_publish_retries = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(10)], help_text="Retries after a transient Instagram error."
    )
    forbid_self_approval = models.BooleanField(
        default=True, help_text="Nobody approves a post they wrote: another editor has to."
    )
    required_approvals = models.PositiveSmallIntegerField(
        default=1, choices=[(1, "One approval"), (2, "Two approvals by different editors")],
        help_text="With two, a post is approved when a second editor approves the same content.",
    )
    require_two_factor = models.BooleanField(
        default=False, verbose_name="Two-factor sign-in for everyone",
        help_text="Every member needs a code from an authenticator app to open this workspace, not only "
                  "Administrators.",
    )
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text="An archived workspace is hidden from everyone but the agency owner."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Posts deleted from this workspace so far (Post's delete() and its queryset's count them, in the same
    # transaction): a deletion moves no post's updated_at, and the calendar feed's ETag must still change.
    posts_deleted = models.PositiveBigIntegerField(default=0, editable=False)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="workspaces")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Membership(models.Model):
    """Membership decides *where* a user may act, and its role *what* they may do there.

    One person may be Editor for one brand and Client for another. An empty role means "member, may do nothing".
    """

    ROLE_CHOICES = [("Administrator", "Administrator"), ("Editor", "Editor"), ("Social manager", "Social manager"),
                    ("Client", "Client")]  # the values of accounts.permissions.Role

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace}"


class Invitation(models.Model):
    """An email invitation to join a workspace with a role; its link is signed, single-use and expires."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.ROLE_CHOICES)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Part of the signed link: a resend draws a new nonce, so only the newest link works.
    nonce = models.CharField(max_length=32)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="invitation_one_pending",
                                    condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace} as {self.role}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class InstagramAccount(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRING = "expiring", "Expiring soon"
        RECONNECT = "reconnect", "Reconnect needed"
        DISCONNECTED = "disconnected", "Disconnected"

    class LoginApi(models.TextChoices):
        INSTAGRAM = "instagram", "Instagram Login"
        FACEBOOK = "facebook", "Facebook Login"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="instagram_accounts")
    ig_user_id = models.CharField(max_length=64)
    username = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    picture_url = models.URLField(max_length=1000, blank=True)
    login_api = models.CharField(max_length=16, choices=LoginApi.choices, default=LoginApi.INSTAGRAM)
    scopes = models.JSONField(default=list, blank=True)
    # Fernet-encrypted at rest; never logged, shown or sent anywhere but Instagram.
    access_token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    last_error = models.TextField(blank=True)
    daily_post_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Overrides the workspace's daily cap for this account."
    )
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["username"]
        constraints = [
            # The same Instagram account may be connected in two workspaces; they stay separate rows.
            models.UniqueConstraint(fields=["workspace", "ig_user_id"], name="igaccount_unique_per_workspace"),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"


class Notification(models.Model):
    """An in-app notice (and banner while unread) for one user in one workspace."""

    class Level(models.TextChoices):
        INFO = "info", "Info"
        SUCCESS = "success", "Success"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # A path on this site only: the banner's "Fix it" link must never lead elsewhere or run script.
    url = models.CharField(max_length=500, blank=True, validators=[validate_site_path])
    # A banner stays until dismissed; e.g. "reconnect @brand" must not scroll away.
    is_banner = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def site_url(self) -> str:
        """The link to render: the stored URL when it is a path on this site, else none (rows from before the
        rule, or written around the model and the service)."""
        return self.url if is_site_path(self.url) else ""


class EncryptionCanary(models.Model):
    """One row holding a known value encrypted with the current key.

    django-encrypted-model-fields silently returns ciphertext when the key is wrong; decrypting this
    row and comparing it is how startup checks and /healthz notice a wrong key.
    """

    EXPECTED = "pressroom-canary"
    value = EncryptedCharField(max_length=64)

    def __str__(self) -> str:
        return "encryption check value"
