"""The one place where matching follows expo's signals (STYLE.md, section 1).

Each receiver acts on commit, so no rescoring ever sees uncommitted rows. A saved exhibitor or an
import queues a task. A saved buyer profile is rescored in the process that saved it, right after
the commit: one buyer against the expo's exhibitors takes milliseconds (the encoded exhibitors are
kept per process, loaded at its start: matching/warmup.py), and the buyer's next read of their
list already reflects the save (issue 9). Should that rescoring fail, it is queued instead.

If the broker (Redis) cannot be reached, the change is already saved: the page or API call that
made it still succeeds, and the rescore is logged as not queued (the next full run includes it).
"""

import logging

from django.db import transaction
from django.dispatch import receiver
from kombu.exceptions import OperationalError

from expo.signals import buyer_profile_changed, exhibitor_profile_changed, profiles_imported
from matching import tasks
from matching.services import incremental

logger = logging.getLogger(__name__)


def _queue(task, **kwargs) -> None:
    try:
        task.delay(**kwargs)
    except OperationalError as exc:
        logger.error("Broker unreachable, %s not queued for %s: %s", task.name, kwargs, exc)


def _rescore_buyer_now(expo, buyer_id: int) -> None:
    try:
        incremental.match_rescore_buyers(expo=expo, buyer_ids=[buyer_id])
    except Exception:
        logger.exception("Rescoring buyer %s after its save failed; queued instead", buyer_id)
        _queue(tasks.match_rescore_buyers_task, expo_id=expo.pk, buyer_ids=[buyer_id])


@receiver(buyer_profile_changed, dispatch_uid="matching.buyer_profile_changed")
def rescore_buyer(sender, buyer, **kwargs) -> None:
    expo, buyer_id = buyer.expo, buyer.pk
    transaction.on_commit(lambda: _rescore_buyer_now(expo, buyer_id))


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
