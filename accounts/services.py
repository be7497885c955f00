"""Writes and business rules of the accounts app: roles and the groups that carry their permissions.

A user's role decides their admin access: organisers are staff in the "Organisers" group, exhibitor
staff are staff in the "Exhibitor staff" group, buyers are neither. `user_set_role` is the one place
that keeps `role`, `is_staff` and the role groups in step. Which company an exhibitor staff member
works for is `expo.ExhibitorStaff` (accounts never imports expo).
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.languages import language_valid
from accounts.models import Role, User
from accounts.throttles import login_succeeded
from accounts.tokens import INVITATION_DAYS, invitation_token_generator

logger = logging.getLogger(__name__)

GROUP_ORGANISERS = "Organisers"
GROUP_EXHIBITOR_STAFF = "Exhibitor staff"
ROLE_GROUPS: dict[str, str] = {
    Role.ORGANISER: GROUP_ORGANISERS,
    Role.EXHIBITOR_STAFF: GROUP_EXHIBITOR_STAFF,
}

# Organisers hold every permission of these apps, including those of models added later.
ORGANISER_APPS: tuple[str, ...] = ("accounts", "expo", "matching")
# Exhibitor staff hold exactly these; the admin then narrows every row to their own company.
# Terms are viewable so that the facet autocomplete works (the taxonomy is public anyway).
# Staff keep their company's existing customers and its policy for them (never delete the policy).
EXHIBITOR_STAFF_PERMISSIONS: tuple[str, ...] = (
    "expo.view_exhibitor",
    "expo.change_exhibitor",
    "expo.view_booth",
    "expo.change_booth",
    "expo.view_table",
    "expo.change_table",
    "expo.view_term",
    "matching.view_customerlink",
    "matching.add_customerlink",
    "matching.change_customerlink",
    "matching.delete_customerlink",
    "matching.view_customerpolicy",
    "matching.add_customerpolicy",
    "matching.change_customerpolicy",
    # Meetings: answer and follow up their company's meetings (the admin narrows the rows), set
    # the company's availability days and meeting settings.
    "expo.view_meeting",
    "expo.change_meeting",
    "expo.view_meetingevent",
    "expo.view_exhibitorday",
    "expo.add_exhibitorday",
    "expo.change_exhibitorday",
    "expo.delete_exhibitorday",
    "expo.view_exhibitormeetingsettings",
    "expo.add_exhibitormeetingsettings",
    "expo.change_exhibitormeetingsettings",
    # Deals: their company's intended deals (never deleted: withdrawn instead), the samples asked
    # for at their meetings and what both sides said afterwards.
    "expo.view_deal",
    "expo.add_deal",
    "expo.change_deal",
    "expo.view_samplerequest",
    "expo.change_samplerequest",
    "expo.view_meetingfeedback",
)


def _permissions(codenames: tuple[str, ...], *, using: str = DEFAULT_DB_ALIAS):
    condition = Q(pk__in=[])
    for dotted in codenames:
        app_label, codename = dotted.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.using(using).filter(condition)


def role_groups_sync(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, Group]:
    """Create the role groups if missing and grant them every permission their role implies.

    Permissions are only added, never taken away, so an organiser's manual grants survive. Runs after
    every `migrate` (see `AccountsConfig.ready`), so permissions of models added later reach the groups.
    """
    organisers, _created = Group.objects.using(using).get_or_create(name=GROUP_ORGANISERS)
    staff, _created = Group.objects.using(using).get_or_create(name=GROUP_EXHIBITOR_STAFF)
    organisers.permissions.add(
        *Permission.objects.using(using).filter(content_type__app_label__in=ORGANISER_APPS)
    )
    staff.permissions.add(*_permissions(EXHIBITOR_STAFF_PERMISSIONS, using=using))
    return {GROUP_ORGANISERS: organisers, GROUP_EXHIBITOR_STAFF: staff}


def sync_role_groups_after_migrate(sender, using=DEFAULT_DB_ALIAS, apps=None, **kwargs) -> None:
    """`post_migrate` receiver: runs after Django created the permissions of the app `sender`."""
    if sender.label not in {"auth", *ORGANISER_APPS}:
        return
    if apps is not None:
        try:  # like Django's create_permissions: nothing to do before auth is migrated
            apps.get_model("auth", "Group")
            apps.get_model("auth", "Permission")
        except LookupError:
            return
    role_groups_sync(using=using)


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Give `user` the role `role` and make their staff flag and role group match it.

    Organisers and exhibitor staff may sign in to the admin (`is_staff`); buyers may not. Superusers
    are always organisers. Groups other than the two role groups are left alone.
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role: %(role)s.") % {"role": role}})
    if user.is_superuser and role != Role.ORGANISER:
        raise ValidationError({"role": _("A superuser is always an organiser.")})
    user.role = role
    user.is_staff = user.is_superuser or role in ROLE_GROUPS
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    user.save(update_fields=["role", "is_staff"])
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_GROUPS.values())}
    if len(groups) < len(ROLE_GROUPS):  # a role group was deleted by hand: bring it back whole
        groups = role_groups_sync()
    user.groups.remove(*groups.values())
    if role in ROLE_GROUPS:
        user.groups.add(groups[ROLE_GROUPS[role]])
    return user


# --- Passwords, tokens, language ------------------------------------------------------------------


@transaction.atomic
def user_password_set(*, user: User, password: str, confirms_email: bool = False) -> User:
    """Give `user` a new (already validated) password; revoke their API tokens; lift their sign-in lock.

    Every path that sets a password (reset link, invitation, change, admin) goes through here, so a
    stolen token stops working once the owner changes the password. `confirms_email`: the password
    was set through a link mailed to the address, which proves the person reads it.
    """
    user.set_password(password)
    fields = ["password"]
    if confirms_email and not user.email_confirmed:
        user.email_confirmed = True
        fields.append("email_confirmed")
    user.save(update_fields=fields)
    api_tokens_revoke(user=user)
    login_succeeded(email=user.email)  # a cache key, not a row: nothing to roll back
    return user


def api_tokens_revoke(*, user: User) -> int:
    """Delete the user's API tokens (a client signs in again for a new one); how many were deleted."""
    deleted, _kinds = Token.objects.filter(user=user).delete()
    return deleted


