"""The one place where matching follows expo's signals (STYLE.md, section 1).

Each receiver only queues a task, on commit, so workers never see uncommitted rows.
"""

from django.db import transaction
from django.dispatch import receiver

from expo.signals import buyer_profile_changed, exhibitor_profile_changed, profiles_imported
from matching import tasks


@receiver(buyer_profile_changed, dispatch_uid="matching.buyer_profile_changed")
def rescore_buyer(sender, buyer, **kwargs) -> None:
    expo_id, buyer_id = buyer.expo_id, buyer.pk
    transaction.on_commit(
        lambda: tasks.match_rescore_buyers_task.delay(expo_id=expo_id, buyer_ids=[buyer_id])
    )


@receiver(exhibitor_profile_changed, dispatch_uid="matching.exhibitor_profile_changed")
def rescore_exhibitor(sender, exhibitor, **kwargs) -> None:
    expo_id, exhibitor_id = exhibitor.expo_id, exhibitor.pk
    transaction.on_commit(
        lambda: tasks.match_rescore_exhibitor_task.delay(exhibitor_id=exhibitor_id, expo_id=expo_id)
    )


@receiver(profiles_imported, dispatch_uid="matching.profiles_imported")
def rescore_imported(sender, expo, kind, ids, **kwargs) -> None:
    expo_id, ids = expo.pk, [int(pk) for pk in ids]
    transaction.on_commit(lambda: tasks.match_after_import_task.delay(expo_id=expo_id, kind=kind, ids=ids))
