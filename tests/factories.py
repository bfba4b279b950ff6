"""factory_boy factories shared by all tests."""

from __future__ import annotations

import factory

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
        """The role the user gets in each of `workspaces` (use `roles={ws: role}` for different roles)."""
        self._factory_role = extracted

    @factory.post_generation
    def workspaces(self, create: bool, extracted: list[Workspace] | None, **kwargs: object) -> None:
        role = self._factory_role
        for ws in extracted or []:
            Membership.objects.update_or_create(user=self, workspace=ws, defaults={"role": role.value if role else ""})

    @factory.post_generation
    def roles(self, create: bool, extracted: dict[Workspace, Role] | None, **kwargs: object) -> None:
        for ws, role in (extracted or {}).items():
            Membership.objects.update_or_create(user=self, workspace=ws, defaults={"role": role.value})
        if create:
            self.is_staff = self.is_superuser or Membership.objects.filter(
                user=self, role__in=[r.value for r in STAFF_ROLES]).exists()
            self.save()


class InstagramAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstagramAccount

    workspace = factory.SubFactory(WorkspaceFactory)
    ig_user_id = factory.Sequence(lambda n: f"1784{n:011d}")
    username = factory.Sequence(lambda n: f"brand{n}")
    access_token = factory.Sequence(lambda n: f"IGQWtest-token-{n}")
    status = InstagramAccount.Status.ACTIVE
