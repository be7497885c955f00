"""Buyer registration and sourcing profiles, exhibitor profiles, and exhibitor staff (the users
who manage one exhibiting company in the admin).

Every successful profile write sends `expo.signals.buyer_profile_changed` or
`exhibitor_profile_changed`, which the matching engine listens to (it rescores that buyer or
exhibitor on commit). The admin, the API and the pages call these services and never send the
signals themselves.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from accounts.services import user_set_role
from accounts.tokens import email_confirmation_send
from expo.models import BUYER_FACETS, EXHIBITOR_FACETS, Buyer, Exhibitor, ExhibitorStaff, Expo, Term, TermKind
from expo.signals import buyer_profile_changed, exhibitor_profile_changed

User = get_user_model()

# Scalar profile fields a buyer may change; facets are the keys of BUYER_FACETS.
BUYER_PROFILE_FIELDS = (
    "company",
    "country",
    "order_quantity_m",
    "price_min_cny",
    "price_max_cny",
    "lead_time_days",
)
_POSITIVE = {
    "order_quantity_m": gettext_lazy("The order quantity must be greater than zero."),
    "price_min_cny": gettext_lazy("The price must be greater than zero."),
    "price_max_cny": gettext_lazy("The price must be greater than zero."),
}


def _required(value: str, field: str, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = [_("This field is required.")]
    return value


def buyer_registration_check(
    *, email: str, password: str, name: str, company: str, country: str, preferred_language: str = ""
):
    """The unsaved User a registration would create; ValidationError naming every bad field."""
    errors: dict[str, list] = {}
    email = _required(email, "email", errors)
    name = _required(name, "name", errors)
    company = _required(company, "company", errors)
    country = _required(country, "country", errors).upper()
    preferred_language = preferred_language or settings.LANGUAGE_CODE
    if email and "email" not in errors:
        try:
            validate_email(email)
        except ValidationError as exc:
            errors["email"] = exc.messages
        else:
            if User.objects.by_email(email).exists():
                errors["email"] = [_("A user with this email address already exists.")]
    user = User(
        email=User.objects.normalize_email(email),
        name=name,
        company=company,
        country=country,
        preferred_language=preferred_language,
        role=Role.BUYER,
    )
    if not password:
        errors["password"] = [_("This field is required.")]
    else:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    try:
        user.full_clean(exclude=["password", "email", "email_key", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return user


@transaction.atomic
def buyer_register(
    *,
    email: str,
    password: str,
    name: str,
    company: str,
    country: str,
    preferred_language: str = "",
    expo: Expo | None,
    base_url: str,
) -> tuple[Any, Buyer | None]:
    """Create a buyer account and, when there is an expo, its (empty) sourcing profile there.

    Sends the email confirmation link once the transaction commits. `base_url` is the site's
    scheme and host, for the link. Raises ValidationError naming each bad field; nothing is
    written unless every field is valid.
    """
    user = buyer_registration_check(
        email=email,
        password=password,
        name=name,
        company=company,
        country=country,
        preferred_language=preferred_language,
    )
    company, country = user.company, user.country
    user.set_password(password)
    try:
        with transaction.atomic():  # a concurrent registration may take the address first
            user.save()
    except IntegrityError as exc:
        raise ValidationError({"email": [_("A user with this email address already exists.")]}) from exc

    buyer = None
    if expo is not None:
        buyer = Buyer(expo=expo, user=user, company=company, country=country)
        buyer.full_clean()
        buyer.save()
        buyer_profile_changed.send(sender=Buyer, buyer=buyer)
    transaction.on_commit(lambda: email_confirmation_send(user=user, base_url=base_url))
    return user, buyer


def buyer_profile_new(*, user, expo: Expo) -> Buyer:
    """An unsaved profile for a buyer who has none at `expo` yet, prefilled from the account."""
    return Buyer(expo=expo, user=user, company=user.company, country=user.country)


def _constraint_fields(constraint) -> set[str]:
    """The fields a model constraint reads: its own `fields` and those of its condition."""
    fields = set(getattr(constraint, "fields", ()) or ())
    condition = getattr(constraint, "condition", None)
    if condition is not None:
        fields |= Q(condition).referenced_base_fields
    return fields


def _untouched_fields(profile, *, changed: set[str]) -> list[str]:
    """Fields of a saved profile that a write of `changed` need not check again.

    They were checked when they were saved. Every field of a constraint that reads a changed
    field is checked again with it (a price range, a unique pair), so no rule is skipped; the
    rest would each cost a query (a foreign key, a database constraint) or a translated list
    (the country's choices), and a facet-only save needs none of them.
    """
    recheck = set(changed)
    for constraint in profile._meta.constraints:
        fields = _constraint_fields(constraint)
        if fields & changed:
            recheck |= fields
    return [f.name for f in profile._meta.concrete_fields if f.name not in recheck]


def _profile_write(
    profile, *, data: Mapping[str, Any], fields, facets_of: Mapping[str, str], positive
) -> None:
    """Set `data` on a buyer or exhibitor profile, check it whole and save it with its facets.

    Raises ValidationError naming each bad field; nothing is written unless all are valid.
    """
    unknown = set(data) - set(fields) - set(facets_of)
    if unknown:
        raise ValueError(f"Not {profile._meta.model_name} fields: {sorted(unknown)}")
    errors: dict[str, list] = {}
    for field in fields:
        if field in data:
            value = data[field]
            if isinstance(value, str):
                value = value.strip()
            setattr(profile, field, value)
    for field, message in positive.items():
        value = getattr(profile, field)
        if value is not None and value <= (Decimal(0) if "price" in field else 0):
            errors[field] = [message]
    facets: dict[str, list[Term]] = {}
    for field, kind in facets_of.items():
        if field in data:
            terms = list(data[field])
            wrong = [t.slug for t in terms if t.kind != kind]
            if wrong:
                errors[field] = [
                    _("Not a %(kind)s term: %(slugs)s.")
                    % {"kind": TermKind(kind).label.lower(), "slugs": ", ".join(wrong)}
                ]
            facets[field] = terms
    exclude = list(errors)
    if profile.pk is not None:
        exclude += _untouched_fields(profile, changed=set(data))
    try:
        profile.full_clean(exclude=exclude)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    profile.save()
    for field, terms in facets.items():
        getattr(profile, field).set(terms)


@transaction.atomic
def buyer_profile_update(*, buyer: Buyer, data: Mapping[str, Any]) -> Buyer:
    """Change the given fields of a buyer's sourcing profile (saving it if it is new).

    `data` holds any of BUYER_PROFILE_FIELDS and the facet fields (iterables of Term of the
    facet's kind). Fields not in `data` are left as they are. Raises ValidationError naming each
    bad field; nothing is written unless all are valid.
    """
    _profile_write(buyer, data=data, fields=BUYER_PROFILE_FIELDS, facets_of=BUYER_FACETS, positive=_POSITIVE)
    buyer_profile_changed.send(sender=Buyer, buyer=buyer)
    return buyer


# The fields an organiser may also set on a buyer profile (the buyer themselves may not).
BUYER_ORGANISER_FIELDS = (*BUYER_PROFILE_FIELDS, "expo", "user", "external_id", "verified")


@transaction.atomic
def buyer_update(*, buyer: Buyer, data: Mapping[str, Any]) -> Buyer:
    """The organiser's change of a buyer profile (saving it if it is new): the buyer's own fields
    plus BUYER_ORGANISER_FIELDS. The expo of a saved profile never changes. Raises
    ValidationError naming each bad field; nothing is written unless all are valid.
    """
    if buyer.pk is not None and "expo" in data and data["expo"].pk != buyer.expo_id:
        raise ValidationError({"expo": [_("A profile stays at its expo.")]})
    _profile_write(
        buyer, data=data, fields=BUYER_ORGANISER_FIELDS, facets_of=BUYER_FACETS, positive=_POSITIVE
    )
    buyer_profile_changed.send(sender=Buyer, buyer=buyer)
    return buyer


@transaction.atomic
def buyers_verify(*, buyers: QuerySet, verified: bool = True) -> int:
    """Mark the given buyers verified (or not); returns how many changed.

    Verification lifts the meeting-request limit of unverified buyers; it does not change matching.
    """
    return buyers.exclude(verified=verified).update(verified=verified)


# --- Exhibitors --------------------------------------------------------------------------------

EXHIBITOR_PROFILE_FIELDS = (
    "name_en",
    "name_zh",
    "description",
    "country",
    "province",
    "contact_email",
    "contact_phone",
    "website",
    "moq_m",
    "capacity_m_month",
    "price_min_cny",
    "price_max_cny",
    "lead_time_days",
)
# The fields only an organiser sets: where the profile belongs and its import key.
EXHIBITOR_ORGANISER_FIELDS = ("expo", "external_id")
_EXHIBITOR_POSITIVE = {
    "moq_m": gettext_lazy("The minimum order must be greater than zero."),
    "capacity_m_month": gettext_lazy("The monthly capacity must be greater than zero."),
    "price_min_cny": gettext_lazy("The price must be greater than zero."),
    "price_max_cny": gettext_lazy("The price must be greater than zero."),
}


@transaction.atomic
def exhibitor_update(*, exhibitor: Exhibitor, data: Mapping[str, Any], organiser: bool = False) -> Exhibitor:
    """Change the given fields of an exhibitor profile (saving it if it is new); matching rescores
    it on commit.

    `data` holds any of EXHIBITOR_PROFILE_FIELDS and the facet fields (iterables of Term of the
    facet's kind), and with `organiser` also EXHIBITOR_ORGANISER_FIELDS; the expo of a saved
    profile never changes. Raises ValidationError naming each bad field; nothing is written unless
    all are valid.
    """
    fields = (*EXHIBITOR_PROFILE_FIELDS, *(EXHIBITOR_ORGANISER_FIELDS if organiser else ()))
    if exhibitor.pk is not None and "expo" in data and data["expo"].pk != exhibitor.expo_id:
        raise ValidationError({"expo": [_("A profile stays at its expo.")]})
    _profile_write(
        exhibitor, data=data, fields=fields, facets_of=EXHIBITOR_FACETS, positive=_EXHIBITOR_POSITIVE
    )
    exhibitor_profile_changed.send(sender=Exhibitor, exhibitor=exhibitor)
    return exhibitor


@transaction.atomic
def exhibitors_delete(*, exhibitors: QuerySet) -> int:
    """Delete exhibitor profiles (their booths stay, without exhibitor); matching fills the ranks
    they held in buyers' lists on commit. Returns how many were deleted."""
    gone = [Exhibitor(pk=pk, expo_id=expo_id) for pk, expo_id in exhibitors.values_list("pk", "expo_id")]
    Exhibitor.objects.filter(pk__in=[exhibitor.pk for exhibitor in gone]).delete()
    for exhibitor in gone:
        exhibitor_profile_changed.send(sender=Exhibitor, exhibitor=exhibitor)
    return len(gone)


# --- Exhibitor staff ----------------------------------------------------------------------------


def staff_member_check(*, exhibitor: Exhibitor, email: str) -> None:
    """Raise ValidationError (on `email`) when the user with this address cannot join `exhibitor`."""
    user = get_user_model().objects.by_email(email).first()
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

    A new user sets a password through an invitation (`accounts.services.invitations_queue`, which
    the admin calls when "Send an invitation" is ticked) or "Forgot your password?". Adding
    someone who already works for this exhibitor changes nothing and returns the existing link.
    """
    staff_member_check(exhibitor=exhibitor, email=email)
    User = get_user_model()
    user = User.objects.by_email(email).first()
    if user is None:
        user = User(
            email=User.objects.normalize_email(email.strip()),
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


@transaction.atomic
def staff_member_move(*, staff: ExhibitorStaff, exhibitor: Exhibitor) -> ExhibitorStaff:
    """Make a staff member work for another exhibitor instead."""
    staff.exhibitor = exhibitor
    staff.full_clean()
    staff.save()
    return staff
