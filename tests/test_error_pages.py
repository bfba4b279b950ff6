"""Refusals look like Pressroom (QA: a client following a link got a bare, unstyled "403 Forbidden")."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_403_is_a_pressroom_page_with_the_reason_and_a_way_back(login, client_user, workspace):
    response = login(client_user).get(reverse("scheduler:library", kwargs={"ws": workspace.slug}))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Not for your role" in body and 'class="topbar"' in body  # the app's own layout and navigation
    assert reverse("accounts:home") in body
    assert "Your role may not use the media library." in body  # said as a person would, not "use library"


def test_404_is_a_pressroom_page_that_names_no_foreign_workspace(login, client_user, other_workspace):
    response = login(client_user).get(reverse("scheduler:dashboard", kwargs={"ws": other_workspace.slug}))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Nothing here" in body and 'class="topbar"' in body
    assert other_workspace.name not in body  # outside a workspace, nothing reveals that it exists


def test_500_page_renders_without_a_request():
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "Something went wrong" in html and "pressroom.css" in html



def test_every_action_has_a_phrase_for_the_refusal():
    from accounts.permissions import ACTION_PHRASES, Action

    assert set(ACTION_PHRASES) == set(Action)


def test_a_stale_form_gets_a_pressroom_page_not_django_s_csrf_explainer(client_user):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(client_user)
    response = browser.post(reverse("accounts:logout"))  # no CSRF token: as a form left open past a sign-out
    assert response.status_code == 403
    body = response.content.decode()
    assert "Please try again" in body and "pressroom.css" in body
    assert "CSRF verification failed" not in body
