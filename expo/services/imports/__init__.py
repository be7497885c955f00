"""Spreadsheet imports of exhibitors, buyers and deals (CSV or XLSX), used by the commands and the admin.

A file is read and checked whole first: every error of every row is collected, and if there is
any, `ImportFailed` lists them all and nothing is written. Otherwise everything is written in one
transaction with a fixed number of queries (bulk inserts and updates, facets through the M2M
tables), whatever the number of rows. Re-importing a file updates profiles by `external_id`.
The columns and rules are described for organisers in docs/imports.md.
"""

from expo.services.imports.buyers import BUYER_COLUMNS, BUYER_REQUIRED, buyers_import
from expo.services.imports.deals import DEAL_COLUMNS, DEAL_REQUIRED, deals_import
from expo.services.imports.exhibitors import EXHIBITOR_COLUMNS, EXHIBITOR_REQUIRED, exhibitors_import
from expo.services.imports.reading import MAX_ROWS
from expo.services.imports.results import ImportFailed, ImportResult, RowError

__all__ = [
    "BUYER_COLUMNS",
    "BUYER_REQUIRED",
    "DEAL_COLUMNS",
    "DEAL_REQUIRED",
    "EXHIBITOR_COLUMNS",
    "EXHIBITOR_REQUIRED",
    "MAX_ROWS",
    "ImportFailed",
    "ImportResult",
    "RowError",
    "buyers_import",
    "deals_import",
    "exhibitors_import",
]
