"""Buyer import: profiles by external_id, and a buyer account for each new email."""

import dataclasses
import secrets
from typing import IO

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.languages import language_code, language_default
from accounts.models import Role, User, email_normal
from accounts.services import invitations_queue
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
    "verified", "language",
)  # fmt: skip
BUYER_REQUIRED = ("external_id", "email")


def buyers_import(
    *,
    expo: Expo,
    file: IO[bytes],
    filename: str,
    dry_run: bool = False,
    invite: bool = False,
    base_url: str = "",
) -> ImportResult:
    """Create or update (by external_id) the buyers a CSV/XLSX file lists, creating their user accounts.

    A new email gets a buyer account with an unusable password, in the row's `language` (by
    default Chinese for country CN, English otherwise); an existing buyer account is reused as it
    is; a staff or organiser account is a row error. With `invite`, every listed buyer who has no
    password and was never invited gets an invitation email on commit (`base_url`: the site's
    scheme and host, for the link); `invited` counts them. Raises ImportFailed with every error,
    having written nothing. With `dry_run`, checks the file and reports what an import would do,
    without writing.
    """
    data, shape_errors = read_table(file, filename, BUYER_COLUMNS, BUYER_REQUIRED)
    try:
        with transaction.atomic():
            result, write = buyers_check(expo, data, shape_errors)
            if not dry_run:
                user_ids = write()
                if invite:
                    invited = invitations_queue(user_ids=user_ids, base_url=base_url)
                    result = dataclasses.replace(result, invited=invited)
    except IntegrityError as exc:  # a concurrent change slipped between the check and the write
        raise fail(_("The data changed while importing; try again.")) from exc
    return result


def _users_by_key(keys: list[str]) -> dict[str, tuple[int, str, bool]]:
    """(pk, role, is_superuser) of the accounts with these normal-form addresses, by address."""
    users: dict[str, tuple[int, str, bool]] = {}
    if connection.vendor == "postgresql":  # one array parameter, not tens of thousands of literals
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT email_key, id, role, is_superuser FROM {User._meta.db_table} "
                "WHERE email_key = ANY(%s)",
                [keys],
            )
            return {key: (pk, role, is_superuser) for key, pk, role, is_superuser in cursor.fetchall()}
    for chunk in chunks(keys):
        matches = User.objects.filter(email_key__in=chunk)
        users.update(
            (key, (pk, role, su))
            for key, pk, role, su in matches.values_list("email_key", "pk", "role", "is_superuser")
        )
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
        .annotate(user_email=F("user__email"), user_email_key=F("user__email_key"))
    )
    by_external = {b.external_id: b for b in buyers if b.external_id}
    by_user = {b.user_id: b for b in buyers}
    accounts = _users_by_key(sorted({email_normal(cells.get("email", "")) for _n, cells in data} - {""}))
    users = {key: pk for key, (pk, _role, _su) in accounts.items()}
    name_max = max_length(User, "name")
    errors: list[RowError] = list(shape_errors)
    rows: list[tuple[Row, Buyer | None]] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for number, cells in data:
        row = Row(number, cells, errors)
        external_id = row.text("external_id", max_length(Buyer, "external_id"), required=True)
        typed = row.email("email", required=True)
        email = email_normal(typed)
        row.values["_email"] = email
        row.values["_typed"] = User.objects.normalize_email(typed)
        row.values["_name"] = row.text("name", name_max)
        if row.has("company"):
            row.values["company"] = row.text("company", max_length(Buyer, "company"))
        if row.has("country"):
            row.values["country"] = row.country("country", default="")
        language = row.cells.get("language", "")
        row.values["_language"] = (
            language_code(language) if language else language_default(row.values.get("country", ""))
        )
        if row.values["_language"] is None:
            row.error(
                "language", _("Unknown language “%(value)s”; write en or zh-hans.") % {"value": language}
            )
        account = accounts.get(email)
        if account is not None and "email" not in row.bad and (account[1] != Role.BUYER or account[2]):
            message = (
                _("This address belongs to an organiser; an organiser cannot have a buyer profile.")
                if account[1] == Role.ORGANISER or account[2]
                else _("This address belongs to exhibitor staff; staff cannot have a buyer profile.")
            )
            row.error("email", message)
        if row.has("order_quantity_m"):
            row.values["order_quantity_m"] = row.integer("order_quantity_m", 1, POSITIVE_INT_MAX)
        if row.has("verified"):
            row.values["verified"] = row.boolean("verified")
        common_values(row, BUYER_FACETS, index)
        duplicate(row, "external_id", external_id, seen_ids)
        duplicate(row, "email", email if "email" not in row.bad else "", seen_emails)

        profile = by_external.get(external_id)
        user = users.get(email)
        if profile is not None and email and "email" not in row.bad and profile.user_email_key != email:
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

    def write() -> list[int]:
        """Write every row; the primary keys of the file's buyer accounts."""
        new_users = {}
        for row, profile in rows:
            if profile is None and row.values["_email"] not in users:
                new_users.setdefault(
                    row.values["_email"],
                    User(
                        email=row.values["_typed"],
                        email_key=row.values["_email"],
                        name=row.values["_name"],
                        company=row.values.get("company", ""),
                        country=row.values.get("country", ""),
                        preferred_language=row.values["_language"],
                        role=Role.BUYER,
                        password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                    ),
                )
        create(User, list(new_users.values()))
        if any(u.pk is None for u in new_users.values()):
            users.update({k: v[0] for k, v in _users_by_key(list(new_users)).items()})
        else:
            users.update({key: u.pk for key, u in new_users.items()})
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
        return [p.user_id for p, _row in pairs]

    return result, write
