"""Emails about one expo: rendered in the recipient's language and in the expo's time zone.

A task or a service that mails someone about an expo (a meeting, an invitation, a reminder) runs
outside any request, where the active zone is settings.TIME_ZONE; rendering through here shows
every time the way the expo's pages show it.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from expo.models import Expo
from expo.timezones import expo_time_zone_override


def expo_email_render(
    *, expo: Expo, language: str, subject_template: str, body_template: str, context: dict
) -> tuple[str, str]:
    """(subject, body) rendered in `language` (en / zh-hans) with times in the expo's zone."""
    context = {"expo": expo, **context}
    with translation.override(language or settings.LANGUAGE_CODE), expo_time_zone_override(expo):
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    return subject, body


def expo_email_send(*, expo: Expo, user, subject_template: str, body_template: str, context: dict) -> None:
    """Mail `user` in their preferred language, times in the expo's zone (Django's mail API)."""
    subject, body = expo_email_render(
        expo=expo,
        language=getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE,
        subject_template=subject_template,
        body_template=body_template,
        context={"user": user, **context},
    )
    send_mail(subject, body, None, [user.email])
