"""Forms for the composer and the post actions. Times are entered in the workspace's timezone and turned into
instants by the one local-time policy (accounts/localtime.py), through :class:`LocalDateTimeField`."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms

from accounts import localtime
from accounts.models import InstagramAccount, User, Workspace
from scheduler import recurrence_builder as rb
from scheduler.models import Post


class LocalDateTimeInput(forms.DateTimeInput):
    """A ``datetime-local`` input whose value travels with ``<name>_fold``: which of two equal wall times is meant
    (the choice templates/includes/_time_choice.html shows)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=localtime.INPUT_FORMAT)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        text = data.get(name)
        return None if text is None else (text, data.get(f"{name}_fold"))

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, tuple):
            return value[0]
        return super().format_value(value)


class LocalDateTimeField(forms.Field):
    """A local date and time in ``zone`` → the policy's instant (aware UTC). A time that does not exist or happens
    twice is not an error: :meth:`local_time` tells what it became, and the page shows that message."""

    widget = LocalDateTimeInput

    def __init__(self, *, zone: Any = "UTC", **kwargs: Any) -> None:
        self.zone = zone
        super().__init__(**kwargs)

    def local_time(self, value: Any) -> localtime.LocalTime | None:
        """The resolved time for a widget value (text, fold) or an instant (initial); None when empty.
        Raises :class:`localtime.LocalTimeError` for text that is not a date and time."""
        if value is None or value == "":
            return None
        if isinstance(value, localtime.LocalTime):
            return value
        if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
            return localtime.from_instant(value, self.zone)
        text, fold = value if isinstance(value, tuple) else (value, None)
        if not str(text or "").strip():
            return None
        return localtime.parse_local(text, self.zone, choice=fold)

    def to_python(self, value: Any) -> Any:
        try:
            lt = self.local_time(value)
        except localtime.LocalTimeError as exc:
            raise forms.ValidationError(exc.message, code="invalid") from None
        return lt.instant if lt else None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, tuple):
            return value
        lt = self.local_time(value) if value is not None and not isinstance(value, str) else None
        return lt.input if lt else value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (initial if initial else None)
        except forms.ValidationError:
            return True


class LocalTimeForm(forms.Form):
    """A form with :class:`LocalDateTimeField` fields in a workspace's zone."""

    def set_zone(self, zone: Any) -> None:
        for f in self.fields.values():
            if isinstance(f, LocalDateTimeField):
                f.zone = zone

    def local_time(self, name: str) -> localtime.LocalTime | None:
        """What the field's time is by the policy (as sent, or as prefilled), for the note beside it; None when
        empty or unreadable (the field's error says why)."""
        if name not in self.fields:
            return None
        field = self.fields[name]
        value = self[name].data if self.is_bound else self.get_initial_for_field(field, name)
        try:
            return field.local_time(value)
        except localtime.LocalTimeError:
            return None


def _split(value: str) -> list[str]:
    return [p for p in re.split(r"[\s,]+", value or "") if p]


WHEN_CHOICES = [("none", "Decide later"), ("at", "On a date"), ("queue", "Add to queue")]


