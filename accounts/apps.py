from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accounts.services import sync_role_groups_after_migrate

        # Keeps the role groups' permissions complete as models are added (not domain flow).
        post_migrate.connect(sync_role_groups_after_migrate, dispatch_uid="accounts_role_groups")
