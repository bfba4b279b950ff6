"""factory_boy factories shared by all tests."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from accounts.models import InstagramAccount, Membership, User, Workspace
from accounts.permissions import STAFF_ROLES, Role


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"ws-{n}")
    timezone = "Europe/Berlin"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted.value))
            self.is_staff = extracted in STAFF_ROLES
        if create:
            self.save()

    @factory.post_generation
    def workspaces(self, create: bool, extracted: list[Workspace] | None, **kwargs: object) -> None:
        for ws in extracted or []:
            Membership.objects.get_or_create(user=self, workspace=ws)


class InstagramAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstagramAccount

    workspace = factory.SubFactory(WorkspaceFactory)
    ig_user_id = factory.Sequence(lambda n: f"1784{n:011d}")
    username = factory.Sequence(lambda n: f"brand{n}")
    access_token = factory.Sequence(lambda n: f"IGQWtest-token-{n}")
    status = InstagramAccount.Status.ACTIVE
