"""The names a column may have in a file's header: its own, its Chinese header, and common variants.

One table for every import. A header cell is compared by its key (`header_key`): case, full-width
forms, spaces, underscores, hyphens, dots, asterisks and brackets do not count, so
`Company Name`, `company-name`, `COMPANY_NAME *` and `company_name` are the same header, and so
are `起订量（米）` and `起订量(米)`. Each column's first entry below is its Chinese header (shown
on the import page, in docs/imports.md and in the templates); the rest are other names
organisers' spreadsheets use for it. An entry may appear under columns of different imports
(`company` is the buyers' column and another name of an exhibitor's `company_name`), never under
two columns of one import: tests/expo/test_imports.py checks that.
"""

import re
import unicodedata

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    # Both imports
    "external_id": (
        "编号", "ID", "external ID", "编码", "展商编号", "参展商编号", "采购商编号", "买家编号",
        "exhibitor ID", "buyer ID",
    ),
    "country": ("国家", "国家/地区", "国家或地区", "国别", "country/region", "country code", "国家代码"),
    "fabrics": ("面料", "fabric", "面料种类", "面料类别"),
    "processes": ("工艺", "process", "加工工艺"),
    "fibres": ("纤维", "fibre", "fiber", "fibers", "原料", "纤维原料"),
    "end_uses": ("用途", "end use", "终端用途", "最终用途"),
    "price_min_cny": ("最低价格（元/米）", "最低价格", "最低价", "最低单价", "min price", "price min", "price from"),
    "price_max_cny": ("最高价格（元/米）", "最高价格", "最高价", "最高单价", "max price", "price max", "price to"),
    "lead_time_days": ("交货期（天）", "交货期", "交期", "交货周期", "lead time", "lead time (days)"),
    "language": ("语言", "preferred language", "首选语言", "lang"),
    # Exhibitors
    "company_name": (
        "公司名称", "company", "company name (English)", "英文名称", "公司英文名称", "企业名称", "展商名称",
        "参展商名称", "name", "name_en", "exhibitor", "exhibitor name",
    ),
    "company_name_zh": (
        "公司中文名称", "中文名称", "中文名", "企业中文名称", "company name (Chinese)", "company name zh",
        "company name cn", "Chinese name", "name_zh",
    ),
    "province": ("省份", "省", "省/州", "所在省份", "state", "province/state", "state/province"),
    "hall": ("展馆", "展馆号", "馆号", "展厅", "hall no", "hall number"),
    "booth": ("展位号", "展位", "展位编号", "摊位号", "booth no", "booth number", "booth code", "stand", "stand no"),
    "tables": ("洽谈桌数", "桌数", "洽谈桌", "number of tables", "table count", "meeting tables"),
    "certifications": ("认证", "certification", "certificates", "认证证书", "证书"),
    "moq_m": ("起订量（米）", "起订量", "最小起订量", "最低起订量", "MOQ", "minimum order"),
    "capacity_m_month": ("月产能（米）", "月产能", "产能", "capacity", "monthly capacity", "capacity (m/month)"),
    "description": (
        "公司简介", "简介", "企业简介", "公司介绍", "介绍", "描述", "about", "profile", "description_en",
        "description (English)", "英文简介", "公司英文简介",
    ),
    "description_zh": (
        "公司中文简介", "中文简介", "企业中文简介", "中文介绍", "description (Chinese)", "description cn",
        "Chinese description",
    ),
    "contact_email": (
        "联系邮箱", "电子邮箱", "邮箱", "电子邮件", "联系人邮箱", "email", "e-mail", "contact e-mail", "mail",
    ),
    # Buyers
    "email": ("电子邮箱", "邮箱", "电子邮件", "邮件", "电邮", "e-mail", "email address", "mail"),
    "name": ("姓名", "联系人", "联系人姓名", "名字", "full name", "contact name", "contact person"),
    "company": (
        "公司名称", "公司", "公司名", "企业名称", "company name", "organisation", "organization", "firm",
    ),
    "certifications_required": ("认证要求", "所需认证", "required certifications", "certifications", "认证"),
    "order_quantity_m": ("订单量（米）", "订单量", "采购量", "订货量", "采购数量", "order quantity", "quantity"),
    "verified": ("已核实", "是否核实", "核实", "已验证", "verified buyer"),
    # Deals (the paper forms collected at the booths)
    "buyer": ("采购商", "买家", "采购商邮箱", "buyer email"),
    "exhibitor": ("展商", "参展商"),
    "amount": ("金额", "成交金额", "意向金额", "value"),
    "currency": ("币种", "货币", "币别"),
    "quantity_m": ("数量（米）", "米数", "metres", "meters"),
    "category": ("面料品类", "品类", "category of fabric"),
    "stage": ("阶段", "成交阶段"),
    "date": ("日期", "成交日期", "deal date"),
    "note": ("备注", "说明", "notes", "remarks"),
}  # fmt: skip

_IGNORED = re.compile(r"[\s_\-.·*()\[\]【】]+")


def header_key(text: str) -> str:
    """What counts in a header cell: its letters, case-folded, full-width forms made plain."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


def chinese_header(column: str) -> str:
    return COLUMN_NAMES.get(column, ("",))[0]


def header_names(columns: tuple[str, ...]) -> dict[str, str]:
    """{header key: column} for an import's columns: their own names first, then the table's."""
    names = {header_key(column): column for column in columns}
    for column in columns:
        for name in COLUMN_NAMES.get(column, ()):
            names.setdefault(header_key(name), column)
    return names
