"""From the database to the scoring module's arrays: profiles → bitsets and numbers.

Reads go through raw cursors over the few columns scoring needs (a full expo is ~800,000 facet
rows); profiles come back ordered by id, which is also the tie-break order of the results.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db import connection
from django.db.models import Count, Max

from expo.models import BUYER_FACETS, EXHIBITOR_FACETS, Buyer, Exhibitor, Expo, Term
from matching import scoring
from matching.models import (
    DEFAULT_CUSTOMER_POLICY,
    CustomerLink,
    CustomerPolicyChoice,
    FeedbackValue,
    MatchFeedback,
    MatchWeights,
)


def layout_current() -> scoring.Layout:
    """The bit layout of the whole taxonomy as it is now (every term of every kind)."""
    term_ids: dict[str, list[int]] = {kind: [] for kind in scoring.KINDS}
    for kind, pk in Term.objects.values_list("kind", "pk"):
        if kind in term_ids:
            term_ids[kind].append(pk)
    return scoring.Layout.from_terms(term_ids)


def weights_get(*, expo: Expo) -> MatchWeights:
    """The expo's weights row, created with the documented defaults when missing."""
    weights, _created = MatchWeights.objects.get_or_create(expo=expo)
    return weights


def weights_read(*, expo: Expo) -> MatchWeights:
    """The expo's weights row, or the documented defaults (unsaved) when it has none: for reads."""
    return MatchWeights.objects.filter(expo=expo).first() or MatchWeights(expo=expo)


def weights_array(weights: MatchWeights) -> scoring.Weights:
    return scoring.Weights(
        fabric=weights.fabric,
        process=weights.process,
        fibre=weights.fibre,
        end_use=weights.end_use,
        quantity=weights.quantity,
        price=weights.price,
        lead_time=weights.lead_time,
        demote_factor=weights.demote_factor,
    )


def _number(column: str) -> str:
    """A nullable number column as float8, NULL as NaN (PostgreSQL; elsewhere NULL → NaN in Python)."""
    if connection.vendor == "postgresql":
        return f"COALESCE(CAST({column} AS double precision), 'NaN'::float8)"
    return column


def _fetch(sql: str, params: list, kinds: str, *, order_by_first: bool = False) -> list[np.ndarray]:
    """Columns of a query as numpy arrays; `kinds` has one letter per column: "i" int64, "f" float64.

    On PostgreSQL the rows come as COPY BINARY, parsed by numpy without a Python loop; every
    column must then be NOT NULL (use `_number` for nullable numbers). `order_by_first` sorts
    the rows by the first column.
    """
    if connection.vendor == "postgresql":
        sql = (
            "SELECT "
            + ", ".join(f"CAST(c{i} AS bigint)" if kind == "i" else f"c{i}" for i, kind in enumerate(kinds))
            + f" FROM ({sql}) AS q("
            + ", ".join(f"c{i}" for i in range(len(kinds)))
            + ")"
            + (" ORDER BY c0" if order_by_first else "")
        )
        data = bytearray()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)", params) as copy,
        ):
            for block in copy:
                data += block
        return _parse_copy_binary(bytes(data), kinds)
    with connection.cursor() as cursor:
        cursor.execute(sql + (" ORDER BY 1" if order_by_first else ""), params)
        rows = cursor.fetchall()
    columns = []
    for i, kind in enumerate(kinds):
        if kind == "i":
            columns.append(np.array([row[i] for row in rows], dtype=np.int64))
        else:
            columns.append(
                np.array([np.nan if row[i] is None else float(row[i]) for row in rows], dtype=np.float64)
            )
    return columns


