"""Forms for the composer and the post actions. Times are entered in the workspace's timezone: the views
activate it, so Django's DateTimeField turns the local wall-clock input into an aware UTC instant."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from accounts.models import InstagramAccount, User, Workspace
from scheduler.models import Post

_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _split(value: str) -> list[str]:
    return [p for p in re.split(r"[\s,]+", value or "") if p]


class PostForm(forms.Form):
    account = forms.ModelChoiceField(queryset=InstagramAccount.objects.none(), empty_label=None)
    kind = forms.ChoiceField(choices=Post.Kind.choices)
    asset_ids = forms.CharField(
        label="Media", required=False, help_text="Library item numbers in posting order, e.g. 12, 15, 9."
    )
    caption = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    first_comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    publish_at = forms.DateTimeField(required=False, widget=_LOCAL, input_formats=_INPUT_FORMATS)
    rrule = forms.CharField(
        label="Repeat", required=False, max_length=500, help_text="Optional RRULE, e.g. FREQ=WEEKLY;BYDAY=MO"
    )
    collaborators = forms.CharField(required=False, help_text="Up to 3 Instagram usernames.")
    location_id = forms.CharField(required=False, max_length=64)
    manual_reason = forms.ChoiceField(
        choices=Post.ManualReason.choices, required=False, label="Needs a person to post it"
    )
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    user_tags = forms.CharField(required=False, widget=forms.HiddenInput)  # reserved: tags are set in the API
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, workspace: Workspace, caption_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = InstagramAccount.objects.filter(workspace=workspace)
        self.fields["assignee"].queryset = User.objects.filter(memberships__workspace=workspace)
        if caption_only:  # editors fix captions; composing is the social managers' job
            for name in list(self.fields):
                if name not in ("caption", "expected_version"):
                    del self.fields[name]

    def clean_asset_ids(self) -> list[int]:
        parts = _split(self.cleaned_data.get("asset_ids", ""))
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError("Give library item numbers separated by commas.")
        return [int(p) for p in parts]

    def clean_collaborators(self) -> list[str]:
        return [p.lstrip("@") for p in _split(self.cleaned_data.get("collaborators", ""))]

    def clean_user_tags(self) -> list:
        return []

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("expected_version", None)
        data.pop("user_tags", None)
        return data


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RescheduleForm(forms.Form):
    publish_at = forms.DateTimeField(widget=_LOCAL, input_formats=_INPUT_FORMATS)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ManualForm(forms.Form):
    reason = forms.ChoiceField(choices=[c for c in Post.ManualReason.choices if c[0]])
    note = forms.CharField(required=False)


class PermalinkForm(forms.Form):
    permalink = forms.CharField(max_length=500, label="Instagram link")
