"""Accepting an invitation: the link from the email, for a new or an existing account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from accounts.forms import AcceptSignupForm
from accounts.models import User
from accounts.services.invitations import (
    InvitationProblem,
    invitation_accept,
    invitation_accept_new_user,
    invitation_from_token,
)


def _problem(request: HttpRequest, problem: InvitationProblem) -> HttpResponse:
    status = 404 if problem.kind == "invalid" else 410
    return render(request, "accounts/invitation_problem.html", {"problem": problem}, status=status)


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_from_token(token)
    except InvitationProblem as problem:
        return _problem(request, problem)
    here = reverse("accounts:invitation_accept", kwargs={"token": token})
    has_account = User.objects.filter(email__iexact=invitation.email, is_active=True).exists()
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                invitation_accept(invitation=invitation, user=request.user)
            except InvitationProblem as problem:
                return _problem(request, problem)
            messages.success(request, f"Welcome to {invitation.workspace.name}.")
            return redirect("scheduler:dashboard", ws=invitation.workspace.slug)
    elif not has_account:
        form = AcceptSignupForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            try:
                user = invitation_accept_new_user(
                    invitation=invitation, username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"], first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"])
            except InvitationProblem as problem:
                return _problem(request, problem)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Your account is ready. Welcome to {invitation.workspace.name}.")
            return redirect("scheduler:dashboard", ws=invitation.workspace.slug)
    context = {"invitation": invitation, "form": form, "has_account": has_account,
               "login_url": f"{reverse('accounts:login')}?{urlencode({'next': here})}"}
    return render(request, "accounts/invitation_accept.html", context, status=422 if form and form.errors else 200)
