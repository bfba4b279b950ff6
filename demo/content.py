"""Demo content for `seed_demo`: a small media library and posts in each review state, made through the
same services people use (real uploads with thumbnails and suitability, real review transitions).

Idempotent: a workspace that already has media is left alone.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts import localtime
from accounts.models import InstagramAccount, User, Workspace
from scheduler.models import MediaAsset, Post, PostingSlot
from scheduler.services.approval import post_approve, post_submit
from scheduler.services.compose import post_create
from scheduler.services.media import MediaRejected, media_update, media_upload

log = logging.getLogger(__name__)

# Per workspace: role, title, size, two colours, alt text, tags. The roles let the demo posts pick "the team photo"
# of a coffee shop or of a bookshop alike. Acme Coffee is a coffee roaster, Bluebird Books a bookshop.
PICTURES = {
    "acme": [
        ("hero", "Morning pour", (1080, 1350), ((120, 72, 40), (236, 200, 150)), "Coffee poured into a white cup at sunrise", "coffee morning"),
        ("closeup", "Bean close-up", (1080, 1080), ((60, 36, 20), (180, 120, 70)), "Roasted coffee beans filling the frame", "beans roast"),
        ("team", "Team photo", (1440, 1080), ((40, 80, 120), (200, 220, 240)), "", "team behind-the-scenes"),
        ("story", "Autumn menu", (1080, 1920), ((150, 60, 20), (250, 180, 90)), "The autumn menu board with three drinks", "menu autumn story"),
        ("front", "Shop front", (1600, 900), ((30, 30, 30), (220, 220, 220)), "", "store"),
        ("detail", "Latte art", (1080, 1080), ((190, 140, 90), (250, 235, 215)), "A heart drawn in milk foam on a latte", "latte art"),
    ],
    "bluebird": [
        ("hero", "New arrivals table", (1080, 1350), ((30, 60, 110), (200, 215, 240)), "A table of new hardbacks by the window", "books new"),
        ("closeup", "Spines close-up", (1080, 1080), ((90, 30, 40), (230, 190, 160)), "Colourful book spines on an oak shelf", "shelf spines"),
        ("team", "Booksellers", (1440, 1080), ((40, 90, 70), (210, 235, 220)), "", "team behind-the-scenes"),
        ("story", "Reading night poster", (1080, 1920), ((60, 40, 90), (230, 210, 250)), "Poster for Thursday's reading night", "event story"),
        ("front", "Shop window", (1600, 900), ((20, 40, 60), (200, 210, 220)), "", "store"),
        ("detail", "Staff pick", (1080, 1080), ((150, 110, 40), (250, 235, 200)), "A paperback with a handwritten staff-pick card", "staff pick"),
    ],
}
# Captions of the demo's posts in each review state.
CAPTIONS = {
    "acme": {"draft": "Draft: something new is brewing at {name} ☕ #coffee",
             "review": "Meet the team behind every cup at {name}. #team #coffee",
             "carousel": "Our autumn menu is here 🍂 Which one first? #autumn #menu",
             "first_comment": "Available in every shop from Monday.",
             "weekly": "Monday latte art, every week at 10:00 ✨ #latteart",
             "story": "Menu board story (with a poll sticker)",
             "unscheduled": "Draft: our new shop front, no date yet — drop it on a free slot of the grid ☕ #coffee"},
    "bluebird": {"draft": "Draft: our winter reading list is nearly ready 📚 #books",
                 "review": "Meet the booksellers behind every recommendation at {name}. #bookshop",
                 "carousel": "New arrivals this week 📖 Which one goes on your nightstand? #newbooks",
                 "first_comment": "All on the front table; we gift-wrap for free.",
                 "weekly": "Monday staff pick, every week at 10:00 ✨ #staffpick",
                 "story": "Reading night story (with a question sticker)",
                 "unscheduled": "Draft: the new shop window, no date yet — drop it on a free slot of the grid 📚 #books"},
}


def content_for(workspace: Workspace) -> str:
    """Which demo content set a workspace gets (a bookshop's for Bluebird, a coffee shop's otherwise)."""
    return workspace.slug if workspace.slug in PICTURES else "acme"


def _picture(size: tuple[int, int], colours: tuple, label: str) -> bytes:
    w, h = size
    img = Image.new("RGB", size, colours[0])
    draw = ImageDraw.Draw(img)
    for i in range(0, h, max(1, h // 60)):  # a simple vertical gradient with a label
        t = i / h
        colour = tuple(int(a + (b - a) * t) for a, b in zip(*colours, strict=True))
        draw.rectangle([0, i, w, i + h // 60 + 1], fill=colour)
    draw.ellipse([w * 0.3, h * 0.3, w * 0.7, h * 0.7], outline=(255, 255, 255), width=max(4, w // 120))
    draw.text((w * 0.08, h * 0.08), label, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def demo_library(*, workspace: Workspace, user: User) -> list[MediaAsset]:
    assets = []
    for role, title, size, colours, alt, tags in PICTURES[content_for(workspace)]:
        name = title.lower().replace(" ", "-") + ".jpg"
        try:
            result = media_upload(user=user, workspace=workspace,
                                  uploaded_file=SimpleUploadedFile(name, _picture(size, colours, f"{workspace.name}: {title}")))
        except MediaRejected as exc:  # never expected; say so rather than stop the seed
            log.warning("demo upload refused: %s", exc)
            continue
        asset = media_update(user=user, asset=result.asset, title=title, alt_text=alt, tags=tags)
        asset.demo_role = role
        assets.append(asset)
    return assets


def _local(workspace: Workspace, days: int, hour: int) -> datetime:
    day = localtime.today(workspace.tzinfo) + timedelta(days=days)
    return localtime.to_instant(datetime.combine(day, time(hour)), workspace.tzinfo)


def demo_posts(*, workspace: Workspace, account: InstagramAccount, social: User, editor: User,
               assets: list[MediaAsset]) -> None:
    a = {getattr(asset, "demo_role", asset.title): asset.pk for asset in assets}
    name = workspace.name
    text = CAPTIONS[content_for(workspace)]

    def create(caption: str, ids: list[int], days: int, hour: int, kind: str = Post.Kind.FEED, **kw) -> Post:  # noqa: ANN003
        return post_create(user=social, workspace=workspace, account=account, kind=kind, caption=caption,
                                    asset_ids=ids, publish_at=_local(workspace, days, hour), **kw)

    create(text["draft"].format(name=name), [a["closeup"]], 5, 9)
    # No time yet: the grid planner's side rail of drafts, to drop on one of the account's free slots.
    post_create(user=social, workspace=workspace, account=account, kind=Post.Kind.FEED, caption=text["unscheduled"],
                asset_ids=[a["front"]])
    in_review = create(text["review"].format(name=name), [a["team"]], 3, 12)
    post_submit(user=social, post=in_review)
    approved = create(text["carousel"], [a["hero"], a["detail"]], 2, 10, kind=Post.Kind.CAROUSEL,
                      first_comment=text["first_comment"])
    post_submit(user=social, post=approved)
    post_approve(user=editor, post=Post.objects.get(pk=approved.pk), note="Lovely — go.")
    today = timezone.localdate(timezone=workspace.tzinfo)
    next_monday = (7 - today.weekday()) % 7 or 7
    weekly = create(text["weekly"], [a["detail"]], next_monday, 10,
                    rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=8")
    post_submit(user=social, post=weekly)
    post_approve(user=editor, post=Post.objects.get(pk=weekly.pk))
    story = create(text["story"], [a["story"]], 1, 16, kind=Post.Kind.STORY,
                   manual_reason=Post.ManualReason.STICKERS, assignee=social)
    post_submit(user=social, post=story)
    post_approve(user=editor, post=Post.objects.get(pk=story.pk))


DEMO_SLOTS = [time(9, 0), time(12, 30), time(18, 0)]


def demo_slots(account: InstagramAccount) -> None:
    """A weekday posting grid so "Add to queue" has somewhere to go."""
    if not account.slots.exists():
        PostingSlot.objects.bulk_create(
            PostingSlot(account=account, weekday=day, time=at) for day in range(5) for at in DEMO_SLOTS
        )


def seed_demo_content(command, workspaces: dict[str, Workspace]) -> None:  # noqa: ANN001
    social, editor = User.objects.filter(username="social").first(), User.objects.filter(username="editor").first()
    if not (social and editor):
        return
    for ws in workspaces.values():
        for account in InstagramAccount.objects.filter(workspace=ws):
            demo_slots(account)
        if MediaAsset.objects.filter(workspace=ws).exists():
            continue
        assets = demo_library(workspace=ws, user=social)
        account = InstagramAccount.objects.filter(workspace=ws).first()
        if account and len(assets) == len(PICTURES[content_for(ws)]):
            demo_posts(workspace=ws, account=account, social=social, editor=editor, assets=assets)
            command.stdout.write(f"  {ws.name}: {len(assets)} library items and demo posts in every review state")
        else:
            command.stdout.write(f"  {ws.name}: {len(assets)} library items (no Instagram account, so no demo posts)")