def user_language_set(*, user: User, language: str) -> User:
    """Keep `language` as the person's language for pages, the admin and email."""
    if not language_valid(language):
        raise ValidationError({"preferred_language": _("Choose English or Simplified Chinese.")})
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


# --- Invitations ----------------------------------------------------------------------------------


def invitations_queue(*, user_ids: Iterable[int], base_url: str, resend: bool = False) -> int:
    """Invite these people to set a password, each by one email sent on commit (Celery); how many.

    Only active accounts without a usable password are invited (the others can sign in, or use
    password reset). Without `resend`, only people never invited before: re-importing a file
    invites nobody twice. `invited_at` is stamped here, in the caller's transaction, so two imports
    at once cannot both pick the same person. `base_url` is scheme and host, e.g.
    "https://expo.example.com".
    """
    from accounts.tasks import invitation_send_task  # tasks import services

    ids = sorted(set(user_ids))
    if not ids:
        return 0
    chosen: list[int] = []
    for start in range(0, len(ids), 900):
        candidates = User.objects.filter(pk__in=ids[start : start + 900], is_active=True)
        if not resend:
            candidates = candidates.filter(invited_at__isnull=True)
        chosen += [u.pk for u in candidates.only("pk", "password") if not u.has_usable_password()]
    now = timezone.now()
    for start in range(0, len(chosen), 900):
        User.objects.filter(pk__in=chosen[start : start + 900]).update(invited_at=now)
    for pk in chosen:
        transaction.on_commit(lambda pk=pk: invitation_send_task.delay(user_id=pk, base_url=base_url))
    return len(chosen)


def invitation_url(*, user: User, base_url: str) -> str:
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def invitation_send(*, user: User, base_url: str) -> bool:
    """Email `user` their one-time set-password link, in their language; whether it was sent.

    Nothing is sent to an inactive account or one that has set a password meanwhile (a retried
    task, an invitation accepted before a resend went out).
    """
    if not user.is_active or user.has_usable_password():
        logger.info("Invitation to user %s not sent: inactive or has a password", user.pk)
        return False
    context = {
        "user": user,
        "url": invitation_url(user=user, base_url=base_url),
        "days": INVITATION_DAYS,
        "site": base_url.rstrip("/"),
    }
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, None, [user.email])
    return True
