"""Adding a profile: a specific answer for every way it can go wrong; dedupe of equal files across profiles."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from archive.models import ArchivedMedia, ArchivedProfile
from archive.services.profiles import ProfileAddError, clean_username, profile_add
from tests.archive.conftest import drive

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]


@pytest.mark.parametrize("raw", ["", "has space", "a" * 31, "émile", ".dot", "bad..dots", "semi;colon"])
def test_invalid_usernames_are_refused_without_asking_instagram(raw):
    with pytest.raises(ProfileAddError) as err:
        clean_username(raw)
    assert err.value.kind == "invalid" and "not an Instagram username" in err.value.message


@pytest.mark.parametrize("raw", ["@Northwind_Coffee", "https://www.instagram.com/northwind_coffee/", " northwind_coffee "])
def test_usernames_are_taken_from_handles_and_profile_links(raw):
    assert clean_username(raw) == "northwind_coffee"


def _add_error(**kwargs) -> ProfileAddError:
    with pytest.raises(ProfileAddError) as err:
        profile_add(**kwargs)
    return err.value


def test_not_found(ig, asker, social, workspace):
    err = _add_error(user=social, workspace=workspace, username="no_such_brand_here")
    assert err.kind == "not_found" and "@no_such_brand_here" in err.message


def test_personal_account_is_not_business(ig, asker, social, workspace):
    err = _add_error(user=social, workspace=workspace, username="quiet_person")
    assert err.kind == "not_business" and "personal account" in err.message


def test_rate_limited_says_when_to_retry(ig, asker, social, workspace):
    ig.inject_fault("business_discovery", code=4, regain_minutes=12, once=True)
    err = _add_error(user=social, workspace=workspace, username="northwind_coffee")
    assert err.kind == "rate_limited" and "Try again after" in err.message and "12 min" in err.message
    assert err.retry_at is not None
    assert not ArchivedProfile.objects.exists()


def test_no_connected_account(ig, social, workspace, archive_settings, no_enqueue):
    err = _add_error(user=social, workspace=workspace, username="northwind_coffee")
    assert err.kind == "no_account" and "Connect one" in err.message


def test_instagram_login_account_cannot_use_business_discovery(ig, social, workspace, archive_settings, no_enqueue):
    from tests.archive.conftest import connect

    ig.configure(discovery_needs_facebook_login=True)
    connect(ig, workspace, username="ig_login_only", login="instagram")
    err = _add_error(user=social, workspace=workspace, username="northwind_coffee")
    assert err.kind == "no_account" and "Facebook Login" in err.message


def test_clients_cannot_add_profiles(ig, asker, client_user, workspace):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        profile_add(user=client_user, workspace=workspace, username="northwind_coffee")


def test_same_bytes_are_stored_once_across_profiles(ig, asker, social, workspace, monkeypatch):
    a, _ = profile_add(user=social, workspace=workspace, username="lumen_studio")
    assert drive(a.runs.get()) == "done"
    b, _ = profile_add(user=social, workspace=workspace, username="harbor_books")
    from archive.services.runs import run_advance

    run = b.runs.get()
    with monkeypatch.context() as m:  # list only: no step gets to download
        m.setattr("archive.services.runs._download", lambda *args: False)
        while not run.listing_done:
            run_advance(run_id=run.pk, budget_seconds=0)
            run.refresh_from_db()
    assert run.media_done == 0
    # Make one of b's files the very same bytes as one of a's (a repost), before b downloads.
    source = ArchivedMedia.objects.filter(post__profile=a, kind="IMAGE", state="done").first()
    target = ArchivedMedia.objects.filter(post__profile=b, kind="IMAGE").first()
    ArchivedMedia.objects.filter(pk=target.pk).update(source_url=ArchivedMedia.objects.get(pk=source.pk).source_url
                                                      or f"{ig.url}/cdn/p/{source.ig_id}.jpg")
    assert drive(run) == "done", run.errors
    target.refresh_from_db()
    assert target.sha256 == source.sha256 and target.file == source.file and default_storage.exists(target.file)
    stored = {m.file for m in ArchivedMedia.objects.filter(state="done")}
    assert len(stored) == ArchivedMedia.objects.filter(state="done").values("sha256").distinct().count()
    root = default_storage.path(f"workspaces/{workspace.pk}/archive")
    import os

    on_disk = [f for d, _, fs in os.walk(root) if "thumbs" not in d for f in fs]
    assert len(on_disk) == len(stored)
