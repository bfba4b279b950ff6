"""The code step of signing in, and setting up an authenticator app (QR code, recovery codes shown once)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_otp import login as otp_login

from accounts import two_factor
from accounts.redirects import safe_next


class CodeForm(forms.Form):
    code = forms.CharField(label="Code", max_length=32, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "spellcheck": "false"}))


def _axes_key(user) -> dict[str, str]:  # noqa: ANN001
    # The code step has its own counter: a correct password (which resets the password counter) never clears it.
    return {"username": f"2fa:{user.get_username()}"}


def _locked(request: HttpRequest) -> HttpResponse:
    logout(request)
    return render(request, "registration/locked.html", status=429)


def _is_locked(request: HttpRequest) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, _axes_key(request.user))


def _count_failure(request: HttpRequest) -> None:
    user_login_failed.send(sender=__name__, credentials=_axes_key(request.user), request=request)


def _passed(request: HttpRequest, device) -> HttpResponse:  # noqa: ANN001
    from axes.utils import reset

    otp_login(request, device)
    reset(username=_axes_key(request.user)["username"])
    return redirect(safe_next(request, "accounts:home"))


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Second step: a code from the authenticator app, or one of the recovery codes."""
    if not two_factor.is_enrolled(request.user):
        return redirect("accounts:two_factor_setup")
    if _is_locked(request):
        return _locked(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify(request.user, form.cleaned_data["code"])
        if device is not None:
            if device.name == two_factor.RECOVERY_NAME:
                messages.warning(request, "You signed in with a recovery code; it cannot be used again. Set up "
                                          "new codes if you are running low.")
            return _passed(request, device)
        _count_failure(request)
        if _is_locked(request):
            return _locked(request)
        form.add_error("code", "That code is not right. Codes change every 30 seconds; a recovery code works once.")
    return render(request, "accounts/two_factor_verify.html",
                  {"form": form, "next": request.GET.get("next", "")}, status=422 if form.errors else 200)


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code (or type the key), confirm with one code, then keep the recovery codes."""
    if two_factor.is_enrolled(request.user) and not request.user.is_verified():
        return redirect("accounts:two_factor_verify")  # replacing an app needs the current one first
    if _is_locked(request):
        return _locked(request)
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.enrol_confirm(user=request.user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "accounts/two_factor_codes.html",
                          {"codes": codes, "next": safe_next(request, "accounts:home")})
        _count_failure(request)
        if _is_locked(request):
            return _locked(request)
        form.add_error("code", "That code is not right. Check the time on your phone and type the current code.")
    context = {"form": form, "qr": two_factor.qr_svg(device), "secret": two_factor.secret_base32(device),
               "next": request.GET.get("next", "")}
    return render(request, "accounts/two_factor_setup.html", context, status=422 if form.errors else 200)
