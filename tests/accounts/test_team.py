"""The Team page and invitations (issue 20): accept as a new or existing user, expired and reused links refused
with a clear page, no role above one's own, the last Administrator stays, removal ends feed and session at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, User
from accounts.permissions import Role, role_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def team_url(ws, name="team", **kwargs):  # noqa: ANN001, ANN201
    return reverse(f"accounts:{name}", kwargs={"ws": ws.slug, **kwargs})


def invite(client, ws, email, role):  # noqa: ANN001, ANN201
    with_capture = client.post(team_url(ws, "team_invite"), {"email": email, "role": role.value})
    return with_capture


def link_in(message) -> str:  # noqa: ANN001
    return re.search(r"https?://\S+/invite/\S+/", message.body).group(0)


@pytest.fixture
def as_admin(login, admin_user):
    return login(admin_user)


def test_team_page_lists_members_with_their_role_here(as_admin, workspace, editor, client_user,
                                                     django_assert_max_num_queries):
    UserFactory.create_batch(5, role=Role.SOCIAL, workspaces=[workspace])
    with django_assert_max_num_queries(12):
        page = as_admin.get(team_url(workspace))
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(rf'id="member-{editor.memberships.get().pk}" data-role="Editor"', html)
    assert re.search(rf'id="member-{client_user.memberships.get().pk}" data-role="Client"', html)
    assert html.count('data-role="Social manager"') == 5


def test_invitation_email_and_accept_as_a_new_user(as_admin, workspace, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(as_admin, workspace, "new.person@example.test", Role.EDITOR).status_code == 302
    (message,) = mail.outbox
    assert message.to == ["new.person@example.test"] and "Acme Coffee" in message.subject
    assert "as Editor" in message.body and "7 days" in message.body
    url = link_in(message)
    client.logout()
    page = client.get(url)
    assert page.status_code == 200 and "Create account and join" in page.content.decode()
    done = client.post(url, {"username": "newbie", "password1": "A-long-pass-4321", "password2": "A-long-pass-4321"})
    assert done.status_code == 302 and done["Location"] == reverse("scheduler:dashboard", kwargs={"ws": "acme"})
    newbie = User.objects.get(username="newbie")
    assert newbie.email == "new.person@example.test" and role_of(newbie, workspace) is Role.EDITOR
    assert newbie.is_staff  # Editors use the review desk
    assert client.get(reverse("scheduler:dashboard", kwargs={"ws": "acme"})).status_code == 200  # signed in


def test_accept_as_an_existing_user_adds_the_workspace(as_admin, workspace, other_workspace, client,
                                                       django_capture_on_commit_callbacks):
    bea = UserFactory(username="bea", email="bea@example.test", role=Role.ADMIN, workspaces=[other_workspace])
    with django_capture_on_commit_callbacks(execute=True):
        invite(as_admin, workspace, "BEA@example.test", Role.CLIENT)
    url = link_in(mail.outbox[0])
    client.logout()
    page = client.get(url)
    assert "Sign in to accept" in page.content.decode()
    client.force_login(bea, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(url).status_code == 302
    assert role_of(User.objects.get(pk=bea.pk), workspace) is Role.CLIENT
    assert role_of(User.objects.get(pk=bea.pk), other_workspace) is Role.ADMIN  # untouched elsewhere


def test_used_expired_revoked_and_replaced_links_are_refused_with_a_clear_page(
        as_admin, login, admin_user, workspace, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(as_admin, workspace, "one@example.test", Role.CLIENT)
        invite(as_admin, workspace, "two@example.test", Role.CLIENT)
        invite(as_admin, workspace, "three@example.test", Role.CLIENT)
    used, later, revoked = (link_in(m) for m in mail.outbox)
    client.logout()
    form = {"username": "one", "password1": "A-long-pass-4321", "password2": "A-long-pass-4321"}
    assert client.post(used, form).status_code == 302
    client.logout()
    again = client.post(used, {**form, "username": "one-again"})
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert not User.objects.filter(username="one-again").exists()

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        expired = client.get(later)
    assert expired.status_code == 410 and "has expired" in expired.content.decode()

    pending = Invitation.objects.get(email="three@example.test")
    assert login(admin_user).post(team_url(workspace, "invitation_revoke", pk=pending.pk)).status_code == 302
    client.logout()
    gone = client.get(revoked)
    assert gone.status_code == 410 and "withdrawn" in gone.content.decode()

    assert client.get(used[:-6] + "xxxxx/").status_code == 404  # a tampered link


def test_resend_gives_a_new_link_and_voids_the_old_one(as_admin, workspace, django_capture_on_commit_callbacks):
    from django.test import Client

    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        invite(as_admin, workspace, "late@example.test", Role.SOCIAL)
    pending = Invitation.objects.get(email="late@example.test")
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        with django_capture_on_commit_callbacks(execute=True):
            as_admin.post(team_url(workspace, "invitation_resend", pk=pending.pk))
        first, second = (link_in(m) for m in mail.outbox)
        assert first != second
        client.logout()
        assert client.get(first).status_code == 410
    with time_machine.travel(timezone.now() + timedelta(days=12)):
        assert client.get(second).status_code == 200  # 7 days from the resend


def test_no_role_above_ones_own_and_no_other_workspaces_members(login, editor, admin_user, workspace, outsider,
                                                                other_workspace):
    as_editor = login(editor)
    assert as_editor.post(team_url(workspace, "team_invite"),
                          {"email": "x@example.test", "role": Role.ADMIN.value}).status_code == 403
    target = admin_user.memberships.get()
    assert as_editor.post(team_url(workspace, "team_role", pk=target.pk),
                          {f"m{target.pk}-role": Role.CLIENT.value}).status_code == 403
    me = editor.memberships.get()
    assert as_editor.post(team_url(workspace, "team_role", pk=me.pk),
                          {f"m{me.pk}-role": Role.ADMIN.value}).status_code == 403
    assert role_of(User.objects.get(pk=editor.pk), workspace) is Role.EDITOR
    assert not Invitation.objects.exists()
    # An Administrator of B reaches nothing of A's team, not even through B's URL with A's membership id.
    as_b = login(outsider)
    assert as_b.post(team_url(workspace, "team_remove", pk=target.pk)).status_code == 404
    assert as_b.post(team_url(other_workspace, "team_remove", pk=target.pk)).status_code == 404
    assert as_b.post(team_url(other_workspace, "team_role", pk=target.pk),
                     {f"m{target.pk}-role": Role.CLIENT.value}).status_code == 404
    assert Membership.objects.filter(pk=target.pk, role=Role.ADMIN.value).exists()


def test_the_last_administrator_can_be_neither_removed_nor_demoted(as_admin, admin_user, workspace):
    mine = admin_user.memberships.get()
    page = as_admin.post(team_url(workspace, "team_role", pk=mine.pk), {f"m{mine.pk}-role": Role.EDITOR.value},
                         follow=True)
    assert "last Administrator" in page.content.decode()
    page = as_admin.post(team_url(workspace, "team_remove", pk=mine.pk), follow=True)
    assert "last Administrator" in page.content.decode()
    assert Membership.objects.get(pk=mine.pk).role == Role.ADMIN.value
    # With a second Administrator, the first may step down.
    UserFactory(role=Role.ADMIN, workspaces=[workspace])
    as_admin.post(team_url(workspace, "team_role", pk=mine.pk), {f"m{mine.pk}-role": Role.EDITOR.value})
    assert Membership.objects.get(pk=mine.pk).role == Role.EDITOR.value


def test_changing_a_role_takes_effect_on_the_next_request(as_admin, login, workspace, social, client):
    from django.test import Client

    theirs = Client()
    theirs.force_login(social, backend="django.contrib.auth.backends.ModelBackend")
    library = reverse("scheduler:library", kwargs={"ws": workspace.slug})
    assert theirs.get(library).status_code == 200
    m = social.memberships.get()
    as_admin.post(team_url(workspace, "team_role", pk=m.pk), {f"m{m.pk}-role": Role.CLIENT.value})
    assert theirs.get(library).status_code == 403


def test_removal_ends_the_members_session_and_feed_token_for_that_workspace(as_admin, workspace, other_workspace,
                                                                           editor):
    from django.test import Client

    from scheduler.models import CalendarFeedToken

    Membership.objects.create(user=editor, workspace=other_workspace, role=Role.EDITOR.value)
    theirs = Client()
    theirs.force_login(editor, backend="django.contrib.auth.backends.ModelBackend")
    token = CalendarFeedToken.objects.create(user=editor, workspace=workspace)
    other_token = CalendarFeedToken.objects.create(user=editor, workspace=other_workspace)
    feed = reverse("scheduler:calendar_feed", kwargs={"token": token.token})
    other_feed = reverse("scheduler:calendar_feed", kwargs={"token": other_token.token})
    dashboard = reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})
    assert theirs.get(dashboard).status_code == 200 and theirs.get(feed).status_code == 200

    as_admin.post(team_url(workspace, "team_remove", pk=editor.memberships.get(workspace=workspace).pk))

    assert theirs.get(dashboard).status_code == 404  # the same session, at once
    assert theirs.get(feed).status_code == 404
    # The other workspace is untouched.
    assert theirs.get(reverse("scheduler:dashboard", kwargs={"ws": other_workspace.slug})).status_code == 200
    assert theirs.get(other_feed).status_code == 200
    # Invited back later, the old feed URL stays dead.
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        Membership.objects.create(user=editor, workspace=workspace, role=Role.EDITOR.value)
        assert theirs.get(dashboard).status_code == 200
        assert theirs.get(feed).status_code == 404


def test_invite_form_errors_keep_what_was_typed(as_admin, workspace, editor):
    page = as_admin.post(team_url(workspace, "team_invite"), {"email": "not-an-email", "role": Role.CLIENT.value})
    assert page.status_code == 422 and 'value="not-an-email"' in page.content.decode()
    page = as_admin.post(team_url(workspace, "team_invite"), {"email": editor.email, "role": Role.CLIENT.value})
    assert page.status_code == 422 and "already a member" in page.content.decode()
