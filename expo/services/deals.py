"""Intended deals: who may log one, converting it to CNY at the expo's rate, and keeping its history.

Rules (issue 11): a buyer logs deals with exhibitors it met (an accepted or checked-in meeting),
exhibitor staff with buyers their company met, organisers for anyone, with or without a meeting.
Both sides of a deal and organisers may edit it. A deal keeps the rate it was converted at: a
later change of the expo's rate leaves it alone; changing the deal's currency converts it at the
rate in force then, changing only its amount converts at the deal's own rate.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api import Conflict
from expo.models import (
    DEAL_CNY_LIMIT,
    SAMPLE_ORDER,
    Buyer,
    Deal,
    DealChange,
    DealStage,
    Exhibitor,
    Expo,
    Meeting,
    MeetingFeedback,
    MeetingStatus,
    SampleRequest,
    Side,
    Term,
    TermKind,
)
from expo.selectors import MET_STATUSES, exhibitor_for_user
from expo.services.money import cny_fen, rate_current

# Fields a PATCH may change; buyer, exhibitor and expo are fixed once a deal exists.
DEAL_EDITABLE_FIELDS = ("amount", "currency", "quantity_m", "category", "stage", "date", "note")
# Fields whose values the history records (with the conversion they cause).
_TRACKED = (*DEAL_EDITABLE_FIELDS, "rate", "amount_cny", "meeting")
AMOUNT_LIMIT = Decimal("100000000000000")  # max_digits=16, decimal_places=2


def expo_today(expo: Expo) -> datetime.date:
    """Today's date in the expo's time zone (a deal's default date)."""
    return timezone.localdate(timezone=expo.tzinfo)


def parties_met(*, buyer: Buyer, exhibitor: Exhibitor) -> bool:
    """Whether the buyer and the exhibitor had an accepted or checked-in meeting."""
    return Meeting.objects.filter(buyer=buyer, exhibitor=exhibitor, status__in=MET_STATUSES).exists()


def deal_may_log(*, user, buyer: Buyer, exhibitor: Exhibitor) -> None:
    """Raise PermissionDenied unless `user` may log a deal between these two."""
    if user.is_organiser:
        return
    if user.is_buyer:
        if buyer.user_id != user.pk:
            raise PermissionDenied(_("Buyers log deals for themselves only."))
        if not parties_met(buyer=buyer, exhibitor=exhibitor):
            raise PermissionDenied(_("You can log a deal only with an exhibitor you met."))
        return
    if user.is_exhibitor_staff:
        own = exhibitor_for_user(user=user)
        if own is None or own.pk != exhibitor.pk:
            raise PermissionDenied(_("Staff log deals for their own company only."))
        if not parties_met(buyer=buyer, exhibitor=exhibitor):
            raise PermissionDenied(_("You can log a deal only with a buyer your company met."))
        return
    raise PermissionDenied


def deal_may_edit(*, user, deal: Deal) -> bool:
    """Both sides of a deal and organisers may edit it."""
    if user.is_organiser:
        return True
    if user.is_buyer:
        return deal.buyer.user_id == user.pk
    if user.is_exhibitor_staff:
        own = exhibitor_for_user(user=user)
        return own is not None and own.pk == deal.exhibitor_id
    return False


def _meeting_free(meeting: Meeting) -> None:
    existing = Deal.objects.filter(meeting=meeting).values_list("pk", flat=True).first()
    if existing is not None:
        message = _("This meeting already holds deal %(id)s; change that deal instead (PATCH deals/%(id)s/).")
        raise Conflict(message % {"id": existing})


def _amount(value: Any, errors: dict) -> Decimal | None:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors["amount"] = [_("Enter the amount as a decimal number, e.g. 12500.00.")]
        return None
    if not amount.is_finite():
        errors["amount"] = [_("Enter the amount as a decimal number, e.g. 12500.00.")]
    elif amount <= 0:
        errors["amount"] = [_("The amount must be greater than zero.")]
    elif amount >= AMOUNT_LIMIT:
        errors["amount"] = [_("The amount is too large.")]
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = [_("Use at most two decimal places.")]
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _category(value: Any, errors: dict) -> Term | None:
    if isinstance(value, Term):
        term = value if value.kind == TermKind.FABRIC else None
    else:
        term = Term.objects.filter(kind=TermKind.FABRIC, slug=str(value or "").strip()).first()
    if term is None:
        errors["category"] = [_("Unknown fabric “%(value)s”: use a fabric term's slug.") % {"value": value}]
    return term


def _convert(deal: Deal, errors: dict, *, new_rate: bool) -> None:
    """Set the deal's rate (the expo's current one when `new_rate`) and its amount in fen."""
    if new_rate:
        rate = rate_current(expo=deal.expo, currency=deal.currency)
        if rate is None:
            errors["currency"] = [
                _("This expo has no exchange rate for %(currency)s; ask the organiser to add one.")
                % {"currency": deal.currency}
            ]
            return
        deal.rate = rate
    fen = cny_fen(amount=deal.amount, rate=deal.rate)
    if fen > DEAL_CNY_LIMIT * 100:
        errors["amount"] = [_("The amount is too large.")]
        return
    deal.amount_cny_fen = fen


def _snapshot(deal: Deal) -> dict[str, Any]:
    """The tracked fields as JSON values (decimals and dates as strings, the category as its slug)."""
    values: dict[str, Any] = {}
    for name in _TRACKED:
        if name == "category":
            value = deal.category.slug if deal.category_id else None
        elif name == "amount_cny":
            value = deal.amount_cny if deal.amount_cny_fen is not None else None
        elif name == "meeting":
            value = deal.meeting_id
        else:
            value = getattr(deal, name)
        if isinstance(value, Decimal | datetime.date):
            value = str(value) if not isinstance(value, datetime.date) else value.isoformat()
        values[name] = value
    return values


def _diff(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [name for name in after if before.get(name) != after[name]]
    return {n: before.get(n) for n in changed}, {n: after[n] for n in changed}


def _full_clean(deal: Deal, errors: dict) -> None:
    unset = [name for name in ("rate", "amount_cny_fen") if getattr(deal, name) is None]
    try:
        deal.full_clean(exclude=[*errors, *unset])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def deal_create(
    *,
    user,
    expo: Expo,
    buyer: Buyer,
    exhibitor: Exhibitor,
    amount: Any,
    currency: str,
    category: Any,
    stage: str = DealStage.INTENDED,
    date: datetime.date | None = None,
    quantity_m: int | None = None,
    note: str = "",
    external_id: str = "",
    meeting: Meeting | None = None,
    action: str = DealChange.Action.CREATED,
) -> Deal:
    """Log an intended deal, converted to CNY at the expo's current rate; its history starts here.

    With `meeting`, the deal is that meeting's (its buyer and exhibitor, accepted or checked in);
    a meeting that already holds a deal raises Conflict naming it. Raises PermissionDenied when
    `user` may not log a deal between these two, ValidationError naming each bad field (nothing
    is written then).
    """
    errors: dict[str, list] = {}
    if buyer.expo_id != expo.pk:
        errors["buyer"] = [_("This buyer is not at this expo.")]
    if exhibitor.expo_id != expo.pk:
        errors["exhibitor"] = [_("This exhibitor is not at this expo.")]
    if meeting is not None:
        if (meeting.buyer_id, meeting.exhibitor_id) != (buyer.pk, exhibitor.pk):
            errors["meeting"] = [_("This meeting is between another buyer and exhibitor.")]
        elif meeting.status not in MET_STATUSES:
            errors["meeting"] = [_("Only an accepted or checked-in meeting can hold a deal.")]
    if errors:
        raise ValidationError(errors)
    deal_may_log(user=user, buyer=buyer, exhibitor=exhibitor)
    if meeting is not None:
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # one deal per meeting, in turn
        _meeting_free(meeting)
    deal = Deal(
        expo=expo,
        buyer=buyer,
        exhibitor=exhibitor,
        meeting=meeting,
        external_id=external_id,
        amount=_amount(amount, errors),
        currency=(currency or "").strip().upper(),
        category=_category(category, errors),
        stage=stage,
        date=date or expo_today(expo),
        quantity_m=quantity_m,
        note=note or "",
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if "amount" not in errors and deal.currency:
        _convert(deal, errors, new_rate=True)
    _full_clean(deal, errors)
    deal.save()  # the meeting's row lock above orders concurrent deals for it; the constraint backs it
    DealChange.objects.create(deal=deal, action=action, changed_by=deal.created_by, after=_snapshot(deal))
    return deal


@transaction.atomic
def deal_update(
    *, user, deal: Deal, data: Mapping[str, Any], action: str = DealChange.Action.CHANGED
) -> Deal:
    """Change the given editable fields of a deal, record who changed what (before and after).

    Raises PermissionDenied unless `user` is a side of the deal or an organiser, ValidationError
    naming each bad field. A change that changes nothing writes nothing.
    """
    deal = Deal.objects.select_for_update().select_related("expo", "buyer", "category").get(pk=deal.pk)
    if not deal_may_edit(user=user, deal=deal):
        raise PermissionDenied(_("Only the two sides of a deal and organisers may change it."))
    unknown = set(data) - set(DEAL_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    before = _snapshot(deal)
    errors: dict[str, list] = {}
    if "amount" in data:
        deal.amount = _amount(data["amount"], errors)
    if "category" in data:
        deal.category = _category(data["category"], errors)
    new_currency = "currency" in data and (data["currency"] or "").strip().upper() != deal.currency
    if "currency" in data:
        deal.currency = (data["currency"] or "").strip().upper()
    for name in ("quantity_m", "stage", "note"):
        if name in data:
            setattr(deal, name, data[name] if data[name] is not None or name == "quantity_m" else "")
    if "date" in data:
        deal.date = data["date"] or expo_today(deal.expo)
    if "amount" not in errors and deal.currency:
        _convert(deal, errors, new_rate=new_currency)
    _full_clean(deal, errors)
    old, new = _diff(before, _snapshot(deal))
    if not new:
        return deal
    deal.save()
    changed_by = user if user is not None and user.is_authenticated else None
    DealChange.objects.create(deal=deal, action=action, changed_by=changed_by, before=old, after=new)
    return deal


# --- Sample requests and post-meeting feedback -------------------------------------------------


def meeting_side(*, meeting: Meeting, user) -> str | None:
    """The side `user` is on in `meeting` ("buyer" or "exhibitor"), or None (organisers are on none)."""
    if user.is_buyer and meeting.buyer.user_id == user.pk:
        return Side.BUYER
    if user.is_exhibitor_staff:
        own = exhibitor_for_user(user=user)
        if own is not None and own.pk == meeting.exhibitor_id:
            return Side.EXHIBITOR
    return None


def _may_follow_up(*, meeting: Meeting, user) -> None:
    if not user.is_organiser and meeting_side(meeting=meeting, user=user) is None:
        raise PermissionDenied(_("Only the two sides of a meeting and organisers may do this."))


@transaction.atomic
def sample_request_create(
    *, user, meeting: Meeting, fabric: Any, quantity: int = 1, note: str = ""
) -> SampleRequest:
    """Log samples asked for at a meeting (accepted or checked in); either side or an organiser."""
    _may_follow_up(meeting=meeting, user=user)
    errors: dict[str, list] = {}
    if meeting.status not in MET_STATUSES:
        errors["meeting"] = [_("Samples are logged for an accepted or checked-in meeting.")]
    term = _category(fabric, errors)
    if "category" in errors:
        errors["fabric"] = errors.pop("category")
    sample = SampleRequest(
        meeting=meeting,
        fabric=term,
        quantity=quantity,
        note=note or "",
        requested_by=user if user.is_authenticated else None,
    )
    try:
        sample.full_clean(exclude=list(errors))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    sample.save()
    return sample


@transaction.atomic
def sample_request_update(*, user, sample: SampleRequest, data: Mapping[str, Any]) -> SampleRequest:
    """Move a sample forward (requested → sent → received) or change its quantity or note."""
    sample = SampleRequest.objects.select_for_update().select_related("meeting__buyer").get(pk=sample.pk)
    _may_follow_up(meeting=sample.meeting, user=user)
    if "status" in data and data["status"] != sample.status:
        if SAMPLE_ORDER.get(data["status"], -1) < SAMPLE_ORDER[sample.status]:
            raise ValidationError(
                {"status": [_("A sample's status only moves forward: requested, sent, received.")]}
            )
        sample.status = data["status"]
    for name in ("quantity", "note"):
        if name in data:
            setattr(sample, name, data[name] if data[name] is not None else "")
    sample.full_clean()
    sample.save()
    return sample


@transaction.atomic
def meeting_feedback_set(
    *, user, meeting: Meeting, took_place: bool, interest: str = "", note: str = ""
) -> MeetingFeedback:
    """Record (or change) the feedback of `user`'s side on a meeting that was accepted.

    Only the buyer and the exhibitor's staff give feedback; each side has one, which the latest
    answer replaces. Interest is given only when the meeting took place.
    """
    side = meeting_side(meeting=meeting, user=user)
    if side is None:
        raise PermissionDenied(_("Only the two sides of a meeting give feedback on it."))
    if meeting.status not in (*MET_STATUSES, MeetingStatus.NO_SHOW):
        raise ValidationError({"meeting": [_("Feedback is given on a meeting that was accepted.")]})
    if not took_place and interest:
        raise ValidationError({"interest": [_("Interest is given only for a meeting that took place.")]})
    feedback = MeetingFeedback.objects.select_for_update().filter(meeting=meeting, side=side).first()
    feedback = feedback or MeetingFeedback(meeting=meeting, side=side)
    feedback.took_place, feedback.interest, feedback.note = took_place, interest or "", note or ""
    feedback.given_by = user
    feedback.full_clean(validate_constraints=False)  # the unique pair is ours: one row per side, locked
    feedback.save()
    return feedback
