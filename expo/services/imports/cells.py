"""Checking the cells of one row: text, numbers, prices, emails, countries, yes/no and facet terms."""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from expo.services.imports.results import RowError
from expo.services.taxonomy import TermIndex, kind_label

POSITIVE_INT_MAX = 2_147_483_647  # PositiveIntegerField
SMALL_INT_MAX = 32_767  # PositiveSmallIntegerField
PRICE_LIMIT = Decimal("100000000")  # max_digits=10, decimal_places=2
CENT = Decimal("0.01")


def _plain(text: str) -> str:
    """Full-width digits, letters and signs as ASCII, for numbers and codes typed in a Chinese IME."""
    return unicodedata.normalize("NFKC", text).strip()


@lru_cache(maxsize=1)
def _country_codes() -> dict[str, str]:
    """Lower-cased ISO alpha-2 and alpha-3 codes, English, Simplified and Traditional Chinese names."""
    codes: dict[str, str] = {}
    for language in ("en", "zh-hant", "zh-hans"):
        with translation.override(language):
            for code, name in countries:
                codes[_plain(str(name)).casefold()] = code
    for code, _name in countries:
        codes[code.lower()] = code
        codes[countries.alpha3(code).lower()] = code
    return codes


_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")
_BOOLEANS = {
    "yes": True, "y": True, "true": True, "1": True, "是": True, "x": True,
    "no": False, "n": False, "false": False, "0": False, "否": False, "": False,
}  # fmt: skip


@dataclass
class Row:
    """One data row being checked: its cells, the parsed values by model field, and its errors."""

    number: int
    cells: dict[str, str]
    errors: list[RowError]
    values: dict[str, Any] = field(default_factory=dict)
    facets: dict[str, list[int]] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)

    def error(self, column: str, message: str) -> None:
        self.bad.add(column)
        self.errors.append(RowError(self.number, column, message))

    def has(self, column: str) -> bool:
        return column in self.cells

    def text(self, column: str, max_length: int | None, *, required: bool = False) -> str:
        value = self.cells.get(column, "")
        if required and not value:
            self.error(column, _("This column is required."))
        elif max_length and len(value) > max_length:
            message = _("At most %(max)d characters (this has %(length)d).")
            self.error(column, message % {"max": max_length, "length": len(value)})
        return value

    def decimal(self, column: str) -> Decimal | None:
        text = _plain(self.cells.get(column, ""))
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            value = Decimal(text) if text else None
        except InvalidOperation:
            value = Decimal("NaN")
        if value is not None and not value.is_finite():
            self.error(column, _("“%(value)s” is not a number.") % {"value": self.cells[column]})
            return None
        return value

    def integer(self, column: str, minimum: int, maximum: int) -> int | None:
        value = self.decimal(column)
        if value is None:
            return None
        if value != value.to_integral_value():
            self.error(column, _("Use a whole number."))
        elif not minimum <= value <= maximum:
            message = _("Use a whole number from %(min)d to %(max)d.")
            self.error(column, message % {"min": minimum, "max": maximum})
        else:
            return int(value)
        return None

    def price(self, column: str) -> Decimal | None:
        value = self.decimal(column)
        if value is None:
            return None
        if value <= 0:
            self.error(column, _("The price must be greater than zero."))
        elif value >= PRICE_LIMIT:  # before quantize(), which overflows on huge values
            self.error(column, _("The price must be below %(limit)s.") % {"limit": PRICE_LIMIT})
        elif value != value.quantize(CENT):
            self.error(column, _("Use at most two decimal places."))
        else:
            return value.quantize(CENT)
        return None

    def email(self, column: str, *, required: bool = False) -> str:
        value = self.text(column, 254, required=required)
        if value and column not in self.bad:
            try:
                validate_email(value)
            except ValidationError:
                self.error(column, _("“%(value)s” is not a valid email address.") % {"value": value})
        return value

    def country(self, column: str, default: str) -> str:
        value = self.cells.get(column, "")
        if not value:
            return default
        code = _country_codes().get(_plain(value).casefold())
        if code is None:
            message = _(
                "Unknown country “%(value)s”: use an ISO code such as CN, or its English or Chinese name."
            )
            self.error(column, message % {"value": value})
            return default
        return code

    def boolean(self, column: str) -> bool:
        value = _BOOLEANS.get(_plain(self.cells.get(column, "")).casefold())
        if value is None:
            self.error(column, _("Use yes or no (also true/false, 1/0, 是/否)."))
        return bool(value)

    def terms(self, column: str, kind: str, index: TermIndex) -> None:
        found, unknown = index.parse_cell_ids(kind, self.cells.get(column, ""))
        for value in unknown:
            self.error(
                column, _("Unknown %(kind)s “%(value)s”.") % {"kind": kind_label(kind), "value": value}
            )
        self.facets[column] = list(found)

    def price_range(self, existing: Any) -> None:
        """min ≤ max, taking a price from the profile being updated when its column is absent."""
        if {"price_min_cny", "price_max_cny"} & self.bad:
            return
        low = self.values.get("price_min_cny", getattr(existing, "price_min_cny", None))
        high = self.values.get("price_max_cny", getattr(existing, "price_max_cny", None))
        if low is not None and high is not None and low > high:
            self.error("price_max_cny", _("The maximum price cannot be below the minimum price."))


def max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def common_values(row: Row, facets: dict[str, str], index: TermIndex) -> None:
    """Facets, prices and lead time: the columns exhibitors and buyers share."""
    for column, kind in facets.items():
        if row.has(column):
            row.terms(column, kind, index)
    for column in ("price_min_cny", "price_max_cny"):
        if row.has(column):
            row.values[column] = row.price(column)
    if row.has("lead_time_days"):
        row.values["lead_time_days"] = row.integer("lead_time_days", 0, SMALL_INT_MAX)


def duplicate(row: Row, column: str, key: str, seen: dict[str, int]) -> None:
    if not key:
        return
    if key in seen:
        message = _("“%(value)s” is also in row %(row)d.")
        row.error(column, message % {"value": row.cells[column], "row": seen[key]})
    else:
        seen[key] = row.number
