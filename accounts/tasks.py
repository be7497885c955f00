"""Celery tasks of the accounts app: thin, ids in, one service call."""

import logging

from celery import shared_task

from accounts.models import User
from accounts.services import invitation_send

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def invitation_send_task(self, *, user_id: int, base_url: str) -> bool:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        logger.info("Invitation for user %s not sent: the account is gone", user_id)
        return False
    try:
        return invitation_send(user=user, base_url=base_url)
    except OSError as exc:  # the mail server is unreachable: try again later
        raise self.retry(exc=exc) from exc
