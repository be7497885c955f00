"""Reading a CSV or XLSX file into its header and rows of trimmed cell texts."""

import codecs
import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

from expo.services.imports.columns import chinese_header, header_key, header_names
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


_SAVE_AS_UTF8 = _(
    "In Excel, choose File › Save As › “CSV UTF-8 (Comma delimited)” (in Chinese Excel "
    "“CSV UTF-8（逗号分隔）”), or save the file as .xlsx, and upload that file."
)


def _decoded(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _looks_chinese(text: str) -> bool:
    """At least 80% of the non-ASCII characters are common Chinese ones (GB2312's first level and
    punctuation cover about 99% of modern text). Western text read as GB18030 fails to decode or
    becomes rare characters: an accented letter before an ASCII letter forms a GBK-only pair."""
    foreign = {ch: n for ch, n in Counter(text).items() if ord(ch) > 127}  # each character checked once
    common = 0
    for ch, count in foreign.items():
        try:
            lead = ch.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        # Punctuation and full-width forms (rows A1–A9) and the 3,755 frequent characters (B0–D7).
        # Other alphabets read as GB18030 land in the rarer second level: Cyrillic's lower-case
        # letters are bytes E0–FF, so "Москва" in Windows-1251 reads as three rare characters.
        if 0xA1 <= lead <= 0xA9 or 0xB0 <= lead <= 0xD7:
            common += count
    return common >= 0.8 * sum(foreign.values())


def _looks_western(text: str) -> bool:
    """Accented letters and symbols come alone or in pairs inside Latin text ("Müller", "Peña",
    "Confecções"), never in the long runs that Chinese, Cyrillic or Greek text becomes in Windows-1252."""
    return not re.search(r"[^\x00-\x7f]{4,}", text)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, GB18030 (a superset of GBK, as Chinese Excel
    saves) or Windows-1252 (as Western European Excel saves), or a refusal that says how to save
    the file: never a guess that turns the text into other characters."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decoded(data, "utf-16")
        if text is None:
            raise fail(_("The CSV file starts as UTF-16 text but is not valid UTF-16.") + " " + _SAVE_AS_UTF8)
        return text
    text = _decoded(data, "utf-8-sig")
    if text is not None:
        return text
    chinese = _decoded(data, "gb18030")
    western = _decoded(data, "cp1252")
    chinese = chinese if chinese is not None and _looks_chinese(chinese) else None
    western = western if western is not None and _looks_western(western) else None
    if (chinese is None) == (western is None):  # neither, or both equally plausible: refuse
        message = _(
            "The CSV file's text encoding is not recognised: it is not UTF-8, and it reads neither "
            "as Chinese (GB18030/GBK) nor as Western European (Windows-1252) text."
        )
        raise fail(message + " " + _SAVE_AS_UTF8)
    return chinese or western


Span = tuple[int, int] | None  # the CSV lines a row was read from (first, last); None for XLSX


def _csv_rows(data: bytes) -> Iterator[tuple[list[str], Span]]:
    """Comma-separated rows, tab-separated when the first line has tabs and no comma (Excel's "Unicode
    text"), each with the lines it spans. Quotes are read strictly: text after a closing quote, or a
    quote never closed, stops the file with the row and line where it happens."""
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            where = {"line": line}
            if str(exc) == "unexpected end of data":
                message = _(
                    "Line %(line)d of the file opens a quoted cell that is never closed: "
                    'a closing quote (") is missing, so every following line would be read into it.'
                )
            elif "expected after" in str(exc):
                message = _(
                    'Line %(line)d of the file has text right after a closing quote ("): '
                    'a quote inside a cell must be doubled (""), or a quote is missing.'
                )
            elif "field larger than field limit" in str(exc):
                message = _(
                    "Line %(line)d of the file has a cell longer than 131,072 characters, "
                    'or a quote (") that is never closed.'
                )
            else:
                message = _("The CSV file is malformed at line %(line)d.")
            raise fail(message % where, row=row + 1) from exc
        row += 1
        yield cells, (line, reader.line_num)


def _xlsx_rows(data: bytes) -> Iterator[tuple[tuple, Span]]:
    import openpyxl  # imported here: only XLSX imports pay for it

    damaged = _(
        "The XLSX file is damaged or incomplete (was it cut short while uploading or copying?). "
        "Open it in Excel, save it again and upload the new file."
    )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise fail(_("The file is not a readable XLSX workbook.")) from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a damaged or truncated sheet: zip, zlib, XML or openpyxl errors
                raise fail(damaged) from exc
            yield cells, None
    finally:
        workbook.close()


def _read(file: IO[bytes], filename: str) -> Iterator[tuple[int, list[str], Span]]:
    """(spreadsheet row number, trimmed cell texts, CSV lines) of each non-empty row, the header first."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    data = file.read()
    if extension in ("xlsx", "xlsm"):
        rows: Iterable = _xlsx_rows(data)
    elif extension in ("csv", "txt"):
        rows = _csv_rows(data)
    else:
        raise fail(_("Upload a .csv or .xlsx file (save other spreadsheets in one of these formats)."))
    for number, (cells, span) in enumerate(rows, start=1):
        texts = [_cell_text(cell) for cell in cells]
        for position, text in enumerate(texts, start=1):
            if "\x00" in text:
                message = _(
                    "Cell %(cell)d of this row holds a NUL character (a zero byte), which no "
                    "spreadsheet cell can: the file is damaged, or is not text."
                )
                raise fail(message % {"cell": position} + " " + _SAVE_AS_UTF8, row=number)
        if any(texts):
            yield number, texts, span


def _swallowed(cells: list[str], width: int) -> bool:
    """Whether a row read over several lines shows a missing closing quote that swallowed rows.

    A cell with line breaks is fine (a description in paragraphs). But a quote opened and never
    closed runs on until some later quote, taking the rows between into one cell: then the row
    has the wrong number of cells, or a line inside the cell holds a whole row's worth of
    separators (at least two).
    """
    if len(cells) != width:
        return True
    for cell in cells:
        for line in cell.splitlines()[1:]:
            if max(line.count(","), line.count("\t")) >= max(width - 1, 2):
                return True
    return False


def _columns_list(columns: tuple[str, ...]) -> str:
    """`external_id (编号), company_name (公司名称), …`: how an error names the accepted columns."""
    return ", ".join(f"{column} ({chinese_header(column)})" for column in columns)


def read_table(
    file: IO[bytes], filename: str, columns: tuple[str, ...], required: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The data rows as (row number, {column: text}) for the columns present, and the rows' shape errors.

    Header cells are matched by `columns.header_names` (English or Chinese names and their
    variants, in any order). The header is the first row naming a known column; rows above it
    that name none (a title, a date) are skipped. Failing that within the first rows, the first
    row is the header, and its errors say why. File and header errors raise ImportFailed at once,
    each unknown header once: without a header, no row can be read.
    """
    names = header_names(columns)
    rows: Iterator[tuple[int, list[str], Span]] = _read(file, filename)
    above: list[tuple[int, list[str], Span]] = []
    first = None
    for number, cells, span in rows:
        if any(header_key(cell) in names for cell in cells):
            first = (number, cells, span)
            break
        above.append((number, cells, span))
        if len(above) == _TITLE_ROWS:
            break
    if first is None:
        if not above:
            raise fail(_("The file is empty."))
        first, rows = above[0], itertools.chain(above[1:], rows)
    header_row, header, _span = first
    errors: list[RowError] = []
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        key = header_key(text)
        if not key:
            continue
        column = names.get(key)
        if column is None:
            message = _("Unknown column “%(name)s”; the columns are: %(columns)s.")
            errors.append(
                RowError(header_row, text, message % {"name": text, "columns": _columns_list(columns)})
            )
        elif column in positions:
            message = _("The columns “%(first)s” and “%(second)s” both mean %(column)s; keep one.")
            params = {"first": header[positions[column]], "second": text, "column": column}
            errors.append(RowError(header_row, column, message % params))
        else:
            positions[column] = index
    for name in required:
        if name not in positions:
            message = _("Missing required column “%(name)s” (in Chinese “%(chinese)s”).")
            errors.append(
                RowError(header_row, name, message % {"name": name, "chinese": chinese_header(name)})
            )
    if errors:
        raise ImportFailed(errors)
    width = len(header)
    data: list[tuple[int, dict[str, str]]] = []
    for number, cells, span in rows:
        if len(data) >= MAX_ROWS:
            raise fail(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
        if span is not None and span[1] > span[0] and _swallowed(cells, width):
            message = _(
                "This row (lines %(first)d to %(last)d of the file) has a quoted cell that runs over "
                'several lines and takes in what look like other rows: a closing quote (") is '
                "probably missing."
            )
            params = {"first": span[0], "last": span[1]}
            raise fail(message % params, row=number)
        if any(cells[width:]):
            errors.append(RowError(number, "", _("This row has more cells than the header has columns.")))
        data.append((number, {name: cells[i] if i < len(cells) else "" for name, i in positions.items()}))
    if not data:
        raise fail(_("The file has a header but no data rows."))
    return data, errors
