"""Reads for the expo app: querysets with their joins already chosen."""

from django.db.models import QuerySet

from expo.models import Expo, Term


def expo_current(*, slug: str | None = None) -> Expo | None:
    """The expo named by `slug`, or the current one."""
    if slug:
        return Expo.objects.filter(slug=slug).first()
    return Expo.objects.current()


def term_list(*, kind: str | None = None) -> QuerySet[Term]:
    terms = Term.objects.select_related("parent").order_by("kind", "position", "slug")
    return terms.filter(kind=kind) if kind else terms
