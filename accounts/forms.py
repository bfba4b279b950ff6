"""Forms of the accounts app: workspace settings, Team page, invitations. Time zones are always a select."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.contrib.auth import password_validation

from accounts.models import User, Workspace
from accounts.permissions import Role


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class TimezoneField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Time zone")
        kwargs.setdefault("help_text", "Dates and times of this workspace are shown and entered in this zone.")
        super().__init__(choices=timezone_choices, **kwargs)


class WorkspaceSettingsForm(forms.ModelForm):
    """What a workspace's Administrator changes (the agency owner also sets name and slug on creation)."""

    timezone = TimezoneField()

    class Meta:
        model = Workspace
        fields = ["name", "timezone", "daily_post_cap", "max_publish_retries", "forbid_self_approval",
                  "required_approvals", "require_two_factor"]


class WorkspaceCreateForm(forms.ModelForm):
    timezone = TimezoneField(initial="Europe/Berlin")

    class Meta:
        model = Workspace
        fields = ["name", "slug", "timezone", "daily_post_cap"]
        help_texts = {"slug": "Short name used in addresses (/w/<slug>/): lowercase letters, digits and hyphens."}


def role_choices(roles: list[Role]) -> list[tuple[str, str]]:
    return [(r.value, r.value) for r in roles]


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(roles)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(roles)


class AcceptSignupForm(forms.Form):
    """A new account from an invitation: the email comes from the invitation, the person picks the rest."""

    username = forms.CharField(max_length=150, help_text="What you type to sign in.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), strip=False)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken; choose another.")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            probe = User(username=data.get("username", ""), email=self.email,
                         first_name=data.get("first_name", ""), last_name=data.get("last_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
