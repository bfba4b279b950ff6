"""The review desk: the editors' changelist of posts (queue, thumbnails, local times) and its bulk review actions.

Everything that changes a post goes through scheduler.services and the transition table (scheduler.rules); this
module only lists, asks and calls. The review page itself is in admin/review.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from accounts.admin_mixins import WorkspaceScopedAdminMixin
from accounts.permissions import Action, workspaces_where
from scheduler import actions as registry
from scheduler import rules
from scheduler.admin.review import ReviewPageMixin
from scheduler.content import review_hash
from scheduler.models import Post, PostMedia, ReviewEvent
from scheduler.services import lifecycle as lifecycle_svc

S = Post.Status


def relative(delta_seconds: float) -> str:
    """3 h / 25 min / 2 d, for "in 3 h" and "3 h ago"."""
    s = abs(delta_seconds)
    if s < 3600:
        return f"{max(1, round(s / 60))} min"
    if s < 48 * 3600:
        return f"{round(s / 3600)} h"
    return f"{round(s / 86400)} d"


def changed_since_approval(qs: QuerySet[Post]) -> QuerySet[Post]:
    return qs.exclude(approved_hash="").exclude(content_hash="").exclude(content_hash=F("approved_hash"))


class QueueFilter(admin.SimpleListFilter):
    """The editor's queue: posts waiting for review by default (oldest first), expired ones, changed ones, all."""

    title = "review queue"
    parameter_name = "queue"

    def __init__(self, request: Any, params: dict, model: Any, model_admin: Any) -> None:
        # Choosing a status (or searching) means "look at everything", not "within the review queue".
        self._status_chosen = "status__exact" in params
        super().__init__(request, params, model, model_admin)

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("review", "In review"), ("expired", "Expired"), ("changed", "Changed since approval"),
                ("all", "All posts")]

    def value(self) -> str:
        return super().value() or ("all" if self._status_chosen else "review")

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {"selected": self.value() == lookup, "display": title,
                   "query_string": changelist.get_query_string({self.parameter_name: lookup})}

    def queryset(self, request: Any, queryset: QuerySet[Post]) -> QuerySet[Post]:
        value = self.value()
        if value == "review":
            # Dates moved or split off a series wait with it: one submission is one review item.
            return queryset.filter(status=S.IN_REVIEW, review_expired_at__isnull=True, review_follows__isnull=True)
        if value == "expired":
            return queryset.filter(status=S.IN_REVIEW, review_expired_at__isnull=False)
        if value == "changed":
            return changed_since_approval(queryset)
        return queryset


class PostAdminForm(forms.ModelForm):
    # The version the editor loaded travels with the form, so a save over someone else's newer change conflicts.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Post
        fields = ["caption"]
        widgets = {"caption": forms.Textarea(attrs={"rows": 8, "cols": 80})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), label="Note for the author",
                           error_messages={"required": "Write a note for the author: it is required here."})


# Bulk actions with a note: (the action registry's slug, past tense, title of the note page, button label)
NOTE_ACTIONS = {
    "approve_with_comment": ("approve-comment", "Approved", "Approve with a comment", "Approve"),
    "request_changes": ("request-changes", "Sent back for changes", "Request changes", "Request changes"),
    "reject_selected": ("reject", "Rejected", "Reject with a note", "Reject"),
}
APPROVALS = ("approve", "approve-comment")


DESK_ORDER = [F("waiting_since").asc(nulls_last=True), "publish_at", "pk"]  # oldest waiting first


class DeskChangeList(ChangeList):
    """The header's sort arrow follows the desk's real default order (Django takes it from Meta.ordering)."""

    def _get_default_ordering(self) -> list[Any]:
        return list(DESK_ORDER)


