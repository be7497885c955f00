"""Who may open what: every endpoint, page and admin page × every role, with the exact status.

The list of what to test is generated, not written: every route of the URL configuration (API,
pages, admin) and every model the admin registry holds. Each must have a rule below, so a new
endpoint or admin page without one fails `test_every_route_has_a_rule` (and a rule for something
that no longer exists fails it too).

Roles, always in this order (`R(...)` takes them by name):
    anonymous    not signed in
    buyer        a buyer with a profile at the current expo; owns the buyer-owned objects below
    other_buyer  another buyer at the same expo (owns nothing in the objects used)
    staff        staff of the exhibitor that owns the exhibitor-owned objects below
    other_staff  staff of another exhibitor at the same expo
    organiser    an organiser by role and group (not a superuser: superusers pass every check)

How each request is made: session sign-in (`force_login`), GET for pages and admin pages; for API
writes the method with an empty JSON body `{}`, and for page POSTs an empty form, so a role that
may write gets the validation answer (400, or what the view does with nothing) and one that may
not gets 401/403 before any validation. Where an empty body would stop everyone at validation, a
valid one is in `BODIES`. Objects in URLs come from the `world` fixture.

## Adding rows (for a new endpoint, page or admin)
- API endpoint or page: add `"<namespace:name>": {"GET": R(...), "POST": R(...)}` to `RULES`,
  one entry per HTTP method the view answers (class-based views must list all of them). If its URL
  takes arguments, add a function to `URL_KWARGS` building them from `world` (add the object to
  `world` if it is new); point it at an object the `buyer` or the `staff` owns, so `other_buyer`
  and `other_staff` show what a stranger gets.
- Admin of a new model: add `"app_label.model": ADMIN_...` to `ADMIN_MODELS` (the presets below
  cover organiser-only admins and exhibitor-scoped ones; build a dict for anything else), and add
  one object of the model to `world.admin_objects`, owned by the `staff`'s exhibitor if the model
  belongs to one. Extra admin URLs (`get_urls`) go to `RULES` like any other route.
- Expected statuses are what the role *should* get; never copy a status you cannot explain.
  302 for signed-out or non-staff users of the admin and `login_required` pages is the redirect
  to sign-in; 302 on an admin object page the role may not see is the admin's "doesn't exist"
  redirect to the index.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token, TokenProxy

from accounts.models import Role
from accounts.services import user_set_role
from expo.models import (
    ExchangeRateChange,
    ExhibitorDay,
    ExhibitorMeetingSettings,
    ExhibitorStaff,
    Meeting,
    MeetingPolicy,
    MeetingStatus,
    Notification,
    Slot,
    SlotClosure,
    Term,
)
from expo.services.calendars import calendar_feed_regenerate
from expo.services.deals import meeting_feedback_set, sample_request_create
from expo.services.floor import booth_tables_sync, expo_slots_generate
from expo.services.meetings import meeting_book
from matching.models import Match
from matching.services import runs
from tests.factories.accounts import UserFactory
from tests.factories.expo import BoothFactory, ExchangeRateFactory, ExpoFactory, HallFactory, deal
from tests.factories.matching import (
    CustomerLinkFactory,
    CustomerPolicyFactory,
    MatchFeedbackFactory,
    MatchWeightsFactory,
    buyer_with,
    exhibitor_with,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "buyer", "other_buyer", "staff", "other_staff", "organiser")


def R(anonymous: int, buyer: int, other_buyer: int, staff: int, other_staff: int, organiser: int) -> dict:
    """Expected status per role."""
    return dict(zip(ROLES, (anonymous, buyer, other_buyer, staff, other_staff, organiser), strict=True))


def same(status: int) -> dict:
    return R(*(status,) * len(ROLES))


# --- API and pages -----------------------------------------------------------------------------

RULES: dict[str, dict[str, dict]] = {
    # API: infrastructure and accounts
    "api:health": {"GET": same(200)},
    "api:schema": {"GET": same(200)},
    "api:docs": {"GET": same(200)},
    "api:accounts:token": {"POST": same(400)},
    "api:accounts:me": {"GET": R(401, 200, 200, 200, 200, 200)},
    "api:accounts:confirm-email": {"POST": same(400)},
    "api:accounts:confirm-email-resend": {"POST": R(401, 202, 202, 202, 202, 202)},
    "api:accounts:token-revoke": {"POST": R(401, 204, 204, 204, 204, 204)},  # one's own token only
    # API: expo
    "api:expo:taxonomy": {"GET": same(200)},
    "api:expo:register": {"POST": same(400)},
    "api:expo:buyer-me": {
        "GET": R(401, 200, 200, 403, 403, 403),
        "PUT": R(401, 400, 400, 403, 403, 403),
        "PATCH": R(401, 200, 200, 403, 403, 403),
    },
    "api:expo:exhibitor-list": {"GET": same(200)},
    "api:expo:exhibitor-detail": {"GET": same(200)},
    "api:expo:exhibitor-slots": {"GET": same(200)},
    # Who may log a deal depends on the body (which buyer, which exhibitor, met or not): an empty one is 400.
    "api:expo:deal-list": {"GET": R(401, 200, 200, 200, 200, 200), "POST": R(401, 400, 400, 400, 400, 400)},
    "api:expo:deal-detail": {  # the two sides and organisers; strangers do not see it
        "GET": R(401, 200, 404, 200, 404, 200),
        "PATCH": R(401, 200, 404, 200, 404, 200),
    },
    "api:expo:deal-totals": {"GET": R(401, 403, 403, 403, 403, 400)},  # organisers must name ?group_by=
    # Samples and feedback follow `world.met`, an accepted meeting of the buyer with the staff's exhibitor.
    "api:expo:sample-list": {"GET": R(401, 200, 200, 200, 200, 200), "POST": R(401, 400, 400, 400, 400, 400)},
    "api:expo:sample-detail": {
        "GET": R(401, 200, 404, 200, 404, 200),
        "PATCH": R(401, 200, 404, 200, 404, 200),
    },
    "api:expo:meeting-feedback": {  # an empty body lacks took_place; strangers do not see the meeting
        "GET": R(401, 200, 404, 200, 404, 200),
        "PUT": R(401, 400, 404, 400, 404, 400),
    },
    # Meetings. `world.meeting` is the buyer's request to the staff's exhibitor; the roles act in
    # order on the same meeting, so a role after a successful change meets the changed state (409).
    "api:expo:meeting-list": {
        "GET": R(401, 200, 200, 200, 200, 200),
        "POST": R(401, 400, 400, 400, 400, 400),
    },
    "api:expo:meeting-accept": {"POST": R(401, 403, 404, 200, 404, 409)},  # the buyer asked: staff answer
    "api:expo:meeting-decline": {"POST": R(401, 403, 404, 200, 404, 409)},
    "api:expo:meeting-cancel": {"POST": R(401, 200, 404, 409, 404, 409)},  # either side; then it is cancelled
    "api:expo:meeting-reschedule": {"POST": R(401, 400, 404, 400, 404, 400)},  # no slot given
    # Staff without the buyer's code must own the meeting (nobody does yet); organisers may, but the
    # request is not accepted yet.
    "api:expo:meeting-check-in": {"POST": R(401, 403, 404, 403, 404, 409)},
    "api:expo:meeting-no-show": {"POST": R(401, 409, 404, 409, 404, 409)},  # only accepted meetings
    "api:expo:meeting-owner": {"POST": R(401, 400, 404, 400, 404, 400)},  # no owner given
    # Calendars: each signed-in person gets their own file and manages their own address; the
    # subscription address needs no sign-in (its token is the credential).
    "api:expo:meeting-calendar": {"GET": R(401, 200, 200, 200, 200, 200)},
    "api:expo:meeting-calendar-subscription": {
        "GET": R(401, 200, 200, 200, 200, 200),
        "POST": R(401, 201, 201, 201, 201, 201),
        "DELETE": R(401, 204, 204, 204, 204, 204),
    },
    "api:expo:meeting-calendar-feed": {"GET": same(200)},
    # API: matching
    "api:matching:match-list": {"GET": R(401, 200, 200, 403, 403, 400)},  # organisers must name ?buyer=
    "api:matching:match-feedback": {
        "POST": R(401, 200, 404, 403, 403, 403),
        "DELETE": R(401, 204, 404, 403, 403, 403),  # takes the feedback back
    },
    "api:matching:match-runs": {  # one path, a view per method (config.api.route_by_method)
        "GET": R(401, 403, 403, 403, 403, 200),
        "POST": R(401, 403, 403, 403, 403, 202),
        "PUT": same(405),
    },
    # The same path again, as the schema sees it: requests reach the route above.
    "api:matching:match-run-list": {"GET": R(401, 403, 403, 403, 403, 200)},
    "api:matching:match-run-start": {"POST": R(401, 403, 403, 403, 403, 202)},
    "api:matching:match-run-detail": {"GET": R(401, 403, 403, 403, 403, 200)},
    "api:matching:exhibitor-leads": {"GET": R(401, 403, 403, 200, 200, 403)},  # staff: their company's
    # Pages
    "set_language": {"POST": same(302)},
    "expo:home": {"GET": same(200)},
    "favicon": {"GET": same(301)},
    "expo:register": {"GET": R(200, 302, 302, 302, 302, 302)},
    "expo:profile": {"GET": R(302, 200, 200, 403, 403, 403)},
    "expo:start": {"GET": R(302, 302, 302, 302, 302, 302)},  # sign in; then on to where the role starts
    "expo:directory": {"GET": same(200)},
    "expo:exhibitor": {"GET": same(200)},
    "expo:dashboard": {"GET": R(302, 403, 403, 403, 403, 200)},
    "expo:summary": {"GET": R(302, 403, 403, 403, 403, 200)},
    "expo:exhibitor-figures": {"GET": R(302, 403, 403, 200, 200, 403)},  # each staff sees their own company
    "expo:exhibitor-figures-xlsx": {"GET": R(302, 403, 403, 200, 200, 403)},
    # Meeting pages. Empty forms: the buyer's booking or move without a slot is a 400 in the page;
    # commands without effect come back to the schedule (302) with the refusal as a message.
    "expo:meeting-book": {"GET": R(302, 200, 200, 403, 403, 403), "POST": R(302, 400, 400, 403, 403, 403)},
    "expo:schedule": {"GET": R(302, 200, 200, 403, 403, 403)},
    "expo:meeting-cancel": {"POST": R(302, 302, 404, 302, 404, 302)},
    "expo:meeting-answer": {"POST": R(302, 302, 404, 302, 404, 302)},
    "expo:meeting-reschedule": {
        "GET": R(302, 200, 404, 403, 404, 403),
        "POST": R(302, 400, 404, 403, 404, 403),
    },
    "expo:calendar-subscription": {"GET": same(302), "POST": same(302)},
    # A meeting's deal, samples and feedback (`world.met`, accepted): its two sides on the schedule and
    # floor pages, an empty form a 400 in the page; strangers do not see the meeting; organisers use
    # the back office.
    "expo:meeting-deal": {"GET": R(302, 200, 404, 200, 404, 403), "POST": R(302, 400, 404, 400, 404, 403)},
    "expo:meeting-sample": {"POST": R(302, 400, 404, 400, 404, 403)},
    "expo:meeting-feedback": {"POST": R(302, 400, 404, 400, 404, 403)},
    # Moving the buyer's sample request on: an empty form comes back to the card with the refusal.
    "expo:sample-status": {"POST": R(302, 302, 404, 302, 404, 403)},
    "expo:floor": {"GET": R(302, 403, 403, 200, 200, 403)},
    "expo:floor-check-in": {"POST": R(302, 403, 403, 302, 302, 403)},
    # Django's form views answer PUT like POST.
    "accounts:login": {  # signed-in users go on to where they were headed
        "GET": R(200, 302, 302, 302, 302, 302),
        "POST": R(200, 302, 302, 302, 302, 302),
        "PUT": R(200, 302, 302, 302, 302, 302),
    },
    "accounts:logout": {"GET": same(405), "POST": same(302)},
    "accounts:password_reset": {"GET": same(200), "POST": same(200), "PUT": same(200)},
    "accounts:password_reset_done": {"GET": same(200)},
    "accounts:password_reset_confirm": {"GET": same(200), "POST": same(200), "PUT": same(200)},
    "accounts:password_reset_complete": {"GET": same(200)},
    # An invitation link: an unknown one shows "used or expired" to everyone.
    "accounts:invitation": {"GET": same(200), "POST": same(200), "PUT": same(200)},
    "accounts:account": {  # one's own account; an empty form names the language
        "GET": R(302, 200, 200, 200, 200, 200),
        "POST": R(302, 400, 400, 400, 400, 400),
    },
    "accounts:password_change": {
        "GET": R(302, 200, 200, 200, 200, 200),
        "POST": R(302, 200, 200, 200, 200, 200),
        "PUT": R(302, 200, 200, 200, 200, 200),
    },
    "accounts:confirm-email": {"GET": same(400)},
    "accounts:confirm-email-resend": {
        "GET": R(405, 405, 405, 405, 405, 405),
        "POST": R(302, 302, 302, 302, 302, 302),
    },
    "matching:recommendations": {"GET": R(302, 200, 200, 403, 403, 302)},
    "matching:recommendation-feedback": {"POST": R(302, 302, 404, 403, 403, 403)},  # 302: back to the list
    "matching:not-interested": {"GET": R(302, 200, 200, 403, 403, 403)},
    # The buyer restores the exhibitor it marked "not interested" (302: back to the list); another
    # buyer never marked it (404).
    "matching:not-interested-restore": {"POST": R(302, 302, 404, 403, 403, 403)},
    "matching:organiser": {"GET": R(302, 403, 403, 403, 403, 200), "POST": R(302, 403, 403, 403, 403, 302)},
    "matching:run-progress": {"GET": R(302, 403, 403, 403, 403, 200)},
    "matching:leads": {"GET": R(302, 403, 403, 200, 200, 403)},
    # The buyer told the staff's exhibitor "not interested" (world.admin_objects' feedback), so is no
    # lead of theirs (404); for the other exhibitor the buyer is a lead, and an empty form comes back
    # to the list with the refusal (302).
    "matching:lead-invite": {"POST": R(302, 403, 403, 404, 302, 403)},
    # Admin pages that belong to no model admin
    "admin:index": {"GET": R(302, 302, 302, 200, 200, 200)},
    "admin:login": {"GET": R(200, 200, 200, 302, 302, 302)},
    "admin:logout": {"GET": R(302, 302, 302, 405, 405, 405), "POST": same(302)},
    "admin:password_change": {"GET": R(302, 302, 302, 200, 200, 200)},
    "admin:password_change_done": {"GET": R(302, 302, 302, 200, 200, 200)},
    "admin:jsi18n": {"GET": R(302, 302, 302, 200, 200, 200)},
    "admin:autocomplete": {"GET": R(302, 302, 302, 403, 403, 403)},  # without a field to complete: 403
    "admin:view_on_site": {"GET": R(302, 302, 302, 404, 404, 404)},  # exhibitors have no public URL there
    "admin:app_list": {"GET": R(302, 302, 302, 200, 200, 200)},
    "admin:expo_import": {"GET": R(302, 302, 302, 403, 403, 200)},
    # Staff see their own company's agenda; organisers first pick the exhibitor. An empty POST
    # answers nothing and comes back to the agenda with the refusal as a message.
    "admin:expo_agenda": {"GET": R(302, 302, 302, 200, 200, 200), "POST": R(302, 302, 302, 302, 302, 403)},
    "admin:expo_import_template": {"GET": R(302, 302, 302, 403, 403, 200)},  # a file to download
    "admin:auth_user_password_change": {"GET": R(302, 302, 302, 403, 403, 200)},
}

# Routes that are not pages of their own: the admin's catch-all answers unknown admin URLs, media
# is served in DEBUG only. (Each model admin's bare object URL, which only redirects to its change
# page, is left out in `_not_routes`.)
NOT_ROUTES = {"admin/(?P<url>.*)$", "^media/(?P<path>.*)$"}


# Request bodies where an empty one would stop every role at validation and hide who may do it.
BODIES = {
    ("api:matching:match-feedback", "POST"): {"value": "interested"},
    ("matching:recommendation-feedback", "POST"): {"value": "interested"},
}


def _pk(name: str):
    return lambda world: {"pk": getattr(world, name).pk}


URL_KWARGS = {
    "api:expo:exhibitor-detail": _pk("exhibitor"),
    "api:expo:deal-detail": lambda world: {"pk": world.admin_objects["expo.deal"].pk},
    "api:expo:sample-detail": lambda world: {"pk": world.admin_objects["expo.samplerequest"].pk},
    "api:expo:meeting-feedback": lambda world: {"pk": world.admin_objects["expo.samplerequest"].meeting_id},
    "api:expo:exhibitor-slots": _pk("exhibitor"),
    "api:expo:meeting-accept": _pk("meeting"),
    "api:expo:meeting-decline": _pk("meeting"),
    "api:expo:meeting-cancel": _pk("meeting"),
    "api:expo:meeting-reschedule": _pk("meeting"),
    "api:expo:meeting-check-in": _pk("meeting"),
    "api:expo:meeting-no-show": _pk("meeting"),
    "api:expo:meeting-owner": _pk("meeting"),
    "api:expo:meeting-calendar-feed": lambda world: {
        "token": calendar_feed_regenerate(user=world.buyer.user).token
    },
    "api:matching:match-feedback": _pk("match"),
    "api:matching:match-run-detail": _pk("run"),
    "expo:exhibitor": _pk("exhibitor"),
    "expo:meeting-book": _pk("exhibitor"),
    "expo:meeting-cancel": _pk("meeting"),
    "expo:meeting-answer": _pk("meeting"),
    "expo:meeting-reschedule": _pk("meeting"),
    "expo:meeting-deal": lambda world: {"pk": world.admin_objects["expo.samplerequest"].meeting_id},
    "expo:meeting-sample": lambda world: {"pk": world.admin_objects["expo.samplerequest"].meeting_id},
    "expo:meeting-feedback": lambda world: {"pk": world.admin_objects["expo.samplerequest"].meeting_id},
    "expo:sample-status": lambda world: {"pk": world.admin_objects["expo.samplerequest"].pk},
    "matching:recommendation-feedback": _pk("match"),
    "matching:run-progress": _pk("run"),
    "matching:not-interested-restore": lambda world: {"exhibitor_id": world.exhibitor.pk},
    "matching:lead-invite": lambda world: {"buyer_id": world.buyer.pk},
    "accounts:password_reset_confirm": lambda world: {"uidb64": "MQ", "token": "set-password"},
    "accounts:invitation": lambda world: {"uidb64": "MQ", "token": "set-password"},
    "accounts:confirm-email": lambda world: {"token": "not-a-token"},
    "admin:view_on_site": lambda world: {
        "content_type_id": ContentType.objects.get_for_model(world.exhibitor).pk,
        "object_id": world.exhibitor.pk,
    },
    "admin:app_list": lambda world: {"app_label": "expo"},
    "admin:expo_import_template": lambda world: {"kind": "buyers", "file_format": "xlsx"},
    "admin:auth_user_password_change": lambda world: {"id": world.buyer.user.pk},
}

# --- Admin pages of model admins ----------------------------------------------------------------

ADMIN_PAGES = ("changelist", "add", "change", "delete", "history")
SIGNED_OUT = (302, 302, 302)  # anonymous, buyer, other buyer: redirected to the admin sign-in


def admin_rule(**pages: tuple[int, int, int]) -> dict[str, dict]:
    """Per admin page: (staff, other_staff, organiser); the three non-staff roles are always 302."""
    return {page: R(*SIGNED_OUT, *pages[page]) for page in ADMIN_PAGES}


ADMIN_ORGANISER_ONLY = admin_rule(
    changelist=(403, 403, 200), add=(403, 403, 200), change=(403, 403, 200), delete=(403, 403, 200),
    history=(403, 403, 200),
)  # fmt: skip
ADMIN_ORGANISER_READ_ONLY = admin_rule(  # the rows are written by the system, never in the admin
    changelist=(403, 403, 200), add=(403, 403, 403), change=(403, 403, 200), delete=(403, 403, 200),
    history=(403, 403, 200),
)  # fmt: skip
ADMIN_SUPERUSER_ONLY = admin_rule(  # outside the organisers' apps: only superusers
    changelist=(403, 403, 403), add=(403, 403, 403), change=(403, 403, 403), delete=(403, 403, 403),
    history=(403, 403, 403),
)  # fmt: skip

ADMIN_MODELS: dict[str, dict[str, dict]] = {
    "auth.group": ADMIN_SUPERUSER_ONLY,
    "authtoken.tokenproxy": ADMIN_SUPERUSER_ONLY,
    "accounts.user": ADMIN_ORGANISER_ONLY,
    "expo.expo": ADMIN_ORGANISER_ONLY,
    "expo.hall": ADMIN_ORGANISER_ONLY,
    "expo.exchangerate": ADMIN_ORGANISER_ONLY,
    "expo.buyer": ADMIN_ORGANISER_ONLY,
    "expo.exhibitorstaff": ADMIN_ORGANISER_ONLY,
    "expo.slot": admin_rule(  # generated from the expo's days and hours: read only, even for organisers
        changelist=(403, 403, 200),
        add=(403, 403, 403),
        change=(403, 403, 200),
        delete=(403, 403, 403),
        history=(403, 403, 200),
    ),  # fmt: skip
    "expo.term": admin_rule(  # staff read terms only through the facet autocomplete
        changelist=(200, 200, 200),
        add=(403, 403, 200),
        change=(200, 200, 200),
        delete=(403, 403, 200),
        history=(200, 200, 200),
    ),  # fmt: skip
    "expo.exhibitor": admin_rule(  # staff: their own company, never add or delete
        changelist=(200, 200, 200),
        add=(403, 403, 200),
        change=(200, 302, 200),
        delete=(403, 403, 200),
        history=(200, 302, 200),
    ),  # fmt: skip
    "expo.booth": admin_rule(
        changelist=(200, 200, 200),
        add=(403, 403, 200),
        change=(200, 302, 200),
        delete=(403, 403, 200),
        history=(200, 302, 200),
    ),  # fmt: skip
    "matching.customerlink": admin_rule(  # staff keep their own company's existing customers
        changelist=(200, 200, 200),
        add=(200, 200, 200),
        change=(200, 302, 200),
        delete=(200, 302, 200),
        history=(200, 302, 200),
    ),  # fmt: skip
    "matching.customerpolicy": admin_rule(  # one per company, which already exists here; staff never delete
        changelist=(200, 200, 200),
        add=(403, 200, 200),
        change=(200, 302, 200),
        delete=(403, 403, 200),
        history=(200, 302, 200),
    ),  # fmt: skip
    "expo.meeting": admin_rule(  # booked through the API, answered by actions, never added or deleted
        changelist=(200, 200, 200),
        add=(403, 403, 403),
        change=(200, 302, 200),
        delete=(403, 403, 403),
        history=(200, 302, 200),
    ),  # fmt: skip
    "expo.exhibitorday": admin_rule(  # staff set their own company's availability
        changelist=(200, 200, 200),
        add=(200, 200, 200),
        change=(200, 302, 200),
        delete=(200, 302, 200),
        history=(200, 302, 200),
    ),  # fmt: skip
    "expo.exhibitormeetingsettings": admin_rule(  # one per company, which already exists here; staff never delete
        changelist=(200, 200, 200),
        add=(403, 200, 200),
        change=(200, 302, 200),
        delete=(403, 403, 200),
        history=(200, 302, 200),
    ),  # fmt: skip
    "expo.meetingpolicy": ADMIN_ORGANISER_ONLY,
    "expo.slotclosure": ADMIN_ORGANISER_ONLY,
    "expo.notification": ADMIN_ORGANISER_READ_ONLY,
    "expo.deal": admin_rule(  # staff: their company's deals; nobody deletes a deal (it is withdrawn)
        changelist=(200, 200, 200),
        add=(200, 200, 200),
        change=(200, 302, 200),
        delete=(403, 403, 403),
        history=(200, 302, 200),
    ),  # fmt: skip
    "expo.exchangeratechange": admin_rule(  # the rates' history: written by the rate service only
        changelist=(403, 403, 200),
        add=(403, 403, 403),
        change=(403, 403, 200),
        delete=(403, 403, 403),
        history=(403, 403, 200),
    ),  # fmt: skip
    "expo.samplerequest": admin_rule(  # logged through the API; staff follow up their company's
        changelist=(200, 200, 200),
        add=(403, 403, 403),
        change=(200, 302, 200),
        delete=(403, 403, 200),
        history=(200, 302, 200),
    ),  # fmt: skip
    "expo.meetingfeedback": admin_rule(  # each side gives its own through the API; read-only here
        changelist=(200, 200, 200),
        add=(403, 403, 403),
        change=(200, 302, 200),
        delete=(403, 403, 403),
        history=(200, 302, 200),
    ),  # fmt: skip
    "matching.matchweights": ADMIN_ORGANISER_ONLY,
    "matching.matchrun": ADMIN_ORGANISER_READ_ONLY,
    "matching.matchfeedback": ADMIN_ORGANISER_READ_ONLY,
}


# --- The world every request runs against -------------------------------------------------------


@dataclass
class World:
    users: dict
    exhibitor: object
    buyer: object
    run: object
    match: object
    meeting: object = None
    admin_objects: dict = field(default_factory=dict)


def _staff_of(exhibitor):
    user = UserFactory(role=Role.BUYER)
    ExhibitorStaff.objects.create(user=user, exhibitor=exhibitor)
    return user_set_role(user=user, role=Role.EXHIBITOR_STAFF)


@pytest.fixture
def world() -> World:
    expo = ExpoFactory(is_current=True)
    expo_slots_generate(expo=expo)
    hall = HallFactory(expo=expo)
    exhibitor = exhibitor_with(expo=expo, fabrics=["chiffon"])
    other_exhibitor = exhibitor_with(expo=expo, fabrics=["chiffon"])
    booth = BoothFactory(expo=expo, hall=hall, exhibitor=exhibitor)
    booth_tables_sync(booth=booth)
    BoothFactory(expo=expo, hall=hall, exhibitor=other_exhibitor)
    buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    other_buyer = buyer_with(expo=expo, fabrics=["chiffon"])
    staff, other_staff = _staff_of(exhibitor), _staff_of(other_exhibitor)
    organiser = user_set_role(user=UserFactory(), role=Role.ORGANISER)
    run = runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    match = Match.objects.get(run=run, buyer=buyer, exhibitor=exhibitor)
    users = {
        "anonymous": None,
        "buyer": buyer.user,
        "other_buyer": other_buyer.user,
        "staff": staff,
        "other_staff": other_staff,
        "organiser": organiser,
    }
    met = Meeting.objects.create(  # an accepted meeting: deals, samples and feedback follow it
        expo=expo,
        buyer=buyer,
        exhibitor=exhibitor,
        slot=Slot.objects.filter(expo=expo).order_by("start")[1],
        table=booth.table_set.first(),
        requested_by="buyer",
        status=MeetingStatus.ACCEPTED,
    )
    objects = {
        "auth.group": Group.objects.get(name="Organisers"),
        "authtoken.tokenproxy": TokenProxy.objects.get(key=Token.objects.create(user=buyer.user).key),
        "accounts.user": buyer.user,
        "expo.expo": expo,
        "expo.hall": hall,
        "expo.exchangerate": ExchangeRateFactory(expo=expo),
        "expo.buyer": buyer,
        "expo.exhibitorstaff": ExhibitorStaff.objects.get(user=staff),
        "expo.slot": Slot.objects.filter(expo=expo).first(),
        "expo.term": Term.objects.get(kind="fabric", slug="chiffon"),
        "expo.exhibitor": exhibitor,
        "expo.booth": booth,
        "expo.deal": deal(buyer=buyer, exhibitor=exhibitor, user=organiser),
        "expo.samplerequest": sample_request_create(user=buyer.user, meeting=met, fabric="chiffon"),
        "expo.meetingfeedback": meeting_feedback_set(user=buyer.user, meeting=met, took_place=True),
        "expo.exchangeratechange": ExchangeRateChange.objects.create(
            expo=expo, currency="EUR", rate_to_cny=Decimal("7.7")
        ),
        "matching.customerlink": CustomerLinkFactory(exhibitor=exhibitor, buyer=buyer),
        "matching.customerpolicy": CustomerPolicyFactory(exhibitor=exhibitor),
        "matching.matchweights": MatchWeightsFactory(expo=expo),
        "matching.matchrun": run,
        "matching.matchfeedback": MatchFeedbackFactory(buyer=buyer, exhibitor=exhibitor),
    }
    meeting = meeting_book(
        buyer=buyer, exhibitor=exhibitor, slot=Slot.objects.filter(expo=expo).first(), actor=buyer.user
    )
    objects |= {
        "expo.meeting": meeting,
        "expo.exhibitorday": ExhibitorDay.objects.create(
            exhibitor=exhibitor, date=expo.start_date, available=False
        ),
        "expo.exhibitormeetingsettings": ExhibitorMeetingSettings.objects.create(exhibitor=exhibitor),
        "expo.meetingpolicy": MeetingPolicy.objects.create(expo=expo),
        "expo.slotclosure": SlotClosure.objects.create(
            slot=Slot.objects.filter(expo=expo).last(), reason_en="Lunch"
        ),
        "expo.notification": Notification.objects.get(meeting=meeting),
    }
    return World(
        users=users,
        exhibitor=exhibitor,
        buyer=buyer,
        run=run,
        match=match,
        meeting=meeting,
        admin_objects=objects,
    )


# --- Generating the list from the URLconf and the admin registry --------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # namespaced URL name, or the route itself when unnamed
    methods: frozenset[str] | None  # what a class-based view answers; None for function views


def _view_methods(callback) -> frozenset[str] | None:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return None
    return frozenset(
        method.upper() for method in ("get", "post", "put", "patch", "delete") if hasattr(view_class, method)
    )


def _routes(resolver=None, prefix: str = "", namespace: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            key = f"{namespace}{entry.name}" if entry.name else prefix + str(entry.pattern)
            yield Route(key=key, methods=_view_methods(entry.callback))


def _admin_page_names() -> dict[str, tuple[str, str]]:
    """URL name → (model label, page) for the pages of every registered model admin."""
    names = {}
    for model in admin.site._registry:
        opts = model._meta
        for page in ADMIN_PAGES:
            names[f"admin:{opts.app_label}_{opts.model_name}_{page}"] = (opts.label_lower, page)
    return names


def _admin_model_rules() -> dict[str, dict[str, dict]]:
    rules = {}
    for name, (label, page) in _admin_page_names().items():
        if label in ADMIN_MODELS:
            rules[name] = {"GET": ADMIN_MODELS[label][page]}
    return rules


def _not_routes() -> set[str]:
    redirects = {
        f"admin/{m._meta.app_label}/{m._meta.model_name}/<path:object_id>/" for m in admin.site._registry
    }
    return NOT_ROUTES | redirects


def test_every_route_has_a_rule():
    routes = [route for route in _routes() if route.key not in _not_routes()]
    rules = {**RULES, **_admin_model_rules()}
    registered = {model._meta.label_lower for model in admin.site._registry}

    missing = sorted(route.key for route in routes if route.key not in rules)
    models_missing = sorted(registered - set(ADMIN_MODELS))
    methods_missing = sorted(
        f"{route.key} {method}"
        for route in routes
        if route.key in rules and route.methods is not None
        for method in route.methods - set(rules[route.key])
    )
    stale = sorted((set(RULES) - {route.key for route in routes}) | (set(ADMIN_MODELS) - registered))

    hint = "add a row to RULES / ADMIN_MODELS in tests/test_permissions_matrix.py (see its docstring)"
    assert missing == [], f"routes without a rule: {hint}"
    assert models_missing == [], f"admin models without a rule: {hint}"
    assert methods_missing == [], f"HTTP methods without a rule: {hint}"
    assert stale == [], "rules for routes or admin models that no longer exist: remove them"


# --- Running the matrix -------------------------------------------------------------------------


def _url(key: str, world: World) -> str:
    if key in URL_KWARGS:
        return reverse(key, kwargs=URL_KWARGS[key](world))
    admin_page = _admin_page_names().get(key)
    if admin_page is not None and admin_page[1] in ("change", "delete", "history"):
        return reverse(key, args=[world.admin_objects[admin_page[0]].pk])
    return reverse(key)


def _status(user, method: str, url: str, body: dict) -> int:
    client = Client()
    if user is not None:
        client.force_login(user)
    if method == "GET":
        return client.get(url).status_code
    if url.startswith("/api/"):
        return client.generic(method, url, data=json.dumps(body), content_type="application/json").status_code
    return client.generic(
        method, url, data=urlencode(body), content_type="application/x-www-form-urlencoded"
    ).status_code


def _statuses(key: str, method: str, world: World) -> dict:
    url, body = _url(key, world), BODIES.get((key, method), {})
    return {role: _status(world.users[role], method, url, body) for role in ROLES}


@pytest.mark.parametrize(("key", "method"), [(key, method) for key in RULES for method in RULES[key]])
def test_route_statuses(world, key, method):
    assert _statuses(key, method, world) == RULES[key][method]


@pytest.mark.parametrize("label", sorted(ADMIN_MODELS))
def test_admin_model_statuses(world, label):
    app_label, model_name = label.split(".")
    actual = {page: _statuses(f"admin:{app_label}_{model_name}_{page}", "GET", world) for page in ADMIN_PAGES}

    assert actual == ADMIN_MODELS[label]
