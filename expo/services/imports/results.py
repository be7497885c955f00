"""What an import returns or raises: its counts, or every error of the file by row and column."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number: header is row 1, first data row is row 2 (0 for file-level errors)
    column: str  # the column name ("" for whole-row/file errors)
    message: str


class ImportFailed(Exception):
    """The file has errors; `errors` lists all of them in row order, and nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.row)
        super().__init__(f"{len(self.errors)} errors")


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int
    invited: int = 0  # people sent an invitation (imports with `invite`)


def fail(message: str, row: int = 0, column: str = "") -> ImportFailed:
    """A failure of one error: of the file as a whole (row 0) unless a row is given."""
    return ImportFailed([RowError(row, column, message)])
