"""Writing the demo plan: one transaction of bulk inserts (`reset` removes it, `logins` names who signs in).

Profiles are not `full_clean()`ed one by one (that costs queries per row); `plan` keeps every value
inside the model constraints by construction, and tests `full_clean()` a sample.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from datetime import time as dtime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import user_set_role
from expo.cache import directory_changed
from expo.models import (
    BUYER_FACETS,
    EXHIBITOR_FACETS,
    Booth,
    Buyer,
    ExchangeRate,
    ExchangeRateChange,
    Exhibitor,
    Expo,
    Hall,
    Table,
    Term,
)
from expo.services.demo import data
from expo.services.demo.logins import DemoLogin, demo_logins
from expo.services.demo.meetings import demo_meetings
from expo.services.demo.plan import DemoPlan, demo_email_domain, demo_plan
from expo.services.floor import expo_create
from expo.services.imports.bulk import insert_rows
from expo.services.profiles import staff_member_add
from expo.signals import profiles_imported

ProgressCallback = Callable[[str, int, int], None]
"""Called as `progress(phase, done, total)` while seeding; `done` grows to `total` per phase."""

MAX_BUYERS = 1_000_000
MAX_EXHIBITORS = 100_000
BATCH = 5000
# The profile facet field of each taxonomy kind.
_EXHIBITOR_FIELD = {kind: name for name, kind in EXHIBITOR_FACETS.items()}
_BUYER_FIELD = {kind: name for name, kind in BUYER_FACETS.items()}

# --- Results ---------------------------------------------------------------------------------------


@dataclass
class DemoSeedResult:
    expo: Expo
    exhibitors: int
    buyers: int
    halls: int
    booths: int
    tables: int
    facet_links: int
    logins: list[DemoLogin]
    meetings: int = 0
    deals: int = 0
    samples: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


# --- Writing ---------------------------------------------------------------------------------------


def _chunks(items: Sequence, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(model: type[models.Model], objects: list[models.Model]) -> list[models.Model]:
    """Bulk insert in batches; objects come back with their primary keys."""
    for chunk in _chunks(objects):
        model.objects.bulk_create(chunk)
    return objects


def _link_facets(
    model: type[models.Model], field_of_kind: dict[str, str], rows: list[tuple[int, dict]], term_ids: dict
) -> int:
    total = 0
    for kind, field_name in field_of_kind.items():
        m2m = model._meta.get_field(field_name)
        pairs = [(pk, term_ids[kind, slug]) for pk, facets in rows for slug in facets[kind]]
        columns = [f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"]
        insert_rows(m2m.remote_field.through, columns, pairs)
        total += len(pairs)
    return total


class _Phases:
    """Times each phase and reports progress through the optional callback."""

    def __init__(self, progress: ProgressCallback | None):
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self._phase, self._started = "", 0.0

    def start(self, phase: str, total: int) -> None:
        self.stop()
        self._phase, self._started = phase, time.perf_counter()
        self.tick(0, total)

    def tick(self, done: int, total: int) -> None:
        if self.progress:
            self.progress(self._phase, done, total)

    def stop(self) -> None:
        if self._phase:
            self.seconds[self._phase] = round(time.perf_counter() - self._started, 3)
            self._phase = ""


def demo_seed(
    *,
    buyers: int,
    exhibitors: int,
    seed: int,
    expo_slug: str = "demo",
    progress: ProgressCallback | None = None,
    announce: bool = False,
) -> DemoSeedResult:
    """Create the demo expo `expo_slug` (made current) with `exhibitors` mills and `buyers` buyers.

    Deterministic for given arguments. Refuses (ValidationError) if the expo or its demo accounts
    already exist: call `demo_reset` first. Every account's password is
    `settings.SHUTTLE_DEMO_PASSWORD`. With `announce`, sends `profiles_imported` for both kinds so
    matching (when listening) queues a rescore once the transaction commits.
    """
    errors = {}
    if not 1 <= buyers <= MAX_BUYERS:
        errors["buyers"] = _("Give from 1 to %(max)s buyers.") % {"max": f"{MAX_BUYERS:,}"}
    if not 1 <= exhibitors <= MAX_EXHIBITORS:
        errors["exhibitors"] = _("Give from 1 to %(max)s exhibitors.") % {"max": f"{MAX_EXHIBITORS:,}"}
    domain = demo_email_domain(expo_slug)
    if Expo.objects.filter(slug=expo_slug).exists():
        errors["expo_slug"] = _("The expo %(slug)s already exists; reset it first.") % {"slug": expo_slug}
    elif User.objects.filter(email__iendswith=f"@{domain}").exists():
        errors["expo_slug"] = _("Demo accounts @%(domain)s already exist; reset the demo first.") % {
            "domain": domain
        }
    if errors:
        raise ValidationError(errors)

    phases = _Phases(progress)
    phases.start("plan", 1)
    terms = list(Term.objects.values_list("kind", "slug", "name_en", "name_zh", "parent__slug"))
    term_ids = {(kind, slug): pk for pk, kind, slug in Term.objects.values_list("pk", "kind", "slug")}
    plan = demo_plan(buyers=buyers, exhibitors=exhibitors, seed=seed, expo_slug=expo_slug, terms=terms)
    phases.tick(1, 1)
    with transaction.atomic():
        result = _write(plan=plan, seed=seed, expo_slug=expo_slug, term_ids=term_ids, phases=phases)
        directory_changed(expo_id=result.expo.pk)  # bulk writes send no signals
        # Deferred foreign-key checks run at commit; time them on their own.
        phases.start("commit", 1)
        if announce:
            profiles_imported.send(
                sender=Exhibitor,
                expo=result.expo,
                kind="exhibitors",
                ids=list(Exhibitor.objects.for_expo(result.expo).values_list("pk", flat=True)),
            )
            profiles_imported.send(
                sender=Buyer,
                expo=result.expo,
                kind="buyers",
                ids=list(Buyer.objects.for_expo(result.expo).values_list("pk", flat=True)),
            )
    phases.tick(1, 1)
    phases.stop()
    result.seconds = phases.seconds
    return result


def _write(*, plan: DemoPlan, seed: int, expo_slug: str, term_ids: dict, phases: _Phases) -> DemoSeedResult:
    domain = demo_email_domain(expo_slug)
    phases.start("expo", 1)
    expo = expo_create(
        slug=expo_slug,
        name="Jiangsu (Shengze) Textile Expo — demo",
        name_zh="中国（盛泽）纺织品博览会（演示）",
        venue="Shengze Textile Expo Centre, Suzhou",
        venue_zh="盛泽纺织博览中心（苏州）",
        edition="2027",
        start_date=date(2027, 9, 22),
        days=3,
        opening_time=dtime(9, 0),
        closing_time=dtime(17, 0),
        slot_minutes=20,
        time_zone="Asia/Shanghai",
        make_current=True,
    )
    halls = {code: Hall(expo=expo, code=code, name_en=en, name_zh=zh) for code, en, zh, _keys in data.HALLS}
    _insert(Hall, list(halls.values()))
    _insert(
        ExchangeRate,
        [
            ExchangeRate(expo=expo, currency=code, rate_to_cny=rate)
            for code, rate in data.EXCHANGE_RATES.items()
        ],
    )
    _insert(  # each rate's history starts with its first value
        ExchangeRateChange,
        [
            ExchangeRateChange(expo=expo, currency=code, rate_to_cny=rate)
            for code, rate in data.EXCHANGE_RATES.items()
        ],
    )
    phases.tick(1, 1)

    # Exhibitors, then one booth each (numbered per hall in exhibitor order) with its tables.
    total = len(plan.exhibitors)
    phases.start("exhibitors", total)
    exhibitor_objects = []
    for done, chunk in enumerate(_chunks(plan.exhibitors), start=1):
        objects = [
            Exhibitor(
                expo=expo,
                external_id=p.external_id,
                name_en=p.name_en,
                name_zh=p.name_zh,
                description_en=p.description_en,
                description_zh=p.description_zh,
                country=p.country,
                province=p.province,
                region=p.region,
                moq_m=p.moq_m,
                capacity_m_month=p.capacity_m_month,
                price_min_cny=p.price_min_cny,
                price_max_cny=p.price_max_cny,
                lead_time_days=p.lead_time_days,
                contact_email=p.contact_email,
                contact_phone=p.contact_phone,
                website=p.website,
            )
            for p in chunk
        ]
        exhibitor_objects += _insert(Exhibitor, objects)
        phases.tick(min(done * BATCH, total), total)
    links = _link_facets(
        Exhibitor,
        _EXHIBITOR_FIELD,
        [(o.pk, p.facets) for o, p in zip(exhibitor_objects, plan.exhibitors, strict=True)],
        term_ids,
    )

    phases.start("booths", total)
    per_hall = {code: sum(1 for p in plan.exhibitors if p.hall == code) for code in halls}
    width = max(3, len(str(max(per_hall.values(), default=0))))
    numbers = dict.fromkeys(halls, 0)
    booths = []
    for obj, p in zip(exhibitor_objects, plan.exhibitors, strict=True):
        numbers[p.hall] += 1
        code = f"{p.hall}{numbers[p.hall]:0{width}d}"
        booths.append(Booth(expo=expo, hall=halls[p.hall], code=code, exhibitor=obj, tables=p.tables))
    _insert(Booth, booths)
    tables = [Table(booth=booth, number=k) for booth in booths for k in range(1, booth.tables + 1)]
    _insert(Table, tables)
    phases.tick(total, total)

    # Buyers: a user each (one password hash shared by every demo account: hashing is slow).
    password = make_password(settings.SHUTTLE_DEMO_PASSWORD)
    now = timezone.now()
    total = len(plan.buyers)
    phases.start("buyers", total)
    buyer_objects = []
    for done, chunk in enumerate(_chunks(plan.buyers), start=1):
        users = _insert(
            User,
            [
                User(
                    email=p.email,
                    name=p.name,
                    company=p.company,
                    country=p.country,
                    preferred_language=p.language,
                    role=Role.BUYER,
                    email_confirmed=True,
                    password=password,
                    date_joined=now,
                )
                for p in chunk
            ],
        )
        objects = [
            Buyer(
                expo=expo,
                user=user,
                external_id=p.external_id,
                company=p.company,
                country=p.country,
                order_quantity_m=p.order_quantity_m,
                price_min_cny=p.price_min_cny,
                price_max_cny=p.price_max_cny,
                lead_time_days=p.lead_time_days,
                verified=p.verified,
            )
            for user, p in zip(users, chunk, strict=True)
        ]
        buyer_objects += _insert(Buyer, objects)
        phases.tick(min(done * BATCH, total), total)
    phases.start("buyer facets", 1)
    links += _link_facets(
        Buyer,
        _BUYER_FIELD,
        [(o.pk, p.facets) for o, p in zip(buyer_objects, plan.buyers, strict=True)],
        term_ids,
    )
    phases.tick(1, 1)

    phases.start("logins", 1)
    organiser = User(
        email=f"organiser@{domain}",
        name="Demo Organiser",
        company="Shengze Expo Office",
        country="CN",
        role=Role.ORGANISER,
        is_staff=True,
        is_superuser=True,
        email_confirmed=True,
        password=password,
    )
    first = exhibitor_objects[0]
    staff = User(
        email=f"staff@{domain}",
        name="Chen Jing",
        company=first.name_en,
        country=first.country,
        role=Role.EXHIBITOR_STAFF,
        is_staff=True,
        email_confirmed=True,
        password=password,
    )
    for user in (organiser, staff):
        user.full_clean()
    _insert(User, [organiser, staff])
    # The same services as the admin, so role groups (admin permissions) follow the roles.
    user_set_role(user=organiser, role=Role.ORGANISER)
    staff_member_add(exhibitor=first, email=staff.email)
    phases.tick(1, 1)

    phases.start("meetings", 1)
    met = demo_meetings(
        expo=expo,
        seed=seed,
        buyers=buyer_objects,
        exhibitors=exhibitor_objects,
        fabrics=[p.facets["fabric"] for p in plan.exhibitors],
        organiser=organiser,
        staff_user=staff,
    )
    phases.tick(1, 1)
    return DemoSeedResult(
        expo=expo,
        exhibitors=len(exhibitor_objects),
        buyers=len(buyer_objects),
        halls=len(halls),
        booths=len(booths),
        tables=len(tables),
        facet_links=links,
        logins=demo_logins(expo_slug=expo_slug),
        meetings=met.meetings,
        deals=met.deals,
        samples=met.samples,
    )
