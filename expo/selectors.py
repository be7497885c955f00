"""Reads for the expo app: querysets with their joins already chosen."""

from django.db.models import QuerySet

from expo.models import Exhibitor, Expo, Term


def expo_current(*, slug: str | None = None) -> Expo | None:
    """The expo named by `slug`, or the current one."""
    if slug:
        return Expo.objects.filter(slug=slug).first()
    return Expo.objects.current()


def term_list(*, kind: str | None = None) -> QuerySet[Term]:
    terms = Term.objects.select_related("parent").order_by("kind", "position", "slug")
    return terms.filter(kind=kind) if kind else terms


# --- Admin scoping -----------------------------------------------------------------------------


def exhibitor_for_user(*, user) -> Exhibitor | None:
    """The company an exhibitor staff user works for; None for anyone else (buyers, organisers)."""
    if not getattr(user, "is_authenticated", False) or not user.is_exhibitor_staff:
        return None
    return Exhibitor.objects.select_related("expo").filter(staff__user=user).first()
