"""Demo meetings, intended deals and sample requests, drawn from the seed.

The demo expo's days lie in the future (its slots have not started), so only the states a meeting
can hold before its slot are drawn: requested, accepted, declined and cancelled. Checked-in and
no-show meetings, and post-meeting feedback, need a slot that has passed; the demo has none.

Meetings go in with bulk inserts under the same rules the booking service enforces: at most one
active meeting per buyer per slot and per table per slot, at a table of the exhibitor's booth. A
share of buyers (`MEETING_BUYER_SHARE`, at most `MAX_MEETING_BUYERS`) gets one to four meetings,
so 50,000 buyers seed no more meetings than a few thousand. Deals and samples, a few hundred at
most, go through `expo.services.deals` (conversion at the expo's rates, history, checks).
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.utils import timezone

from expo.models import Buyer, Exhibitor, Expo, Meeting, MeetingEvent, MeetingStatus, Slot, Table, Term
from expo.models.meetings import Side
from expo.selectors.meetings import meeting_policy
from expo.services.deals import deal_create, sample_request_create

MEETING_BUYER_SHARE = 0.3
MAX_MEETING_BUYERS = 2000
MAX_DEALS = 300
MAX_SAMPLES = 200
# The states a meeting in a future slot can be in, and how often the demo draws each.
STATUS_WEIGHTS = {
    MeetingStatus.REQUESTED: 0.30,
    MeetingStatus.ACCEPTED: 0.45,
    MeetingStatus.DECLINED: 0.12,
    MeetingStatus.CANCELLED: 0.13,
}
# The demo buyer's meetings, one of each state, and how many buyers meet the demo staff's company.
DEMO_BUYER_STATUSES = (
    MeetingStatus.ACCEPTED,
    MeetingStatus.ACCEPTED,
    MeetingStatus.REQUESTED,
    MeetingStatus.DECLINED,
)
STAFF_COMPANY_BUYERS = 8
DEAL_CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY")
DEAL_CURRENCY_WEIGHTS = (0.4, 0.3, 0.15, 0.1, 0.05)
# Reasons as the person who gave them typed them: (English, Chinese), picked by that person's
# language. The side that was asked declines; the buyer cancels.
DECLINE_REASONS = (
    ("Fully booked that morning.", "那天上午已经约满了。"),
    ("We do not make this fabric any more.", "这款面料我们已经不做了。"),
    ("Below our minimum order.", "达不到我们的起订量。"),
)
CANCEL_REASONS = (
    ("Flight changed.", "航班改了。"),
    ("Met at the booth instead.", "已经在展位上谈过了。"),
    ("", ""),
)
_ACTIVE = {MeetingStatus.REQUESTED, MeetingStatus.ACCEPTED}


@dataclass
class DemoMeetingsResult:
    meetings: int
    deals: int
    samples: int


def _amount(rng: np.random.Generator, currency: str) -> Decimal:
    """An order's value in `currency`: log-normal around 60,000 CNY, rounded to a round figure."""
    cny = float(rng.lognormal(mean=np.log(60_000), sigma=0.8))
    per_unit = {"CNY": 1, "USD": 7.12, "EUR": 7.74, "HKD": 0.913, "JPY": 0.0476}[currency]
    value = max(100, round(cny / per_unit / 100) * 100)
    return Decimal(value).quantize(Decimal("0.01"))


def _in_language(reasons: tuple[str, str], language: str) -> str:
    return reasons[1] if language == "zh-hans" else reasons[0]


def _exhibitor_language(exhibitor: Exhibitor) -> str:
    """The language an exhibitor's people write in: Chinese for a mill in China (as imports assume)."""
    return "zh-hans" if exhibitor.country == "CN" else "en"


