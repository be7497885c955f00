"""Bulk writes with a fixed number of queries whatever the row count (COPY on PostgreSQL)."""

from collections.abc import Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from expo.models import Expo
from expo.services.imports.cells import Row
from expo.signals import profiles_imported

_CHUNK = 900  # parameters per IN (…) query on SQLite, below its oldest limit of 999


def chunks(items: list, size: int | None = None) -> Iterator[list]:
    """Slices of `items` small enough for one IN (…) list (SQLite caps parameters per query)."""
    size = size or (_CHUNK if connection.vendor == "sqlite" else 20_000)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def facets_write(model: type[models.Model], rows: list[tuple[int, Row]], existing_ids: set[int]) -> set[int]:
    """Make each profile's facets exactly the file's values: delete pairs not wanted, add missing ones.

    Returns the primary keys of the profiles whose facets changed.
    """
    touched: set[int] = set()
    columns = {column for _pk, row in rows for column in row.facets}
    for column in columns:
        m2m = model._meta.get_field(column)
        through = m2m.remote_field.through
        owner, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
        wanted = {(pk, term) for pk, row in rows if column in row.facets for term in row.facets[column]}
        owners = {pk for pk, row in rows if column in row.facets}
        stale: list[int] = []
        have: set[tuple[int, int]] = set()
        # Only profiles that existed before can have pairs; select them by owner, not by a join on
        # the expo, which would scan the pairs of every past edition too.
        for pair_id, owner_id, term_id in _pairs_of(through, owner, target, sorted(existing_ids & owners)):
            if (owner_id, term_id) in wanted:
                have.add((owner_id, term_id))
            else:
                stale.append(pair_id)
                touched.add(owner_id)
        delete_ids(through, stale)
        missing = sorted(wanted - have)
        insert_rows(through, [owner, target], missing)
        touched.update(pk for pk, _term in missing)
    return touched


def _pairs_of(through: type[models.Model], owner: str, target: str, ids: list[int]) -> Iterator[tuple]:
    """(id, owner id, term id) of the M2M rows of these owners: one `= ANY(array)` on PostgreSQL,
    since IN lists of tens of thousands of literals take seconds to send and plan."""
    if connection.vendor == "postgresql":
        if ids:
            quote = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {quote(owner)}, {quote(target)} FROM {quote(through._meta.db_table)} "
                    f"WHERE {quote(owner)} = ANY(%s)",
                    [ids],
                )
                yield from cursor.fetchall()
        return
    for chunk in chunks(ids):
        yield from through.objects.filter(**{f"{owner}__in": chunk}).values_list("id", owner, target)


def assign(profile: models.Model, values: dict[str, Any]) -> bool:
    """Set `values` on `profile`; whether any of them differed (a country compares by its code)."""
    changed = False
    for name, value in values.items():
        current = getattr(profile, name)
        if getattr(current, "code", current) != value:
            setattr(profile, name, value)
            changed = True
    return changed


def insert_rows(model: type[models.Model], columns: list[str], rows: list) -> None:
    """Insert plain rows (no model instances): COPY on PostgreSQL, one executemany elsewhere."""
    _insert(connection.ops.quote_name(model._meta.db_table), columns, rows)


def _insert(table: str, columns: list[str], rows: list) -> None:
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The raw psycopg cursor: wrap it so its errors arrive as Django's (IntegrityError…).
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def create(model: type[models.Model], objs: list) -> None:
    """`bulk_create` setting primary keys; on PostgreSQL, keys drawn from the sequence and rows COPYed.

    COPY skips Django's per-value SQL compilation, which is most of the time of a large bulk_create.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000)
        return
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
    fields = meta.concrete_fields
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy costs a lookup per value
    insert_rows(
        model,
        [f.column for f in fields],
        [[f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields] for obj in objs],
    )
    for obj in objs:
        obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS


def delete_ids(model: type[models.Model], ids: list[int]) -> None:
    if not ids:
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = ANY(%s)",
                [ids],
            )
        return
    for chunk in chunks(ids):
        model.objects.filter(pk__in=chunk).delete()


def bulk_update(model: type[models.Model], objs: list, fields: list[str]) -> None:
    """`bulk_update` as one statement: rows go into a temporary table, then one `UPDATE … FROM` it.

    Django's bulk_update writes a CASE with one branch per row for every column, which PostgreSQL
    and SQLite evaluate in time quadratic in the batch size: for 5,000 changed exhibitors, 4.8 s on
    PostgreSQL and 16 s on SQLite, against well under 1 s this way.
    """
    if not objs:
        return
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite") or (
        vendor == "sqlite" and connection.Database.sqlite_version_info < (3, 33)  # UPDATE … FROM
    ):
        model.objects.bulk_update(objs, fields, batch_size=500)
        return
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), model._meta.pk
    columns = [model._meta.get_field(name) for name in fields]
    raw_names = [pk.column, *(f.column for f in columns)]
    names = [quote(c) for c in raw_names]
    scratch = quote(f"import_{model._meta.db_table}")
    db = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        select = f"SELECT {', '.join(names)} FROM {table}"
        if vendor == "postgresql":
            cursor.execute(f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS {select} WITH NO DATA")
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS {select} WHERE 0")
    _insert(
        scratch,
        raw_names,
        [[obj.pk, *(f.get_db_prep_save(getattr(obj, f.attname), db) for f in columns)] for obj in objs],
    )
    assign = ", ".join(f"{name} = v.{name}" for name in names[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {assign} FROM {scratch} AS v WHERE t.{names[0]} = v.{names[0]}"
        )
        cursor.execute(f"DROP TABLE {scratch}")


def profiles_save(model: type[models.Model], new: list, changed: list, fields: list[str]) -> None:
    """Insert new profiles, and write the given fields of those whose values changed."""
    create(model, new)
    if changed and fields:
        now = timezone.now()
        for profile in changed:
            profile.updated_at = now
        bulk_update(model, changed, [*fields, "updated_at"])


def profiles_stamp(model: type[models.Model], ids: set[int], *, done: list) -> None:
    """Set `updated_at` to now on the profiles in `ids` that `profiles_save` did not stamp (`done`):
    a change of facets or booth only is a change too, for the caches and catch-ups keyed on it."""
    stamped = {p.pk for p in done}
    pending = sorted(pk for pk in ids if pk not in stamped)
    if not pending:
        return
    now = timezone.now()
    if connection.vendor == "postgresql":  # one array parameter, not tens of thousands of literals
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(model._meta.db_table)} SET {quote('updated_at')} = %s "
                f"WHERE {quote(model._meta.pk.column)} = ANY(%s)",
                [now, pending],
            )
        return
    for chunk in chunks(pending):
        model.objects.filter(pk__in=chunk).update(updated_at=now)


def announce(model: type[models.Model], expo: Expo, kind: str, ids: list[int]) -> None:
    """Tell listeners (matching) on commit which profiles the import created or changed, if any."""
    if ids:
        transaction.on_commit(lambda: profiles_imported.send(sender=model, expo=expo, kind=kind, ids=ids))


def ensure_pks(model: type[models.Model], expo: Expo, new: list) -> None:
    """Fill in primary keys where the database could not return them from a bulk insert."""
    missing = [p for p in new if p.pk is None]
    if missing:
        pks = dict(model.objects.filter(expo=expo).exclude(external_id="").values_list("external_id", "pk"))
        for profile in missing:
            profile.pk = pks[profile.external_id]
