"""Buyer import: profiles by external_id, and a buyer account for each new email."""

import secrets
from typing import IO

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import Role, User
from expo.models import BUYER_FACETS, Buyer, Expo
from expo.services.imports.bulk import (
    announce,
    assign,
    chunks,
    create,
    ensure_pks,
    facets_write,
    profiles_save,
    profiles_stamp,
)
from expo.services.imports.cells import POSITIVE_INT_MAX, Row, common_values, duplicate, max_length
from expo.services.imports.reading import read_table
from expo.services.imports.results import ImportFailed, ImportResult, RowError, fail
from expo.services.taxonomy import TermIndex

BUYER_COLUMNS = (
    "external_id", "email", "name", "company", "country", "fabrics", "processes", "fibres", "end_uses",
    "certifications_required", "order_quantity_m", "price_min_cny", "price_max_cny", "lead_time_days",
    "verified",
)  # fmt: skip
BUYER_REQUIRED = ("external_id", "email")


def buyers_import(*, expo: Expo, file: IO[bytes], filename: str, dry_run: bool = False) -> ImportResult:
    """Create or update (by external_id) the buyers a CSV/XLSX file lists, creating their user accounts.

    A new email gets a buyer account with an unusable password (they set one by password reset);
    an existing account is reused as it is. Raises ImportFailed with every error, having written
    nothing. With `dry_run`, checks the file and reports what an import would do, without writing.
    """
    data, shape_errors = read_table(file, filename, BUYER_COLUMNS, BUYER_REQUIRED)
    try:
        with transaction.atomic():
            result, write = buyers_check(expo, data, shape_errors)
            if not dry_run:
                write()
    except IntegrityError as exc:  # a concurrent change slipped between the check and the write
        raise fail(_("The data changed while importing; try again.")) from exc
    return result


def _users_by_email(emails: list[str]) -> dict[str, int]:
    """Primary keys of the accounts with these (lower-case) emails, matched case-insensitively."""
    users: dict[str, int] = {}
    if connection.vendor == "postgresql":  # one array parameter, not tens of thousands of literals
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, LOWER(email) FROM {User._meta.db_table} WHERE LOWER(email) = ANY(%s)", [emails]
            )
            return {key: pk for pk, key in cursor.fetchall()}
    for chunk in chunks(emails):
        matches = User.objects.annotate(email_key=Lower("email")).filter(email_key__in=chunk)
        users.update((key, pk) for pk, key in matches.values_list("pk", "email_key"))
    return users


def buyers_check(expo: Expo, data: list[tuple[int, dict[str, str]]], shape_errors: list[RowError]):
    """Check every row against the file and the database; (counts, a function that writes them all).

    Raises ImportFailed with every error found. Runs inside the import's transaction.
    """
    Expo.objects.select_for_update().filter(pk=expo.pk).first()  # one import per expo at a time
    index = TermIndex()
    buyers = list(
        Buyer.objects.filter(expo=expo)
        .defer("created_at", "updated_at")
        .annotate(user_email=Lower("user__email"))
    )
    by_external = {b.external_id: b for b in buyers if b.external_id}
    by_user = {b.user_id: b for b in buyers}
    users = _users_by_email(sorted({cells.get("email", "").lower() for _n, cells in data} - {""}))
    name_max = max_length(User, "name")
    errors: list[RowError] = list(shape_errors)
    rows: list[tuple[Row, Buyer | None]] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for number, cells in data:
        row = Row(number, cells, errors)
        external_id = row.text("external_id", max_length(Buyer, "external_id"), required=True)
        email = row.email("email", required=True).lower()
        row.values["_email"] = email
        row.values["_name"] = row.text("name", name_max)
        if row.has("company"):
            row.values["company"] = row.text("company", max_length(Buyer, "company"))
        if row.has("country"):
            row.values["country"] = row.country("country", default="")
        if row.has("order_quantity_m"):
            row.values["order_quantity_m"] = row.integer("order_quantity_m", 1, POSITIVE_INT_MAX)
        if row.has("verified"):
            row.values["verified"] = row.boolean("verified")
        common_values(row, BUYER_FACETS, index)
        duplicate(row, "external_id", external_id, seen_ids)
        duplicate(row, "email", email if "email" not in row.bad else "", seen_emails)

        profile = by_external.get(external_id)
        user = users.get(email)
        if profile is not None and email and "email" not in row.bad and profile.user_email != email:
            message = _("External ID “%(id)s” belongs to the buyer %(email)s at this expo.")
            row.error("email", message % {"id": external_id, "email": profile.user_email})
        elif profile is None and user in by_user:
            profile = by_user[user]
            if profile.external_id:
                message = _("This email's buyer at this expo has external ID “%(id)s”.")
                row.error("external_id", message % {"id": profile.external_id})
        row.values["external_id"] = external_id
        row.price_range(profile)
        rows.append((row, profile))
    if errors:
        raise ImportFailed(errors)

    created = sum(1 for _row, profile in rows if profile is None)
    result = ImportResult(rows=len(rows), created=created, updated=len(rows) - created)

    def write() -> None:
        new_users = [
            User(
                email=row.values["_email"],
                name=row.values["_name"],
                company=row.values.get("company", ""),
                country=row.values.get("country", ""),
                role=Role.BUYER,
                password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
            )
            for row, profile in rows
            if profile is None and row.values["_email"] not in users
        ]
        create(User, new_users)
        if any(u.pk is None for u in new_users):
            users.update(_users_by_email([u.email for u in new_users]))
        else:
            users.update({u.email: u.pk for u in new_users})
        fields = [name for name in rows[0][0].values if not name.startswith("_")]
        new, changed, pairs = [], [], []
        for row, profile in rows:
            values = {k: v for k, v in row.values.items() if not k.startswith("_")}
            if profile is None:
                profile = Buyer(expo=expo, user_id=users[row.values["_email"]], **values)
                new.append(profile)
            elif assign(profile, values):
                changed.append(profile)
            pairs.append((profile, row))
        profiles_save(Buyer, new, changed, fields)
        ensure_pks(Buyer, expo, new)
        touched = {p.pk for p in [*new, *changed]}
        touched |= facets_write(Buyer, [(p.pk, row) for p, row in pairs], {p.pk for p in buyers})
        profiles_stamp(Buyer, touched, done=[*new, *changed])
        announce(Buyer, expo, "buyers", [p.pk for p, _row in pairs if p.pk in touched])

    return result, write
