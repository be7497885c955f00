"""Removing a demo: the expo, everything hanging off it and its demo accounts, set-based."""

from django.db import models, transaction

from accounts.models import User
from expo.cache import directory_changed
from expo.models import Booth, Buyer, Deal, Exhibitor, Expo, Meeting
from expo.services.demo.plan import demo_email_domain


def demo_has_data(*, expo_slug: str = "demo") -> bool:
    """Whether the expo exists and holds exhibitors or buyers."""
    expo = Expo.objects.filter(slug=expo_slug).first()
    return bool(expo) and (expo.exhibitors.exists() or expo.buyers.exists())


_SET_BASED = {models.CASCADE, models.SET_NULL, models.DO_NOTHING}


def _delete_set_based(queryset: models.QuerySet, _path: tuple = ()) -> None:
    """Delete `queryset` and what cascades from it with one statement per relation, loading no rows.

    Django's collector loads every row and deletes by batches of primary keys: tens of seconds for
    50,000 buyers and their users. This follows the same relations (CASCADE, SET_NULL, the hidden
    many-to-many rows) with subqueries. Where it could differ from the collector (delete signals,
    PROTECT, RESTRICT, SET_DEFAULT, inheritance, cycles) it hands that queryset to the collector.
    """
    model = queryset.model
    relations = [
        rel
        for rel in model._meta.get_fields(include_hidden=True)
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)
    ]
    if (
        model in _path
        or model._meta.parents
        or _has_delete_receivers(model)
        or any(rel.on_delete not in _SET_BASED for rel in relations)
    ):
        queryset.delete()
        return
    for rel in relations:
        related = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": queryset})
        if rel.on_delete is models.CASCADE:
            _delete_set_based(related, (*_path, model))
        elif rel.on_delete is models.SET_NULL:
            related.update(**{rel.field.name: None})
    queryset._raw_delete(queryset.db)


def _has_delete_receivers(model: type[models.Model]) -> bool:
    """Whether deleting rows of `model` must send signals, ignoring the directory cache's bookkeeping
    (`demo_reset` drops the cached responses itself)."""
    for signal in (models.signals.pre_delete, models.signals.post_delete):
        sync_receivers, async_receivers = signal._live_receivers(model)
        if any(not getattr(r, "cache_only", False) for r in [*sync_receivers, *async_receivers]):
            return True
    return False


@transaction.atomic
def demo_reset(*, expo_slug: str = "demo") -> None:
    """Delete the expo (halls, booths, profiles, everything hanging off it) and its demo accounts."""
    expo = Expo.objects.filter(slug=expo_slug).first()
    if expo:
        directory_changed(expo_id=expo.pk)
        # Meetings protect their slots and tables, booths their halls: they go before the expo's own cascade.
        for model in (Deal, Meeting, Booth, Buyer, Exhibitor, Expo):
            _delete_set_based(model.objects.filter(**({"pk": expo.pk} if model is Expo else {"expo": expo})))
    _delete_set_based(User.objects.filter(email__iendswith=f"@{demo_email_domain(expo_slug)}"))