def demo_meetings(
    *,
    expo: Expo,
    seed: int,
    buyers: list[Buyer],
    exhibitors: list[Exhibitor],
    fabrics: list[tuple[str, ...]],
    organiser,
    staff_user,
) -> DemoMeetingsResult:
    """Write the demo's meetings (buyers[0] is the demo buyer, exhibitors[0] the demo staff's
    company; `fabrics[i]` the fabric slugs of exhibitors[i]). Same seed, same rows, apart from each
    meeting's secret check-in code and the timestamps."""
    rng = np.random.default_rng([seed, 10])
    slots = list(Slot.objects.filter(expo=expo).order_by("start"))
    now = timezone.now()
    if not slots or not exhibitors or any(slot.start <= now for slot in slots):
        return DemoMeetingsResult(0, 0, 0)  # the rules above hold for future slots only
    tables: dict[int, list[int]] = {}
    for table_id, exhibitor_id in (
        Table.objects.filter(booth__expo=expo)
        .order_by("booth_id", "number")
        .values_list("pk", "booth__exhibitor_id")
    ):
        tables.setdefault(exhibitor_id, []).append(table_id)
    hours = meeting_policy(expo=expo).request_expiry_hours

    n = len(buyers)
    chosen = min(MAX_MEETING_BUYERS, max(1, round(n * MEETING_BUYER_SHARE)))
    picked = (
        sorted({0, *(int(i) for i in rng.choice(np.arange(1, n), size=min(chosen, n) - 1, replace=False))})
        if n > 1
        else [0]
    )
    statuses = list(STATUS_WEIGHTS)
    weights = np.array(list(STATUS_WEIGHTS.values()))
    busy_buyer: set[tuple[int, int]] = set()
    busy_table: set[tuple[int, int]] = set()
    meetings: list[Meeting] = []
    e = len(exhibitors)
    for rank, index in enumerate(picked):
        buyer = buyers[index]
        if index == 0:
            wanted = list(DEMO_BUYER_STATUSES)
        else:
            wanted = [statuses[i] for i in rng.choice(len(statuses), size=int(rng.integers(1, 5)), p=weights)]
        others = [int(i) for i in rng.choice(e, size=min(len(wanted), e), replace=False)]
        if rank < STAFF_COMPANY_BUYERS and 0 not in others:
            others[0] = 0  # the demo staff's company meets the first few buyers
        for exhibitor_index, status in zip(others, wanted, strict=False):
            exhibitor = exhibitors[exhibitor_index]
            own_tables = tables.get(exhibitor.pk)
            if not own_tables:
                continue
            for slot_index in rng.permutation(len(slots))[:20]:
                slot = slots[int(slot_index)]
                if status in _ACTIVE:
                    if (buyer.pk, slot.pk) in busy_buyer:
                        continue
                    free = [t for t in own_tables if (t, slot.pk) not in busy_table]
                    if not free:
                        continue
                    table_id = free[0]
                    busy_buyer.add((buyer.pk, slot.pk))
                    busy_table.add((table_id, slot.pk))
                else:
                    table_id = own_tables[0]
                requested_by = Side.EXHIBITOR if rng.random() < 0.2 else Side.BUYER
                reason = ""
                if status == MeetingStatus.DECLINED:
                    asked = buyer.user.preferred_language
                    if requested_by == Side.BUYER:
                        asked = _exhibitor_language(exhibitor)
                    reason = _in_language(DECLINE_REASONS[int(rng.integers(len(DECLINE_REASONS)))], asked)
                elif status == MeetingStatus.CANCELLED:
                    reason = _in_language(
                        CANCEL_REASONS[int(rng.integers(len(CANCEL_REASONS)))], buyer.user.preferred_language
                    )
                meetings.append(
                    Meeting(
                        expo=expo,
                        buyer=buyer,
                        exhibitor=exhibitor,
                        slot=slot,
                        table_id=table_id,
                        status=status,
                        requested_by=requested_by,
                        owner=staff_user
                        if exhibitor_index == 0 and status == MeetingStatus.ACCEPTED
                        else None,
                        expires_at=(
                            min(now + timedelta(hours=hours), slot.start)
                            if status == MeetingStatus.REQUESTED and hours is not None
                            else None
                        ),
                        decline_reason=reason,
                    )
                )
                break
    for start in range(0, len(meetings), 5000):
        Meeting.objects.bulk_create(meetings[start : start + 5000])
    events = []
    for m in meetings:
        asked = "request" if m.requested_by == Side.BUYER else "invite"
        events.append(
            MeetingEvent(meeting=m, action=asked, from_status="", to_status=MeetingStatus.REQUESTED)
        )
        if m.status == MeetingStatus.REQUESTED:
            continue
        if m.status == MeetingStatus.CANCELLED:
            events.append(
                MeetingEvent(
                    meeting=m,
                    action="accept",
                    from_status=MeetingStatus.REQUESTED,
                    to_status=MeetingStatus.ACCEPTED,
                )
            )
        action = {MeetingStatus.ACCEPTED: "accept", MeetingStatus.DECLINED: "decline"}.get(m.status, "cancel")
        before = MeetingStatus.ACCEPTED if m.status == MeetingStatus.CANCELLED else MeetingStatus.REQUESTED
        events.append(
            MeetingEvent(
                meeting=m, action=action, from_status=before, to_status=m.status, note=m.decline_reason
            )
        )
    for start in range(0, len(events), 5000):
        MeetingEvent.objects.bulk_create(events[start : start + 5000])

    # Intended deals and sample requests on a share of the accepted meetings, through the services.
    fabric_terms = {t.slug: t for t in Term.objects.filter(kind="fabric")}
    index_of = {ex.pk: i for i, ex in enumerate(exhibitors)}
    accepted = [m for m in meetings if m.status == MeetingStatus.ACCEPTED]
    deals = samples = 0
    for m in accepted:
        slugs = [s for s in fabrics[index_of[m.exhibitor_id]] if s in fabric_terms] or sorted(fabric_terms)[
            :1
        ]
        if not slugs:
            break
        fabric = fabric_terms[slugs[int(rng.integers(len(slugs)))]]
        if deals < MAX_DEALS and (m.buyer_id == buyers[0].pk or rng.random() < 0.5):
            currency = DEAL_CURRENCIES[int(rng.choice(len(DEAL_CURRENCIES), p=DEAL_CURRENCY_WEIGHTS))]
            deal_create(
                user=organiser,
                expo=expo,
                buyer=m.buyer,
                exhibitor=m.exhibitor,
                amount=_amount(rng, currency),
                currency=currency,
                category=fabric,
                date=m.slot.start.astimezone(expo.tzinfo).date(),
                quantity_m=int(rng.integers(5, 200)) * 100,
                meeting=m,
            )
            deals += 1
        if samples < MAX_SAMPLES and rng.random() < 0.3:
            sample_request_create(user=organiser, meeting=m, fabric=fabric, quantity=int(rng.integers(1, 6)))
            samples += 1
    return DemoMeetingsResult(meetings=len(meetings), deals=deals, samples=samples)
