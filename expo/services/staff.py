"""Exhibitor staff: the users who manage one exhibiting company in the admin."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.services import user_set_role
from expo.models import Exhibitor, ExhibitorStaff


def staff_member_check(*, exhibitor: Exhibitor, email: str) -> None:
    """Raise ValidationError (on `email`) when the user with this address cannot join `exhibitor`."""
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        return
    if user.is_organiser:
        raise ValidationError({"email": _("This user is an organiser and cannot be exhibitor staff.")})
    link = ExhibitorStaff.objects.filter(user=user).select_related("exhibitor").first()
    if link is not None and link.exhibitor_id != exhibitor.pk:
        raise ValidationError(
            {"email": _("This user already works for %(exhibitor)s.") % {"exhibitor": link.exhibitor}}
        )


@transaction.atomic
def staff_member_add(
    *,
    exhibitor: Exhibitor,
    email: str,
    name: str = "",
    phone: str = "",
    preferred_language: str = "en",
) -> ExhibitorStaff:
    """Make the user with `email` (created without a usable password if new) staff of `exhibitor`.

    A new user sets a password through the password-reset email. Adding someone who already works
    for this exhibitor changes nothing and returns the existing link.
    """
    staff_member_check(exhibitor=exhibitor, email=email)
    User = get_user_model()
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        user = User(
            email=User.objects.normalize_email(email.strip()).lower(),
            name=name,
            company=exhibitor.name_en,
            country=exhibitor.country,
            phone=phone,
            preferred_language=preferred_language,
            role=Role.EXHIBITOR_STAFF,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
    link, _created = ExhibitorStaff.objects.get_or_create(user=user, defaults={"exhibitor": exhibitor})
    user_set_role(user=user, role=Role.EXHIBITOR_STAFF)
    return link


@transaction.atomic
def staff_member_remove(*, staff: ExhibitorStaff) -> None:
    """Unlink a staff member from their exhibitor; they keep their account as a buyer, without admin access."""
    user = staff.user
    staff.delete()
    if not user.is_superuser and user.role == Role.EXHIBITOR_STAFF:
        user_set_role(user=user, role=Role.BUYER)
