"""Reads of the taxonomy."""

from django.db.models import QuerySet

from expo.models import Term


def term_list(*, kind: str | None = None) -> QuerySet[Term]:
    terms = Term.objects.select_related("parent").order_by("kind", "position", "slug")
    return terms.filter(kind=kind) if kind else terms


# --- Buyers ------------------------------------------------------------------------------------
