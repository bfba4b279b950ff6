from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, workspace):
    for url in [reverse("accounts:home"), reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_sign_in_and_out(client, social, workspace):
    response = client.post(reverse("accounts:login"), {"username": social.username, "password": "pw-for-tests-123"})
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302  # → dashboard
    assert client.get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:home")).status_code == 302
    assert client.get(reverse("accounts:home"))["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_login_locks_after_repeated_failures(client, social, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": social.username, "password": "wrong"})
    # The right password no longer works while locked out.
    locked = client.post(reverse("accounts:login"), {"username": social.username, "password": "pw-for-tests-123"})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_sends_an_email(client, social):
    response = client.post(reverse("accounts:password_reset"), {"email": social.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


@pytest.mark.django_db
def test_password_change(login, social):
    client = login(social)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "pw-for-tests-123", "new_password1": "a-much-Better-pass-42", "new_password2": "a-much-Better-pass-42"},
    )
    assert response.status_code == 302
    social.refresh_from_db()
    assert social.check_password("a-much-Better-pass-42")
