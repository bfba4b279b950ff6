"""Factories for posts and library assets (plain rows; no real files needed)."""

from __future__ import annotations

import factory

from scheduler.content import content_hash
from scheduler.models import MediaAsset, Post, PostMedia
from tests.factories import InstagramAccountFactory, WorkspaceFactory

REVIEWED = (Post.Status.APPROVED, Post.Status.PUBLISHING, Post.Status.PUBLISHED, Post.Status.FAILED,
            Post.Status.MANUAL, Post.Status.NEEDS_REVIEW)
OK_ALL = {use: {"ok": True, "reasons": []} for use in MediaAsset.USES}


class MediaAssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaAsset

    workspace = factory.SubFactory(WorkspaceFactory)
    file = factory.Sequence(lambda n: f"workspaces/test/media/asset-{n}.jpg")
    original_name = factory.Sequence(lambda n: f"photo-{n}.jpg")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    kind = MediaAsset.Kind.IMAGE
    mime_type = "image/jpeg"
    size_bytes = 123_456
    width = 1080
    height = 1350
    suitability = factory.LazyFunction(lambda: {k: dict(v) for k, v in OK_ALL.items()})

    class Params:
        video = factory.Trait(
            kind=MediaAsset.Kind.VIDEO, mime_type="video/mp4", width=1080, height=1920, duration_seconds=12.0,
            file=factory.Sequence(lambda n: f"workspaces/test/media/clip-{n}.mp4"),
        )


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(InstagramAccountFactory, workspace=factory.SelfAttribute("..workspace"))
    kind = Post.Kind.FEED
    caption = factory.Sequence(lambda n: f"Fresh roast no. {n} #coffee")
    status = Post.Status.DRAFT

    @factory.post_generation
    def media(self, create: bool, extracted: list[MediaAsset] | None, **kwargs: object) -> None:
        """media=[assets] attaches those; by default one image asset of the post's workspace."""
        if not create:
            return
        assets = extracted if extracted is not None else [MediaAssetFactory(workspace=self.workspace)]
        for i, asset in enumerate(assets):
            PostMedia.objects.create(post=self, asset=asset, position=i)
        # A row past review is as post_approve leaves it: the approval bound to this content (scheduler/content.py).
        self.content_hash = content_hash(self)
        if self.status in REVIEWED:
            self.approved_hash = self.content_hash
        Post.objects.filter(pk=self.pk).update(content_hash=self.content_hash, approved_hash=self.approved_hash)
