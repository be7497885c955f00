"""Reads of intended deals: each role's own list, with the joins every list shows."""

from django.db.models import Count, Q, QuerySet, Sum

from expo.models import Buyer, Deal, DealChange, DealStage, Exhibitor, Expo
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


def expo_figures(*, expo: Expo) -> dict:
    """The organiser dashboard's head-line counts: buyers, exhibitors and deals (withdrawn apart)."""
    buyers = Buyer.objects.filter(expo=expo).aggregate(
        registered=Count("id"),
        verified=Count("id", filter=Q(verified=True)),
        signed_in=Count("id", filter=Q(user__last_login__isnull=False)),
    )
    deals = Deal.objects.filter(expo=expo).aggregate(
        counted=Count("id", filter=~Q(stage=DealStage.WITHDRAWN)),
        withdrawn=Count("id", filter=Q(stage=DealStage.WITHDRAWN)),
        fen=Sum("amount_cny_fen", filter=~Q(stage=DealStage.WITHDRAWN)),
        metres=Sum("quantity_m", filter=~Q(stage=DealStage.WITHDRAWN)),
    )
    stages = dict(
        Deal.objects.filter(expo=expo)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    return {
        "buyers": buyers,
        "exhibitors": Exhibitor.objects.filter(expo=expo).count(),
        "deals": {
            "count": deals["counted"],
            "withdrawn": deals["withdrawn"],
            "fen": int(deals["fen"] or 0),
            "metres": int(deals["metres"] or 0),
            "by_stage": [(stage, label, stages.get(stage, 0)) for stage, label in DealStage.choices],
        },
    }
