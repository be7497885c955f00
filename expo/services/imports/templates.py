"""Import templates: every column of an import, with English or Chinese headers and an example row.

Organisers download them from the admin import page, fill them in and import them as they are:
tests import each template to prove it. The example rows are those of docs/imports.md.
"""

import csv
import io
from decimal import Decimal

from expo.services.imports.buyers import BUYER_COLUMNS
from expo.services.imports.columns import chinese_header
from expo.services.imports.exhibitors import EXHIBITOR_COLUMNS

TEMPLATE_COLUMNS = {"exhibitors": EXHIBITOR_COLUMNS, "buyers": BUYER_COLUMNS}
TEMPLATE_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

EXAMPLES: dict[str, dict[str, object]] = {
    "exhibitors": {
        "external_id": "EX001",
        "company_name": "Wujiang Silk Weaving Co.",
        "company_name_zh": "吴江丝绸织造有限公司",
        "country": "CN",
        "province": "江苏",
        "hall": "1",
        "booth": "1A01",
        "tables": 2,
        "fabrics": "雪纺；色丁",
        "processes": "digital-printing",
        "fibres": "polyester",
        "end_uses": "womens-wear",
        "certifications": "OEKO-TEX Standard 100",
        "moq_m": 1000,
        "capacity_m_month": 300000,
        "price_min_cny": Decimal("8.50"),
        "price_max_cny": Decimal("15.00"),
        "lead_time_days": 20,
        "description": "Chiffon and satin for womenswear.",
        "description_zh": "雪纺、色丁面料，用于女装。",
        "contact_email": "sales@wujiang-silk.example",
    },
    "buyers": {
        "external_id": "B0001",
        "email": "anna@nordic-apparel.example",
        "name": "Anna Schmidt",
        "company": "Nordic Apparel GmbH",
        "country": "Germany",
        "fabrics": "chiffon; satin",
        "processes": "digital printing",
        "fibres": "再生涤纶",
        "end_uses": "womenswear",
        "certifications_required": "GRS",
        "order_quantity_m": 5000,
        "price_min_cny": Decimal("9.00"),
        "price_max_cny": Decimal("14.00"),
        "lead_time_days": 30,
        "verified": "yes",
    },
}


def import_template(*, kind: str, file_format: str, chinese: bool = False) -> bytes:
    """The template file of an import (`kind`: exhibitors or buyers) as CSV or XLSX bytes.

    Headers are the column names, or their Chinese headers with `chinese`; the second row is an
    example. The CSV is UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly.
    Columns added to an import without an example get an empty example cell.
    """
    columns = TEMPLATE_COLUMNS[kind]
    header = [chinese_header(column) if chinese else column for column in columns]
    example = [EXAMPLES[kind].get(column, "") for column in columns]
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerow(example)
        return out.getvalue().encode("utf-8-sig")
    if file_format == "xlsx":
        import openpyxl  # imported here: only XLSX templates pay for it

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(kind)
        sheet.append(header)
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in example])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    raise ValueError(f"Unknown template format {file_format!r}")
