"""Resolving what people type (slugs, English or Chinese names) to taxonomy terms.

Imports, forms and the API all name terms the same way: a value matches a term of the wanted
kind when it equals, ignoring case, surrounding spaces and full-width forms, the term's slug,
English name or Chinese name.
"""

import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from expo.models import Term, TermKind

_SPACES = re.compile(r"\s+")
# Cells list several values separated by semicolons (ASCII or full-width). Inside a piece that is
# not itself a term, commas (ASCII, full-width, or the Chinese enumeration comma) also separate.
_LIST_SEPARATORS = re.compile(r"[;；]")
_SOFT_SEPARATORS = re.compile(r"[,，、]")


def term_key(value: str) -> str:
    """The form a value is compared in: NFKC (full-width → ASCII), case-folded, spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip().casefold()


def kind_label(kind: str) -> str:
    return str(TermKind(kind).label).lower()


class TermIndex:
    """Every term, keyed by (kind, key of its slug / English name / Chinese name), loaded in one query."""

    def __init__(self, terms: Iterable[Term] | None = None) -> None:
        self._by_key: dict[tuple[str, str], Term] = {}
        self._cells: dict[tuple[str, str], tuple[list[Term], list[str]]] = {}
        self._ids: dict[tuple[str, str], tuple[tuple[int, ...], tuple[str, ...]]] = {}
        for term in Term.objects.all() if terms is None else terms:
            for value in (term.slug, term.name_en, term.name_zh):
                if value:
                    # First come wins, so a slug is never shadowed by another term's name.
                    self._by_key.setdefault((term.kind, term_key(value)), term)

    def get(self, kind: str, value: str) -> Term | None:
        return self._by_key.get((kind, term_key(value)))

    def parse_cell(self, kind: str, cell: str) -> tuple[list[Term], list[str]]:
        """The terms a multi-valued cell names, in order without repeats, and the values that matched none.

        Results are remembered per cell text: a large file repeats the same cells many times.
        """
        cached = self._cells.get((kind, cell))
        if cached is None:
            cached = self._cells[(kind, cell)] = self._parse(kind, cell)
        return list(cached[0]), list(cached[1])

    def parse_cell_ids(self, kind: str, cell: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """`parse_cell` as term primary keys, remembered per cell text (the fast path of imports)."""
        cached = self._ids.get((kind, cell))
        if cached is None:
            terms, unknown = self.parse_cell(kind, cell)
            cached = self._ids[(kind, cell)] = (tuple(term.pk for term in terms), tuple(unknown))
        return cached

    def _parse(self, kind: str, cell: str) -> tuple[list[Term], list[str]]:
        terms: list[Term] = []
        unknown: list[str] = []
        for piece in _LIST_SEPARATORS.split(cell):
            piece = piece.strip()
            if not piece:
                continue
            term = self.get(kind, piece)
            if term is not None:
                candidates = [(piece, term)]
            else:
                candidates = [
                    (v.strip(), self.get(kind, v)) for v in _SOFT_SEPARATORS.split(piece) if v.strip()
                ]
            for value, found in candidates:
                if found is None:
                    unknown.append(value)
                elif found not in terms:
                    terms.append(found)
        return terms, unknown


def terms_resolve(*, kind: str, values: Iterable[str], index: TermIndex | None = None) -> list[Term]:
    """The terms of `kind` that `values` name (slugs or names in either language).

    Raises ValidationError naming every value that matches no term of that kind.
    """
    index = index or TermIndex(Term.objects.of_kind(kind))
    terms: list[Term] = []
    unknown: list[str] = []
    for value in values:
        found, missing = index.parse_cell(kind, value)
        terms.extend(t for t in found if t not in terms)
        unknown.extend(missing)
    if unknown:
        raise ValidationError(
            [
                _("Unknown %(kind)s “%(value)s”.") % {"kind": kind_label(kind), "value": value}
                for value in unknown
            ]
        )
    return terms
