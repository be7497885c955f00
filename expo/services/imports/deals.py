"""Deal import: the paper forms organisers collect at the booths, typed into a spreadsheet.

Rows name the buyer (its external ID or email) and the exhibitor (its external ID) already at the
expo. The file is checked whole first and nothing is written unless every row is valid; then each
row goes through the deal service in one transaction (conversion at the expo's current rate,
history recorded as "imported"). Re-importing updates deals by `external_id`: only the changed
fields, and an unchanged row writes nothing.
"""

import datetime
import re
from decimal import Decimal
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from expo.models import Buyer, Deal, DealChange, DealStage, Exhibitor, Expo, TermKind
from expo.services.deals import deal_create, deal_update
from expo.services.imports.cells import POSITIVE_INT_MAX, Row, duplicate, max_length
from expo.services.imports.reading import read_table
from expo.services.imports.results import ImportFailed, ImportResult, RowError, fail
from expo.services.money import rate_current
from expo.services.taxonomy import TermIndex

DEAL_COLUMNS = (
    "external_id", "buyer", "exhibitor", "amount", "currency", "quantity_m", "category", "stage", "date", "note",
)  # fmt: skip
DEAL_REQUIRED = ("external_id", "buyer", "exhibitor", "amount", "currency", "category")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]00:00(?::00)?)?$")


def _stages() -> dict[str, str]:
    """Stage by its value, English label or Chinese label (case-insensitive)."""
    from django.utils import translation

    stages: dict[str, str] = {}
    for value, label in DealStage.choices:
        stages[value] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                stages[str(label).casefold()] = value
    return stages


def _date(row: Row, column: str) -> datetime.date | None:
    text = row.cells.get(column, "").strip()
    if not text:
        return None
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        row.error(column, _("“%(value)s” is not a date: use YYYY-MM-DD.") % {"value": text})
        return None


def deals_import(
    *,
    expo: Expo,
    file: IO[bytes],
    filename: str,
    user,
    dry_run: bool = False,
    invite: bool = False,
    base_url: str = "",
) -> ImportResult:
    """Create or update (by external_id) the deals a CSV/XLSX file lists, logged by `user` (an organiser).

    `invite` and `base_url` are the other imports' (the admin page passes them to every import);
    a deal import invites nobody.

    Raises ImportFailed with every error, having written nothing. With `dry_run`, checks only.
    """
    if not user.is_organiser:
        raise PermissionDenied
    data, shape_errors = read_table(file, filename, DEAL_COLUMNS, DEAL_REQUIRED)
    try:
        with transaction.atomic():
            Expo.objects.select_for_update().filter(pk=expo.pk).first()  # one import per expo at a time
            rows, result = _check(expo, data, shape_errors)
            if not dry_run:
                _write(expo, rows, user)
    except IntegrityError as exc:
        raise fail(_("The data changed while importing; try again.")) from exc
    return result


def _check(expo: Expo, data: list[tuple[int, dict[str, str]]], shape_errors: list[RowError]):
    index = TermIndex()
    stages = _stages()
    buyers: dict[str, Buyer] = {}
    for buyer in Buyer.objects.filter(expo=expo).annotate(email=Lower("user__email")):
        buyers.setdefault(buyer.email, buyer)
        if buyer.external_id:
            buyers[buyer.external_id.casefold()] = buyer
    exhibitors = {
        e.external_id.casefold(): e for e in Exhibitor.objects.filter(expo=expo).exclude(external_id="")
    }
    existing = {d.external_id: d for d in Deal.objects.filter(expo=expo).exclude(external_id="")}
    rates: dict[str, bool] = {}
    errors: list[RowError] = list(shape_errors)
    rows: list[tuple[Row, Deal | None]] = []
    seen: dict[str, int] = {}
    for number, cells in data:
        row = Row(number, cells, errors)
        external_id = row.text("external_id", max_length(Deal, "external_id"), required=True)
        duplicate(row, "external_id", external_id, seen)
        deal = existing.get(external_id)
        values = row.values
        buyer = buyers.get(row.text("buyer", 254, required=True).casefold())
        if buyer is None and "buyer" not in row.bad:
            row.error(
                "buyer",
                _("No buyer at this expo has the external ID or email “%(value)s”.")
                % {"value": cells["buyer"]},
            )
        exhibitor = exhibitors.get(row.text("exhibitor", 64, required=True).casefold())
        if exhibitor is None and "exhibitor" not in row.bad:
            message = _("No exhibitor at this expo has the external ID “%(value)s”.")
            row.error("exhibitor", message % {"value": cells["exhibitor"]})
        moved = deal is not None and buyer is not None and exhibitor is not None
        if moved and (deal.buyer_id, deal.exhibitor_id) != (buyer.pk, exhibitor.pk):
            row.error("external_id", _("This external ID is a deal between another buyer and exhibitor."))
        values["buyer"], values["exhibitor"] = buyer, exhibitor
        amount = row.decimal("amount")
        if amount is None and "amount" not in row.bad:
            row.error("amount", _("This column is required."))
        elif amount is not None and (amount <= 0 or amount != amount.quantize(Decimal("0.01"))):
            row.error("amount", _("Use an amount greater than zero with at most two decimal places."))
        values["amount"] = amount
        currency = row.text("currency", 3, required=True).upper()
        if currency and "currency" not in row.bad:
            if currency not in rates:
                rates[currency] = rate_current(expo=expo, currency=currency) is not None
            if not rates[currency]:
                message = _("This expo has no exchange rate for “%(value)s”; add one first.")
                row.error("currency", message % {"value": currency})
        values["currency"] = currency
        if row.has("quantity_m"):
            values["quantity_m"] = row.integer("quantity_m", 1, POSITIVE_INT_MAX)
        category = index.get(TermKind.FABRIC, cells.get("category", ""))
        if category is None and "category" not in row.bad:
            row.error("category", _("Unknown fabric “%(value)s”.") % {"value": cells.get("category", "")})
        values["category"] = category
        if row.has("stage") and cells["stage"]:
            stage = stages.get(cells["stage"].strip().casefold())
            if stage is None:
                row.error(
                    "stage",
                    _("Unknown stage “%(value)s”: use intended, negotiating, signed or withdrawn.")
                    % {"value": cells["stage"]},
                )
            values["stage"] = stage
        if row.has("date") and cells["date"]:  # a blank date: today for a new deal, unchanged for an old one
            values["date"] = _date(row, "date")
        if row.has("note"):
            values["note"] = row.text("note", 4000)
        values["external_id"] = external_id
        rows.append((row, deal))
    if errors:
        raise ImportFailed(errors)
    created = sum(1 for _row, deal in rows if deal is None)
    return rows, ImportResult(rows=len(rows), created=created, updated=len(rows) - created)


def _write(expo: Expo, rows: list[tuple[Row, Deal | None]], user) -> None:
    for row, deal in rows:
        values = dict(row.values)
        try:
            if deal is None:
                deal_create(user=user, expo=expo, action=DealChange.Action.IMPORTED, **values)
            else:
                for fixed in ("buyer", "exhibitor", "external_id"):
                    values.pop(fixed)
                deal_update(user=user, deal=deal, data=values, action=DealChange.Action.IMPORTED)
        except ValidationError as exc:  # a rule only the service knows; name the row all the same
            raise ImportFailed(
                [
                    RowError(row.number, field, " ".join(messages))
                    for field, messages in exc.message_dict.items()
                ]
            ) from exc
