"""Two-factor sign-in (issue 20): who must pass it, enrolment, codes, recovery codes, throttling of wrong codes."""

from __future__ import annotations

import re

import pyotp
import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.permissions import Role
from tests.accounts.totp_support import next_accepted_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def sign_in(client, user):  # noqa: ANN001, ANN201
    return client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})


def enrol(client):  # noqa: ANN001, ANN201
    page = client.get(reverse("accounts:two_factor_setup"))
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page.content.decode()).group(1)
    done = client.post(reverse("accounts:two_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    return secret, codes, done


def test_an_administrator_must_enrol_then_gets_recovery_codes_once(client, required, admin_user, workspace):
    dashboard = reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})
    sign_in(client, admin_user)
    first = client.get(dashboard)
    assert first.status_code == 302 and first["Location"].startswith(reverse("accounts:two_factor_setup"))
    page = client.get(reverse("accounts:two_factor_setup"))
    assert "<svg" in page.content.decode()
    secret, codes, done = enrol(client)
    assert done.status_code == 200 and len(codes) == 10 and "shown only this once" in done.content.decode()
    assert client.get(dashboard).status_code == 200
    # Signed out and in again: the code step, and the codes are not shown again.
    client.post(reverse("accounts:logout"))
    sign_in(client, admin_user)
    assert client.get(dashboard)["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert client.get(reverse("accounts:two_factor_setup"))["Location"] == reverse("accounts:two_factor_verify")
    code = next_accepted_code(secret, admin_user.username)  # a later step: the enrolment code cannot be replayed
    assert client.post(reverse("accounts:two_factor_verify") + f"?next={dashboard}", {"code": code}).status_code == 302
    assert client.get(dashboard).status_code == 200


def test_a_recovery_code_signs_in_once(client, required, admin_user, workspace):
    sign_in(client, admin_user)
    _, codes, _ = enrol(client)
    for attempt in ("first", "second"):
        client.post(reverse("accounts:logout"))
        sign_in(client, admin_user)
        answer = client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]})
        if attempt == "first":
            assert answer.status_code == 302
        else:
            assert answer.status_code == 422 and "not right" in answer.content.decode()


def test_wrong_codes_are_counted_and_lock_the_code_step(client, required, admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, admin_user)
    enrol(client)
    client.post(reverse("accounts:logout"))
    sign_in(client, admin_user)
    verify = reverse("accounts:two_factor_verify")
    assert client.post(verify, {"code": "000000"}).status_code == 422
    assert AccessAttempt.objects.get(username=f"2fa:{admin_user.username}").failures_since_start == 1
    client.post(verify, {"code": "000001"})
    locked = client.post(verify, {"code": "000002"})
    assert locked.status_code == 429 and "Too many" in locked.content.decode()
    # Signed out; a correct password does not clear the code counter.
    assert client.get(verify).status_code == 302
    sign_in(client, admin_user)
    assert client.get(verify).status_code == 429


def test_who_must_pass_the_code_step(client, required, social, editor, workspace):
    dashboard = reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})
    sign_in(client, social)
    assert client.get(dashboard).status_code == 200  # not an Administrator, no admin
    client.post(reverse("accounts:logout"))
    sign_in(client, editor)
    assert client.get(dashboard).status_code == 200
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 302 and admin["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_a_workspace_may_require_it_of_everyone_even_when_the_setting_is_off(client, settings, social, workspace):
    settings.TWO_FACTOR_REQUIRED = False
    workspace.require_two_factor = True
    workspace.save()
    sign_in(client, social)
    answer = client.get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug}))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_off_by_default_in_the_demo_setting(client, settings, admin_user, workspace):
    settings.TWO_FACTOR_REQUIRED = False
    sign_in(client, admin_user)
    assert client.get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_feeds_need_no_code_step(client, required, admin_user, workspace):
    from scheduler.models import CalendarFeedToken

    token = CalendarFeedToken.objects.create(user=admin_user, workspace=workspace)
    sign_in(client, UserFactory(role=Role.ADMIN, workspaces=[workspace]))
    assert client.get(reverse("scheduler:calendar_feed", kwargs={"token": token.token})).status_code == 200


# ---- An Administrator resets a member's two-factor sign-in (a lost phone) ----------------------------------------


def reset_url(workspace, member):  # noqa: ANN001, ANN201
    pk = member.memberships.get(workspace=workspace).pk
    return reverse("accounts:team_reset_two_factor", kwargs={"ws": workspace.slug, "pk": pk})


def test_an_administrator_resets_a_members_lost_app(client, required, admin_user, editor, workspace,
                                                    django_capture_on_commit_callbacks):
    from django.core import mail
    from django.test import Client
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Notification

    workspace.require_two_factor = True
    workspace.save()
    dashboard = reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})
    phone = Client()  # the editor's session that has passed the code step
    sign_in(phone, editor)
    enrol(phone)
    assert phone.get(dashboard).status_code == 200
    sign_in(client, admin_user)
    enrol(client)
    team = client.get(reverse("accounts:team", kwargs={"ws": workspace.slug})).content.decode()
    assert reset_url(workspace, editor) in team and reset_url(workspace, admin_user) not in team  # not their own

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reset_url(workspace, editor), follow=True)
    assert "two-factor sign-in was reset" in answer.content.decode()
    assert not TOTPDevice.objects.filter(user=editor).exists() and not StaticDevice.objects.filter(user=editor).exists()
    assert Notification.objects.filter(user=editor, title="Your two-factor sign-in was reset").exists()
    assert any(editor.email in m.to and "reset" in m.subject for m in mail.outbox)
    # The open session lost its verified device: it has to set up a new app before going on.
    assert phone.get(dashboard)["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()  # the Administrator's own app stays


def test_a_reset_is_refused_for_oneself_superusers_and_members_trusted_elsewhere(login, admin_user, editor, workspace,
                                                                                 other_workspace):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    root = UserFactory(username="root", is_superuser=True, is_staff=True, workspaces=[workspace])
    both = UserFactory(username="fran-freelance", role=Role.EDITOR, workspaces=[workspace, other_workspace])
    for user in (admin_user, root, both, editor):
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = login(admin_user)
    cases = [  # (member, words the refusal must contain) — from the rule: a reset weakens the whole account
        (admin_user, "your own"),
        (root, "superuser"),
        (both, "workspaces you do not administer"),
    ]
    for member, words in cases:
        answer = client.post(reset_url(workspace, member), follow=True)
        assert words in answer.content.decode(), member
        assert TOTPDevice.objects.filter(user=member).exists(), member
    # A superuser may reset the freelancer, who is trusted in two workspaces.
    assert login(root).post(reset_url(workspace, both)).status_code == 302
    assert not TOTPDevice.objects.filter(user=both).exists()
    # An Editor has no Team page: 403, nothing removed.
    assert login(editor).post(reset_url(workspace, admin_user)).status_code == 403
    assert TOTPDevice.objects.filter(user=admin_user).exists()
