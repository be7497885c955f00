"""Expo editions, halls, booths and tables, the textile taxonomy, exhibitor and buyer profiles.

Models hold fields, constraints and cheap properties only; every write goes through
`expo.services` (STYLE.md, section 2). Database constraints carry every invariant that has one.

The models live in one module per area (STYLE.md, section 1): `floor` (expos, slots, halls,
booths, tables), `taxonomy`, `profiles` (exhibitors, their staff, buyers), `money` (exchange
rates and their history), `calendars` (subscription addresses), `meetings` (rules, availability, meetings, their
history, the notification outbox) and `deals` (intended deals and their history, sample requests, post-meeting feedback). Everything is re-exported
here, so `from expo.models import Exhibitor` works everywhere.
"""

from expo.models.base import ZERO, TimestampedModel, clean_price_range
from expo.models.calendars import CalendarFeed
from expo.models.deals import (
    DEAL_CNY_LIMIT,
    SAMPLE_ORDER,
    Deal,
    DealChange,
    DealQuerySet,
    DealStage,
    Interest,
    MeetingFeedback,
    SampleRequest,
    SampleStatus,
    fen_text,
)
from expo.models.floor import Booth, Expo, ExpoQuerySet, Hall, Slot, Table, validate_time_zone
from expo.models.meetings import (
    ACTIVE_STATUSES,
    ExhibitorDay,
    ExhibitorMeetingSettings,
    Meeting,
    MeetingEvent,
    MeetingPolicy,
    MeetingQuerySet,
    MeetingStatus,
    Notification,
    Side,
    SlotClosure,
)
from expo.models.money import REPORTING_CURRENCY, ExchangeRate, ExchangeRateChange, currency_validator
from expo.models.profiles import Buyer, Exhibitor, ExhibitorStaff, ProfileQuerySet
from expo.models.taxonomy import BUYER_FACETS, EXHIBITOR_FACETS, Term, TermKind, TermQuerySet

__all__ = [
    "CalendarFeed",
    "ACTIVE_STATUSES",
    "ExhibitorDay",
    "ExhibitorMeetingSettings",
    "Meeting",
    "MeetingEvent",
    "MeetingPolicy",
    "MeetingQuerySet",
    "MeetingStatus",
    "Notification",
    "Side",
    "SlotClosure",
    "BUYER_FACETS",
    "DEAL_CNY_LIMIT",
    "SAMPLE_ORDER",
    "Interest",
    "MeetingFeedback",
    "SampleRequest",
    "SampleStatus",
    "REPORTING_CURRENCY",
    "Deal",
    "DealChange",
    "DealQuerySet",
    "DealStage",
    "ExchangeRateChange",
    "fen_text",
    "EXHIBITOR_FACETS",
    "ZERO",
    "Booth",
    "Buyer",
    "ExchangeRate",
    "Exhibitor",
    "ExhibitorStaff",
    "Expo",
    "ExpoQuerySet",
    "Hall",
    "ProfileQuerySet",
    "Slot",
    "Table",
    "Term",
    "TermKind",
    "TermQuerySet",
    "TimestampedModel",
    "clean_price_range",
    "currency_validator",
    "validate_time_zone",
]
