"""The one place where matching follows expo's signals (STYLE.md, section 1).

Each receiver only queues a task, on commit, so workers never see uncommitted rows. If the broker
(Redis) cannot be reached, the change is already saved: the page or API call that made it still
succeeds, and the rescore is logged as not queued (the next full run includes the change).
"""

import logging

from django.db import transaction
from django.dispatch import receiver
from kombu.exceptions import OperationalError

from expo.signals import buyer_profile_changed, exhibitor_profile_changed, profiles_imported
from matching import tasks

logger = logging.getLogger(__name__)


def _queue(task, **kwargs) -> None:
    try:
        task.delay(**kwargs)
    except OperationalError as exc:
        logger.error("Broker unreachable, %s not queued for %s: %s", task.name, kwargs, exc)


@receiver(buyer_profile_changed, dispatch_uid="matching.buyer_profile_changed")
def rescore_buyer(sender, buyer, **kwargs) -> None:
    expo_id, buyer_id = buyer.expo_id, buyer.pk
    transaction.on_commit(
        lambda: _queue(tasks.match_rescore_buyers_task, expo_id=expo_id, buyer_ids=[buyer_id])
    )


@receiver(exhibitor_profile_changed, dispatch_uid="matching.exhibitor_profile_changed")
def rescore_exhibitor(sender, exhibitor, **kwargs) -> None:
    expo_id, exhibitor_id = exhibitor.expo_id, exhibitor.pk
    transaction.on_commit(
        lambda: _queue(tasks.match_rescore_exhibitor_task, exhibitor_id=exhibitor_id, expo_id=expo_id)
    )


@receiver(profiles_imported, dispatch_uid="matching.profiles_imported")
def rescore_imported(sender, expo, kind, ids, **kwargs) -> None:
    expo_id, ids = expo.pk, [int(pk) for pk in ids]
    transaction.on_commit(lambda: _queue(tasks.match_after_import_task, expo_id=expo_id, kind=kind, ids=ids))
