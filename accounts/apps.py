"""App config: registers the system checks and keeps role permissions in sync after every migrate."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, **kwargs) -> None:  # noqa: ANN001
    from django.apps import apps

    # post_migrate fires once per app that has models; permissions of all apps exist only after the last one.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    from accounts.roles import sync_roles

    sync_roles()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and workspaces"

    def ready(self) -> None:
        from accounts import checks  # noqa: F401  (registers system checks)

        # Permissions of every app exist only after its post_migrate; sync roles once all ran.
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="pressroom_sync_roles")
