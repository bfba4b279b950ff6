"""Every archive URL — pages, files, thumbnails, exports, actions — is 404 from another workspace, sign-in for strangers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.permissions import Role
from archive.models import ArchivedMedia
from tests.archive.factories import make_profile, make_run
from tests.factories import InstagramAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(workspace, archive_settings):
    """Every archive route of workspace A, filled with A's objects."""
    profile = make_profile(workspace, posts=4)
    make_profile(workspace, username="second_shop", posts=1)
    profile.picture = ArchivedMedia.objects.filter(post__profile=profile).first().thumbnail
    profile.save()
    post = profile.posts.first()
    media = ArchivedMedia.objects.filter(post=post).first()
    run = make_run(profile)
    account = InstagramAccountFactory(workspace=workspace)
    ws = workspace.slug
    get = [
        ("index", {}), ("profile", {"pk": profile.pk}), ("gallery", {"pk": profile.pk}),
        ("export", {"pk": profile.pk}), ("profile_picture", {"pk": profile.pk}), ("post_detail", {"pk": post.pk}),
        ("run_progress", {"pk": run.pk}), ("media_thumb", {"pk": media.pk}), ("media_original", {"pk": media.pk}),
    ]
    post_routes = [("profile_add", {}), ("profile_add_own", {"account_id": account.pk}),
                   ("profile_refresh", {"pk": profile.pk}), ("profile_settings", {"pk": profile.pk})]
    return ([reverse(f"archive:{n}", kwargs={"ws": ws, **kw}) for n, kw in get],
            [reverse(f"archive:{n}", kwargs={"ws": ws, **kw}) for n, kw in post_routes])


@pytest.mark.parametrize("role", [Role.CLIENT, Role.ADMIN, Role.SOCIAL, Role.EDITOR])
def test_members_of_another_workspace_get_404_everywhere(login, other_workspace, targets, role):
    stranger = UserFactory(username=f"other-{role.name.lower()}", role=role, workspaces=[other_workspace])
    c = login(stranger)
    gets, posts = targets
    for url in gets:
        assert c.get(url).status_code == 404, url
    for url in posts:
        assert c.post(url, {"username": "northwind_coffee", "refresh_interval_hours": "24"}).status_code == 404, url


def test_ids_of_another_workspace_are_404_inside_my_own(login, workspace, other_workspace, archive_settings):
    """Right workspace in the URL, someone else's object id: still 404 (no cross-workspace ids)."""
    mine_user = UserFactory(username="mine-client", role=Role.CLIENT, workspaces=[other_workspace])
    theirs = make_profile(workspace, posts=2)
    media = ArchivedMedia.objects.filter(post__profile=theirs).first()
    c = login(mine_user)
    ws = other_workspace.slug
    for name, pk in [("gallery", theirs.pk), ("export", theirs.pk), ("media_thumb", media.pk),
                     ("media_original", media.pk), ("post_detail", media.post_id)]:
        assert c.get(reverse(f"archive:{name}", kwargs={"ws": ws, "pk": pk})).status_code == 404, name


def test_anonymous_is_sent_to_sign_in(client, targets):
    gets, posts = targets
    for url in gets + posts:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_clients_read_and_download_but_do_not_manage(login, client_user, targets):
    c = login(client_user)
    gets, posts = targets
    for url in gets:
        assert c.get(url).status_code == 200, url
    for url in posts:
        assert c.post(url, {"username": "northwind_coffee"}).status_code == 403, url
