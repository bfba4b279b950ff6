"""The media library's edit form (the detail panel)."""

from __future__ import annotations

from django import forms

from scheduler.instagram_rules import ALT_TEXT_MAX


class AssetForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    alt_text = forms.CharField(
        label="Alt text", max_length=ALT_TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Describes the image for people using screen readers; sent to Instagram with the post.",
    )
    tags = forms.CharField(max_length=500, required=False, help_text="Words separated by spaces or commas.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