def _parse_copy_binary(data: bytes, kinds: str) -> list[np.ndarray]:
    header = 11 + 4
    extension = int.from_bytes(data[header : header + 4], "big")
    start = header + 4 + extension
    fields = [("n", ">i2")]
    for i, kind in enumerate(kinds):
        fields += [(f"l{i}", ">i4"), (f"c{i}", ">i8" if kind == "i" else ">f8")]
    dtype = np.dtype(fields)
    body = data[start : len(data) - 2]  # the trailer is a 16-bit -1
    rows = np.frombuffer(body, dtype=dtype, count=len(body) // dtype.itemsize)
    return [rows[f"c{i}"].astype(np.int64 if kind == "i" else np.float64) for i, kind in enumerate(kinds)]


IDS_PER_QUERY = 2000  # ids listed in one query (times five facet tables)


def _where_ids(
    alias: str, *, id_from: int | None, id_to: int | None, ids: list[int] | None
) -> tuple[str, list]:
    clauses, params = [], []
    if id_from is not None:
        clauses.append(f"{alias}.id >= %s")
        params.append(id_from)
    if id_to is not None:
        clauses.append(f"{alias}.id <= %s")
        params.append(id_to)
    if ids is not None:
        if not ids:
            clauses.append("1 = 0")
        else:
            clauses.append(f"{alias}.id IN ({', '.join(['%s'] * len(ids))})")
            params.extend(ids)
    return "".join(f" AND {clause}" for clause in clauses), params


def _facet_bits(
    model, facets: dict[str, str], layout: scoring.Layout, profile_ids: np.ndarray, where: str, params: list
) -> np.ndarray:
    """OR every facet row of the selected profiles into their bitsets (one query for all facets).

    The through tables are read by their own indexed owner column (the given id range or list, or
    the range of `profile_ids`), and rows of profiles outside `profile_ids` (another expo's) are
    dropped here: no join needed.
    """
    if not len(profile_ids):
        return np.zeros((0, layout.n_words), dtype=np.uint64)
    owner = model._meta.model_name  # column "<model>_id" in the through tables
    throughs = [model._meta.get_field(name).remote_field.through._meta.db_table for name in facets]
    if not where:  # the whole expo: the range of its ids (a join with the profiles cost 3× as much)
        where, params = " AND p.id >= %s AND p.id <= %s", [None, int(profile_ids[0]), int(profile_ids[-1])]
    where_through = where.replace("p.id", f"t.{owner}_id").removeprefix(" AND ")
    union = " UNION ALL ".join(
        f"SELECT t.{owner}_id, t.term_id FROM {through} t WHERE {where_through}" for through in throughs
    )
    owners, term_ids = _fetch(union, params[1:] * len(facets), "ii")
    if not len(owners):
        return np.zeros((len(profile_ids), layout.n_words), dtype=np.uint64)
    rows = np.searchsorted(profile_ids, owners)
    mine = profile_ids[np.minimum(rows, len(profile_ids) - 1)] == owners
    return scoring.encode_bits(
        layout=layout, n_rows=len(profile_ids), rows=rows[mine], term_ids=term_ids[mine]
    )


def buyer_ids(*, expo: Expo) -> np.ndarray:
    """The ids of the expo's buyers, ascending (int64)."""
    (ids,) = _fetch(
        f"SELECT p.id FROM {Buyer._meta.db_table} p WHERE p.expo_id = %s", [expo.pk], "i", order_by_first=True
    )
    return ids


def buyers_encode(
    *,
    expo: Expo,
    layout: scoring.Layout,
    id_from: int | None = None,
    id_to: int | None = None,
    ids: list[int] | None = None,
) -> scoring.Buyers:
    """The expo's buyers (optionally an id range or list), ordered by id, as scoring arrays."""
    if ids is not None and len(ids) > IDS_PER_QUERY:  # SQLite caps the parameters of one query
        ordered = sorted(ids)
        parts = [
            buyers_encode(
                expo=expo, layout=layout, id_from=id_from, id_to=id_to, ids=ordered[at : at + IDS_PER_QUERY]
            )
            for at in range(0, len(ordered), IDS_PER_QUERY)
        ]
        return scoring.Buyers(
            **{
                name: np.concatenate([getattr(part, name) for part in parts])
                for name in scoring.Buyers.__dataclass_fields__
            }
        )
    where, extra = _where_ids("p", id_from=id_from, id_to=id_to, ids=ids)
    params = [expo.pk, *extra]
    columns = ", ".join(
        _number(f"p.{name}")
        for name in ("order_quantity_m", "price_min_cny", "price_max_cny", "lead_time_days")
    )
    profile_ids, quantity, price_min, price_max, lead_time = _fetch(
        f"SELECT p.id, {columns} FROM {Buyer._meta.db_table} p WHERE p.expo_id = %s{where}",
        params,
        "iffff",
        order_by_first=True,
    )
    return scoring.Buyers(
        ids=profile_ids,
        bits=_facet_bits(Buyer, BUYER_FACETS, layout, profile_ids, where, params),
        quantity=quantity,
        price_min=price_min,
        price_max=price_max,
        lead_time=lead_time,
    )


def exhibitors_encode(
    *, expo: Expo, layout: scoring.Layout, ids: list[int] | None = None
) -> scoring.Exhibitors:
    """The expo's exhibitors (optionally some ids), ordered by id, as scoring arrays."""
    where, extra = _where_ids("p", id_from=None, id_to=None, ids=ids)
    params = [expo.pk, *extra]
    columns = ", ".join(
        _number(f"p.{name}")
        for name in ("moq_m", "capacity_m_month", "price_min_cny", "price_max_cny", "lead_time_days")
    )
    profile_ids, moq, capacity, price_min, price_max, lead_time = _fetch(
        f"SELECT p.id, {columns} FROM {Exhibitor._meta.db_table} p WHERE p.expo_id = %s{where}",
        params,
        "iffff" + "f",
        order_by_first=True,
    )
    return scoring.Exhibitors(
        ids=profile_ids,
        bits=_facet_bits(Exhibitor, EXHIBITOR_FACETS, layout, profile_ids, where, params),
        moq=moq,
        capacity=capacity,
        price_min=price_min,
        price_max=price_max,
        lead_time=lead_time,
    )


# Encoded exhibitors and buyers of the last expo asked for, per process: a saved buyer profile is
# rescored against the exhibitors without reading 5,000 of them again, a saved exhibitor against
# the buyers. A key changes whenever a row is added, removed or saved (count and latest
# `updated_at`), or the layout changes.
_exhibitor_cache: dict = {}
_exhibitor_cache_lock = threading.Lock()


def _encode_cached(*, slot: str, model, encode, expo: Expo, layout: scoring.Layout):
    """`encode(expo=, layout=)`, reused while no row of `model` at the expo was added, removed or saved."""
    stamp = model.objects.filter(expo=expo).aggregate(n=Count("id"), last=Max("updated_at"))
    key = (connection.alias, connection.settings_dict["NAME"], expo.pk, stamp["n"], stamp["last"], layout)
    with _exhibitor_cache_lock:
        cached = _exhibitor_cache.get(slot)
        if cached is not None and cached[0] == key:
            return cached[1]
    encoded = encode(expo=expo, layout=layout)
    with _exhibitor_cache_lock:
        _exhibitor_cache[slot] = (key, encoded)
    return encoded


def exhibitors_encode_cached(*, expo: Expo, layout: scoring.Layout) -> scoring.Exhibitors:
    return _encode_cached(
        slot="exhibitors", model=Exhibitor, encode=exhibitors_encode, expo=expo, layout=layout
    )


def buyers_encode_cached(*, expo: Expo, layout: scoring.Layout) -> scoring.Buyers:
    """All the expo's buyers, kept per process like the exhibitors (for exhibitor updates)."""
    return _encode_cached(slot="buyers", model=Buyer, encode=buyers_encode, expo=expo, layout=layout)


def exhibitors_cache_clear() -> None:
    with _exhibitor_cache_lock:
        _exhibitor_cache.clear()


@dataclass(frozen=True)
class PairRules:
    """Per-pair adjustments of a block of buyers, plus which pairs are demoted existing customers."""

    adjustments: scoring.Adjustments
    demoted: frozenset[tuple[int, int]]  # (buyer id, exhibitor id)

    @cached_property
    def demoted_keys(self) -> np.ndarray:
        """The demoted pairs as sorted int64 keys, buyer id × 2**32 + exhibitor id."""
        return np.sort(np.array([b * (1 << 32) + e for b, e in self.demoted], dtype=np.int64))

    def take_buyers(self, start: int, stop: int) -> PairRules:
        """The rules of buyers start … stop - 1 of the block (the demoted pairs are kept whole)."""
        taken = PairRules(self.adjustments.take_buyers(start, stop), self.demoted)
        taken.__dict__["demoted_keys"] = self.demoted_keys  # computed once for every block
        return taken


def pair_rules(
    *,
    expo: Expo,
    buyers: scoring.Buyers,
    exhibitors: scoring.Exhibitors,
    weights: scoring.Weights,
    exhibitor_ids: list[int] | None = None,
) -> PairRules:
    """Existing customers (hidden or demoted per the exhibitor's policy) and "not interested" feedback.

    Restricted to the block's buyer id range (and to `exhibitor_ids` when given).
    """
    if len(buyers) == 0:
        return PairRules(scoring.Adjustments.empty(0), frozenset())
    lo, hi = int(buyers.ids[0]), int(buyers.ids[-1])
    links = CustomerLink.objects.filter(buyer__expo=expo, buyer_id__gte=lo, buyer_id__lte=hi)
    feedback = MatchFeedback.objects.filter(
        buyer__expo=expo, buyer_id__gte=lo, buyer_id__lte=hi, value=FeedbackValue.NOT_INTERESTED
    )
    if exhibitor_ids is not None:
        links = links.filter(exhibitor_id__in=exhibitor_ids)
        feedback = feedback.filter(exhibitor_id__in=exhibitor_ids)
    buyer_ids, exhibitor_ids_out, factors, demoted = [], [], [], set()
    for buyer_id, exhibitor_id, policy in links.values_list(
        "buyer_id", "exhibitor_id", "exhibitor__customer_policy__existing_customers"
    ):
        policy = policy or DEFAULT_CUSTOMER_POLICY
        if policy == CustomerPolicyChoice.SHOW:
            continue
        buyer_ids.append(buyer_id)
        exhibitor_ids_out.append(exhibitor_id)
        if policy == CustomerPolicyChoice.HIDE:
            factors.append(0.0)
        else:
            factors.append(weights.demote_factor)
            demoted.add((buyer_id, exhibitor_id))
    for buyer_id, exhibitor_id in feedback.values_list("buyer_id", "exhibitor_id"):
        buyer_ids.append(buyer_id)
        exhibitor_ids_out.append(exhibitor_id)
        factors.append(0.0)
    b_idx = np.searchsorted(buyers.ids, np.array(buyer_ids, dtype=np.int64))
    e_idx = np.searchsorted(exhibitors.ids, np.array(exhibitor_ids_out, dtype=np.int64))
    b_ok = (b_idx < len(buyers)) & (buyers.ids[np.minimum(b_idx, len(buyers) - 1)] == buyer_ids)
    if len(exhibitors):
        e_ok = (e_idx < len(exhibitors)) & (
            exhibitors.ids[np.minimum(e_idx, len(exhibitors) - 1)] == exhibitor_ids_out
        )
    else:
        e_ok = np.zeros(len(e_idx), dtype=bool)
    keep = b_ok & e_ok
    adjustments = scoring.Adjustments.from_pairs(
        n_buyers=len(buyers), buyer=b_idx[keep], exhibitor=e_idx[keep], factor=np.array(factors)[keep]
    )
    return PairRules(adjustments, frozenset(demoted))
