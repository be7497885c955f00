from expo.management.commands.import_exhibitors import ImportCommand
from expo.services.imports import buyers_import


class Command(ImportCommand):
    help = "Create or update (by external_id) the buyers listed in a CSV or XLSX file; see docs/imports.md."

    importer = staticmethod(buyers_import)
    invite_help = (
        "Email every listed buyer who has no password yet an invitation to set one "
        "(once per person; links use SITE_URL)"
    )
