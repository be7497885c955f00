"""Reading a CSV or XLSX file into its header and rows of trimmed cell texts."""

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

from expo.services.imports.results import ImportFailed, RowError, fail

MAX_ROWS = 200_000
_TITLE_ROWS = 10  # rows above the header (titles, dates) that may be skipped


def _cell_text(value: Any) -> str:
    """A cell as trimmed text; spreadsheet numbers lose a float's `.0` (1001.0 → "1001")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK, as Chinese Excel saves)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise fail(_("The CSV file is neither UTF-8 nor GB18030/GBK text.")) from exc


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    """Comma-separated rows; tab-separated when the first line has tabs and no comma (Excel's "Unicode text")."""
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise fail(_("The CSV file is malformed near line %(line)d.") % {"line": reader.line_num}) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    import openpyxl  # imported here: only XLSX imports pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise fail(_("The file is not a readable XLSX workbook.")) from exc
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _read(file: IO[bytes], filename: str) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, trimmed cell texts) of each non-empty row, the header first."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    data = file.read()
    if extension in ("xlsx", "xlsm"):
        rows: Iterable = _xlsx_rows(data)
    elif extension in ("csv", "txt"):
        rows = _csv_rows(data)
    else:
        raise fail(_("Upload a .csv or .xlsx file (save other spreadsheets in one of these formats)."))
    for number, cells in enumerate(rows, start=1):
        texts = [_cell_text(cell) for cell in cells]
        if any(texts):
            yield number, texts


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def read_table(
    file: IO[bytes], filename: str, columns: tuple[str, ...], required: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The data rows as (row number, {column: text}) for the columns present, and the rows' shape errors.

    The header is the first row naming a known column; rows above it that name none (a title, a
    date) are skipped. Failing that within the first rows, the first row is the header, and its
    errors say why. File and header errors raise ImportFailed at once: without a header, no row
    can be read.
    """
    rows: Iterator[tuple[int, list[str]]] = _read(file, filename)
    above: list[tuple[int, list[str]]] = []
    first = None
    for number, cells in rows:
        if any(_header_key(cell) in columns for cell in cells):
            first = (number, cells)
            break
        above.append((number, cells))
        if len(above) == _TITLE_ROWS:
            break
    if first is None:
        if not above:
            raise fail(_("The file is empty."))
        first, rows = above[0], itertools.chain(above[1:], rows)
    header_row, header = first
    errors: list[RowError] = []
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        key = _header_key(text)
        if not key:
            continue
        if key not in columns:
            message = _("Unknown column “%(name)s”; the columns are: %(columns)s.")
            errors.append(RowError(header_row, text, message % {"name": text, "columns": ", ".join(columns)}))
        elif key in positions:
            errors.append(RowError(header_row, key, _("Column “%(name)s” appears twice.") % {"name": key}))
        else:
            positions[key] = index
    for name in required:
        if name not in positions:
            errors.append(
                RowError(header_row, name, _("Missing required column “%(name)s”.") % {"name": name})
            )
    if errors:
        raise ImportFailed(errors)
    width = len(header)
    data: list[tuple[int, dict[str, str]]] = []
    for number, cells in rows:
        if len(data) >= MAX_ROWS:
            raise fail(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
        if any(cells[width:]):
            errors.append(RowError(number, "", _("This row has more cells than the header has columns.")))
        data.append((number, {name: cells[i] if i < len(cells) else "" for name, i in positions.items()}))
    if not data:
        raise fail(_("The file has a header but no data rows."))
    return data, errors
