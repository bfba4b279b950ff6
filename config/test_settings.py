"""Test settings: the real settings plus what makes tests fast and deterministic."""

from config.settings import *  # noqa: F403
from config.settings import Q_CLUSTER

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run inline on the caller's connection (django-q2 reads Q_CLUSTER once at import).
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Two-factor sign-in is tested where it is switched on (tests/accounts/test_two_factor*.py).
TWO_FACTOR_REQUIRED = False