@admin.register(Post)
class PostAdmin(ReviewPageMixin, WorkspaceScopedAdminMixin, admin.ModelAdmin):
    form = PostAdminForm
    list_display = ["thumbs", "excerpt", "account_name", "local_time", "kind", "status_badge", "author", "waiting"]
    list_display_links = ["thumbs", "excerpt"]
    list_filter = [QueueFilter, "status", "workspace", "account", "author", "publish_at"]
    list_select_related = ["account", "author", "workspace"]
    search_fields = ["caption"]
    search_help_text = "Search captions"
    list_per_page = 50
    actions = ["approve_selected", "approve_with_comment", "request_changes", "reject_selected"]

    class Media:
        css = {"all": ["css/review_desk.css"]}

    # --- the list ---------------------------------------------------------------------------------------------

    def get_queryset(self, request: Any) -> QuerySet[Post]:
        entered_review = ReviewEvent.objects.filter(post=OuterRef("pk"), to_status=S.IN_REVIEW).exclude(
            from_status=S.IN_REVIEW).order_by("-created_at", "-id").values("created_at")[:1]
        items = PostMedia.objects.select_related("asset").only(
            "id", "post_id", "position", "alt_text", "asset__id", "asset__thumbnail", "asset__kind")
        return (super().get_queryset(request).annotate(waiting_since=Subquery(entered_review))
                .prefetch_related(Prefetch("items", queryset=items)))

    def changelist_view(self, request: Any, extra_context: Any = None) -> Any:
        return super().changelist_view(request, {"title": "Review desk: posts", **(extra_context or {})})

    def get_ordering(self, request: Any) -> list[Any]:
        return list(DESK_ORDER)

    def get_changelist(self, request: Any, **kwargs: Any) -> type[ChangeList]:
        return DeskChangeList

    def get_actions(self, request: Any) -> Any:
        actions = super().get_actions(request)
        if not workspaces_where(request.user, Action.REVIEW_POST).exists():
            return {}  # nothing to do here for roles that do not review (the service would refuse anyway)
        return actions

    def has_add_permission(self, request: Any) -> bool:
        return False  # posts are composed in the app, where media and rules are checked

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # cancel instead: history stays readable

    @admin.display(description="Media")
    def thumbs(self, post: Post) -> str:
        items = list(post.items.all())
        shown = [(reverse("scheduler:asset_file", kwargs={"ws": post.workspace.slug, "pk": i.asset_id,
                                                           "variant": "thumb"}), i.alt_text or "")
                 for i in items[:3] if i.asset.thumbnail]
        more = format_html('<span class="thumb-more">+{}</span>', len(items) - 3) if len(items) > 3 else ""
        imgs = format_html_join("", '<img src="{}" alt="{}" class="desk-thumb" loading="lazy">', shown)
        return format_html('<span class="desk-thumbs">{}{}</span>', imgs, more) if shown else "—"

    @admin.display(description="Caption")
    def excerpt(self, post: Post) -> str:
        text = " ".join((post.caption or "").split())
        # The version this row shows travels with a bulk decision (seen_<pk>), so it decides on exactly this.
        seen = review_hash(post, list(post.items.all()))
        return format_html('{}<input type="hidden" name="seen_{}" value="{}">',
                           Truncator(text).chars(90) or f"({post.get_kind_display()} without caption)", post.pk, seen)

    @admin.display(description="Account", ordering="account__username")
    def account_name(self, post: Post) -> str:
        return format_html('@{}<br><span class="muted">{}</span>', post.account.username, post.workspace.name)

    @admin.display(description="Publishes (local)", ordering="publish_at")
    def local_time(self, post: Post) -> str:
        if not post.publish_at:
            return mark_safe('<span class="muted">no time yet</span>')  # noqa: S308
        local = timezone.localtime(post.publish_at, post.workspace.tzinfo)
        seconds = (post.publish_at - timezone.now()).total_seconds()
        pending = post.status in (S.DRAFT, S.IN_REVIEW, S.APPROVED)
        if seconds < 0 and pending:
            hint = mark_safe('<span class="when-overdue">overdue</span>')  # noqa: S308 (constant)
        elif seconds >= 0:
            hint = format_html('<span class="when-soon">in {}</span>', relative(seconds))
        else:
            hint = ""
        return format_html('{} <span class="muted">{}</span><br>{}', local.strftime("%a %d %b, %H:%M"),
                           local.tzname(), hint)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, post: Post) -> str:
        extra = ""
        if post.review_expired_at and post.status == S.IN_REVIEW:
            extra = mark_safe(' <span class="desk-badge desk-expired">expired</span>')  # noqa: S308
        elif post.first_approval_hash and post.first_approval_hash == post.content_hash and post.status == S.IN_REVIEW:
            extra = mark_safe(' <span class="desk-badge desk-approved">1 of 2 approvals</span>')  # noqa: S308
        elif post.approved_hash and post.content_hash and post.content_hash != post.approved_hash:
            extra = mark_safe(' <span class="desk-badge desk-changed">changed since approval</span>')  # noqa: S308
        return format_html('<span class="desk-badge desk-{}">{}</span>{}', post.status, post.get_status_display(),
                           extra)

    @admin.display(description="Waiting since", ordering="waiting_since")
    def waiting(self, post: Post) -> str:
        since: datetime | None = getattr(post, "waiting_since", None)
        if not since or post.status != S.IN_REVIEW:
            return "—"
        local = timezone.localtime(since, post.workspace.tzinfo)
        ago = relative((timezone.now() - since).total_seconds())
        return format_html('<span title="{}">{} ago</span>', local.strftime("%d %b %Y, %H:%M"), ago)

    # --- bulk review actions: each post through the service; refusals are listed with their reason -----------

    def _each(self, request: Any, queryset: QuerySet[Post], slug: str, done: str, note: str = "") -> None:
        ok, first, failed = 0, 0, []
        # The queryset is already scoped: forged ids of another workspace are simply not in it.
        for post in queryset.select_related("workspace", "account", "author"):
            try:
                # Each row's decision covers the version its row showed; a row without one is not decided.
                seen = request.POST.get(f"seen_{post.pk}", "")
                registry.perform(slug, user=request.user, post=post, data={"seen_hash": seen, "note": note})
                if slug in APPROVALS and post.status == S.IN_REVIEW:
                    first += 1  # a two-approval workspace: this was the first of two
                else:
                    ok += 1
            except (lifecycle_svc.ConflictError, rules.TransitionError) as exc:
                failed.append(f"“{post}”: {exc.message}")
            except (PermissionDenied, ValidationError) as exc:
                failed.append(f"“{post}”: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        if ok:
            self.message_user(request, f"{done} {ok} post{'s' if ok != 1 else ''}.", messages.SUCCESS)
        if first:
            self.message_user(request, f"First approval recorded for {first} post{'s' if first != 1 else ''}; "
                                       "a second editor has to approve too.", messages.SUCCESS)
        if failed:
            self.message_user(request, f"Skipped {len(failed)} post{'s' if len(failed) != 1 else ''}; "
                                       "nothing was decided for them:", messages.WARNING)
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="Approve selected posts")
    def approve_selected(self, request: Any, queryset: QuerySet[Post]) -> None:
        self._each(request, queryset, "approve", "Approved")

    def _with_note(self, request: HttpRequest, queryset: QuerySet[Post], action: str) -> HttpResponse | None:
        slug, done, title, button = NOTE_ACTIONS[action]
        form = NoteForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._each(request, queryset, slug, done, note=form.cleaned_data["note"])
            return None
        seen = [(k, v) for k, v in request.POST.items() if k.startswith("seen_") and k[5:].isdigit()]
        return TemplateResponse(request, "admin/scheduler/post/note_action.html", {
            **self.admin_site.each_context(request), "title": title, "form": form, "button": button, "seen": seen,
            "action": action, "posts": list(queryset.select_related("account")), "opts": self.model._meta,
        })

    @admin.action(description="Approve selected with a comment…")
    def approve_with_comment(self, request: Any, queryset: QuerySet[Post]) -> HttpResponse | None:
        return self._with_note(request, queryset, "approve_with_comment")

    @admin.action(description="Request changes (with a note)…")
    def request_changes(self, request: Any, queryset: QuerySet[Post]) -> HttpResponse | None:
        return self._with_note(request, queryset, "request_changes")

    @admin.action(description="Reject selected (with a note)…")
    def reject_selected(self, request: Any, queryset: QuerySet[Post]) -> HttpResponse | None:
        return self._with_note(request, queryset, "reject_selected")
