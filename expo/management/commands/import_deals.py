from django.core.management.base import CommandError
from django.db.models import Q

from accounts.models import Role, User
from expo.management.commands.import_exhibitors import ImportCommand
from expo.services.imports import deals_import


def organiser_for(email: str | None) -> User:
    """The organiser account named by `email`; without one, the only organiser account there is."""
    if email:
        user = User.objects.by_email(email).first()
        if user is None or not user.is_active or not user.is_organiser:
            raise CommandError(f"No active organiser account has the email “{email}”.")
        return user
    organisers = User.objects.filter(Q(role=Role.ORGANISER) | Q(is_superuser=True), is_active=True)
    found = list(organisers.order_by("pk")[:2])
    if len(found) != 1:
        count = "No" if not found else "More than one"
        raise CommandError(
            f"{count} organiser account: pass --user EMAIL (the organiser the deals' history names)."
        )
    return found[0]


class Command(ImportCommand):
    help = (
        "Create or update (by external_id) the intended deals listed in a CSV or XLSX file, "
        "through the deal service; see docs/imports.md."
    )

    importer = staticmethod(deals_import)
    invite_help = ""  # a deal import invites nobody

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--user",
            metavar="EMAIL",
            help="The organiser whose name the deals' history records (default: the only organiser account)",
        )

    def importer_kwargs(self, options) -> dict:
        return {"user": organiser_for(options["user"])}