class PostForm(LocalTimeForm):
    """The composer. Media items come as parallel lists ``item_asset`` / ``item_alt`` in posting order (the
    sortable list); ``asset_ids`` (comma-separated) is still read when no items are sent."""

    account = forms.ModelChoiceField(queryset=InstagramAccount.objects.none(), empty_label=None)
    kind = forms.ChoiceField(choices=Post.Kind.choices, widget=forms.RadioSelect)
    asset_ids = forms.CharField(label="Media", required=False, widget=forms.HiddenInput)
    caption = forms.CharField(widget=forms.Textarea(attrs={"rows": 7}), required=False)
    first_comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                    help_text="Posted as the first comment right after the post goes out.")
    when = forms.ChoiceField(choices=WHEN_CHOICES, required=False, widget=forms.RadioSelect, label="When")
    publish_at = LocalDateTimeField(required=False, label="Date and time")
    repeat = forms.ChoiceField(choices=rb.PRESETS, required=False, label="Repeat")
    repeat_interval = forms.IntegerField(required=False, min_value=1, max_value=99, initial=1, label="Every")
    repeat_days = forms.MultipleChoiceField(choices=rb.WEEKDAYS, required=False, label="On",
                                            widget=forms.CheckboxSelectMultiple)
    repeat_monthday = forms.IntegerField(required=False, min_value=1, max_value=31, label="Day of the month")
    repeat_setpos = forms.ChoiceField(choices=rb.SETPOS, required=False, initial="-1", label="Which")
    repeat_weekday = forms.ChoiceField(choices=rb.WEEKDAYS, required=False, initial="FR", label="Weekday")
    repeat_end = forms.ChoiceField(choices=rb.ENDS, required=False, initial="never", label="Ends",
                                   widget=forms.RadioSelect)
    repeat_until = forms.DateField(required=False, label="Last date", widget=forms.DateInput(attrs={"type": "date"}))
    repeat_count = forms.IntegerField(required=False, min_value=1, max_value=1000, label="Number of posts")
    rrule = forms.CharField(label="Custom rule", required=False, max_length=500,
                            help_text="An RFC 5545 RRULE, e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")
    collaborators = forms.CharField(required=False, help_text="Up to 3 Instagram usernames; they are invited to co-author.")
    user_tags = forms.CharField(required=False, label="Tag people",
                                help_text="Instagram usernames to tag in the photo, separated by commas.")
    # Where each tagged person is on the photo, set by clicking the preview: [{"username", "x", "y"}] as JSON,
    # x and y from 0 to 1. The usernames field decides who is tagged; a name without a point sits in the middle.
    user_tag_points = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20000)
    location_id = forms.CharField(required=False, max_length=64, label="Facebook Page id",
                                  help_text="Digits only; the place search fills it in.")
    location_name = forms.CharField(required=False, widget=forms.HiddenInput)
    manual_reason = forms.ChoiceField(
        choices=Post.ManualReason.choices, required=False, label="Needs a person to post it"
    )
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, workspace: Workspace, caption_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_zone(workspace.tzinfo)
        self.fields["account"].queryset = InstagramAccount.objects.filter(workspace=workspace)
        self.fields["assignee"].queryset = User.objects.filter(memberships__workspace=workspace)
        self.caption_only = caption_only
        if caption_only:  # editors fix captions; composing is the social managers' job
            for name in list(self.fields):
                if name not in ("caption", "expected_version"):
                    del self.fields[name]

    # --- items ---------------------------------------------------------------------------------------------
    def items(self) -> list[tuple[int, str]]:
        """(asset id, alt text) in posting order, as sent; ids that are not numbers are dropped."""
        data = self.data if self.is_bound else {}
        ids = data.getlist("item_asset") if hasattr(data, "getlist") else []
        if ids:
            alts = data.getlist("item_alt")
            return [(int(i), (alts[n] if n < len(alts) else "").strip()) for n, i in enumerate(ids) if str(i).isdigit()]
        raw = data.get("asset_ids", "") if self.is_bound else self.initial.get("asset_ids", "")
        return [(int(p), "") for p in _split(str(raw)) if p.isdigit()]

    def clean_asset_ids(self) -> list[int]:
        parts = _split(self.cleaned_data.get("asset_ids", ""))
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError("Give library item numbers separated by commas.")
        return [int(p) for p in parts]

    def clean_collaborators(self) -> list[str]:
        return [p.lstrip("@") for p in _split(self.cleaned_data.get("collaborators", ""))]

    def clean_user_tags(self) -> list[dict]:
        """The usernames typed (positions come in clean()); instagram_rules.user_tag_errors checks the result."""
        return [{"username": p.lstrip("@"), "x": 0.5, "y": 0.5} for p in _split(self.cleaned_data.get("user_tags", ""))]

    def clean_user_tag_points(self) -> dict[str, dict]:
        """username (casefolded) → the point as sent. Only the shape is read here: the values (ranges, NaN,
        strings) are judged with the usernames by instagram_rules.user_tag_errors, the one check of tags."""
        raw = (self.cleaned_data.get("user_tag_points") or "").strip()
        if not raw:
            return {}
        try:
            points = json.loads(raw)
        except ValueError:
            points = None
        if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
            raise forms.ValidationError("The places of the tags on the photo could not be read; the usernames are "
                                        "kept. Place the tags on the photo again.")
        return {str(p.get("username", "")).lstrip("@").casefold(): p for p in points}

    def clean_location_name(self) -> str:
        return " ".join((self.cleaned_data.get("location_name") or "").split())[:200]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.caption_only:
            return data
        points = data.get("user_tag_points") or {}
        for tag in data.get("user_tags") or []:
            point = points.get(tag["username"].casefold())
            if point is not None:
                tag["x"], tag["y"] = point.get("x", 0.5), point.get("y", 0.5)
        if "user_tag_points" in self.errors:  # the message goes where the tags are typed
            self.errors["user_tags"] = self.errors.pop("user_tag_points")
        if not data.get("location_id"):
            data["location_name"] = ""
        if not data.get("when"):
            data["when"] = "at" if data.get("publish_at") else "none"
        if not data.get("repeat") and data.get("rrule"):
            data["repeat"] = "custom"  # a rule typed without the builder (older forms, API-like posts)
        if data["when"] == "at" and not data.get("publish_at") and "publish_at" not in self.errors:
            self.add_error("publish_at", "Choose the date and time, or pick another option.")
        return data

    def builder(self) -> rb.Builder:
        d = self.cleaned_data
        return rb.Builder(
            preset=d.get("repeat") or "", interval=d.get("repeat_interval") or 1, days=list(d.get("repeat_days") or []),
            monthday=d.get("repeat_monthday"), setpos=d.get("repeat_setpos") or "-1",
            weekday=d.get("repeat_weekday") or "FR", end=d.get("repeat_end") or "never",
            until=d.get("repeat_until"), count=d.get("repeat_count"), custom=d.get("rrule") or "",
        )

    def service_kwargs(self, *, publish_at: Any = None, rrule: str = "") -> dict[str, Any]:
        """Keyword arguments for post_create / post_update once the view has settled the time and the rule."""
        if self.caption_only:
            return {"caption": self.cleaned_data.get("caption", "")}
        d = self.cleaned_data
        items = self.items() or [(i, "") for i in d.get("asset_ids") or []]
        return {
            "account": d["account"], "kind": d["kind"], "caption": d.get("caption", ""),
            "first_comment": d.get("first_comment", ""), "location_id": d.get("location_id", ""),
            "location_name": d.get("location_name", ""),
            "collaborators": d.get("collaborators", []), "user_tags": d.get("user_tags", []),
            "manual_reason": d.get("manual_reason", ""), "assignee": d.get("assignee"),
            "asset_ids": [i for i, _ in items], "alt_texts": [a for _, a in items],
            "publish_at": publish_at, "rrule": rrule,
        }

    @classmethod
    def initial_for(cls, post: Post) -> dict[str, Any]:
        b = rb.Builder.from_rule(post.rrule)
        return {
            "account": post.account_id, "kind": post.kind, "caption": post.caption, "first_comment": post.first_comment,
            "when": "at" if post.publish_at else "none", "publish_at": post.publish_at,
            "repeat": b.preset, "repeat_interval": b.interval, "repeat_days": b.days, "repeat_monthday": b.monthday,
            "repeat_setpos": b.setpos, "repeat_weekday": b.weekday, "repeat_end": b.end, "repeat_until": b.until,
            "repeat_count": b.count, "rrule": post.rrule if b.preset == "custom" else "",
            "collaborators": ", ".join(post.collaborators),
            "user_tags": ", ".join(t.get("username", "") for t in post.user_tags if isinstance(t, dict)),
            "user_tag_points": json.dumps(post.user_tags or []),
            "location_id": post.location_id, "location_name": post.location_name, "manual_reason": post.manual_reason, "assignee": post.assignee_id,
            "expected_version": post.version,
        }


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RescheduleForm(LocalTimeForm):
    publish_at = LocalDateTimeField(error_messages={"required": "Give a date and time."})
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, zone: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_zone(zone)


class ManualForm(forms.Form):
    reason = forms.ChoiceField(choices=[c for c in Post.ManualReason.choices if c[0]])
    note = forms.CharField(required=False)


class PermalinkForm(forms.Form):
    permalink = forms.CharField(max_length=500, label="Instagram link")
