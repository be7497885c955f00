from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from expo.models import Expo
from expo.services.imports import ImportFailed, RowError, exhibitors_import


def error_line(error: RowError) -> str:
    """`row 7, price_max_cny: …`; `row 7: …` for a whole row; `file: …` for the file itself."""
    if error.row == 0:
        return f"file: {error.message}"
    where = f"row {error.row}, {error.column}" if error.column else f"row {error.row}"
    return f"{where}: {error.message}"


class ImportCommand(BaseCommand):
    """Shared by the import commands: read the file, call the service, report."""

    importer = staticmethod(exhibitors_import)
    invite_help = (
        "Make each row's contact_email staff of its exhibitor and email them an invitation to set a "
        "password (once per person; links use SITE_URL)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="A .csv (UTF-8, GB18030/GBK or Windows-1252) or .xlsx file with a header row"
        )
        parser.add_argument("--expo", help="Expo slug (default: the current expo)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, writing nothing"
        )
        if self.invite_help:
            parser.add_argument("--invite", action="store_true", help=self.invite_help)

    def importer_kwargs(self, options) -> dict:
        """The arguments this command's service takes besides expo, file, filename and dry_run."""
        return {"invite": options["invite"], "base_url": settings.SITE_URL}

    def handle(self, *args, **options):
        if options["expo"]:
            expo = Expo.objects.filter(slug=options["expo"]).first()
            if expo is None:
                raise CommandError(f"No expo with slug “{options['expo']}”.")
        else:
            expo = Expo.objects.current()
            if expo is None:
                raise CommandError("No current expo: pass --expo SLUG.")
        path = Path(options["file"])
        try:
            with path.open("rb") as file:
                result = self.importer(
                    expo=expo,
                    file=file,
                    filename=path.name,
                    dry_run=options["dry_run"],
                    **self.importer_kwargs(options),
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(error_line(error))
            count = len(failure.errors)
            raise CommandError(f"Nothing imported: {count} error{'' if count == 1 else 's'}.") from failure
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(f"{verb} {result.rows} rows: {result.created} created, {result.updated} updated.")
        if options.get("invite") and not options["dry_run"]:
            self.stdout.write(
                f"Invited {result.invited} people (everyone else listed was invited before or has a password)."
            )


class Command(ImportCommand):
    help = (
        "Create or update (by external_id) the exhibitors listed in a CSV or XLSX file; see docs/imports.md."
    )
