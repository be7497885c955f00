"""Reads of buyer and exhibitor profiles: a buyer's own profile, the exhibitor directory."""

import re
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from expo.models import EXHIBITOR_FACETS, Booth, Buyer, Exhibitor, Expo, Hall, Term


def buyer_for_user(*, user, expo: Expo | None) -> Buyer | None:
    """The user's buyer profile at `expo`, with its facets loaded, or None."""
    if expo is None or not user.is_authenticated:
        return None
    return (
        Buyer.objects.filter(expo=expo, user=user)
        .select_related("expo", "user")
        .prefetch_related("fabrics", "processes", "fibres", "end_uses", "certifications_required")
        .first()
    )


def buyer_profile_complete(*, buyer: Buyer | None) -> bool:
    """Whether a buyer said what they source (a fabric, process, fibre or end use): enough to match."""
    if buyer is None or buyer.pk is None:
        return False
    return any(getattr(buyer, facet).exists() for facet in ("fabrics", "processes", "fibres", "end_uses"))


def exhibitor_contacts_visible(*, user) -> bool:
    """Exhibitors' email and phone are for organisers and buyers whose address is confirmed:
    someone who registered with an address they do not read cannot harvest them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_organiser or (user.is_buyer and user.email_confirmed)


def buyer_meeting_request_allowance(*, buyer: Buyer, active_meetings: int | None = None) -> int | None:
    """How many more meetings the buyer may request at their expo now; None means no limit.

    Counts the buyer's active meetings (requested or accepted, an overdue request not included),
    not every request ever made: a cancelled, declined or expired one gives its place back. The
    limit is the organiser's per-buyer limit (`MeetingPolicy.buyer_limit`) and, for a buyer not yet
    verified, also `expo.unverified_request_limit` (the lower wins), which keeps sellers from
    prospecting exhibitors under a buyer badge. `active_meetings` spares the count when the caller
    (the booking service, under its lock) already has it.
    """
    from expo.selectors.meetings import buyer_live_meeting_count, meeting_policy

    limits = [meeting_policy(expo=buyer.expo).buyer_limit]
    if not buyer.verified:
        limits.append(buyer.expo.unverified_request_limit)
    limits = [limit for limit in limits if limit is not None]
    if not limits:
        return None
    if active_meetings is None:
        active_meetings = buyer_live_meeting_count(buyer=buyer) if buyer.pk else 0
    return max(0, min(limits) - active_meetings)


# --- Exhibitor directory -----------------------------------------------------------------------

# Directory filter parameter → exhibitor facet field.
DIRECTORY_FACETS: dict[str, str] = {
    "fabric": "fabrics",
    "process": "processes",
    "fibre": "fibres",
    "end_use": "end_uses",
    "certification": "certifications",
}
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_WORD = re.compile(r"[^\W_]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\uff21-\uff3a\uff41-\uff5a]")


def exhibitor_list(*, expo: Expo) -> QuerySet[Exhibitor]:
    """The expo's exhibitors with booths, halls and all five facets prefetched.

    A page of any size costs the same number of queries: one per prefetched relation.
    """
    booths = Prefetch("booths", queryset=Booth.objects.select_related("hall").order_by("code"))
    return (
        Exhibitor.objects.for_expo(expo).prefetch_related(booths, *EXHIBITOR_FACETS).order_by("name_en", "id")
    )


def exhibitor_get(*, expo: Expo, pk: int) -> Exhibitor | None:
    return exhibitor_list(expo=expo).filter(pk=pk).first()


def exhibitors_with_any_term(queryset: QuerySet[Exhibitor], *, facet: str, terms: Iterable[Term]) -> QuerySet:
    """Exhibitors offering at least one of `terms` in `facet` (OR within one facet).

    An EXISTS subquery rather than a join, so no exhibitor is repeated and no DISTINCT is needed.
    """
    through = getattr(Exhibitor, facet).through
    offered = through.objects.filter(exhibitor_id=OuterRef("pk"), term_id__in=[t.pk for t in terms])
    return queryset.filter(Exists(offered))


def exhibitors_in_halls(queryset: QuerySet[Exhibitor], *, halls: Iterable[Hall]) -> QuerySet:
    in_hall = Booth.objects.filter(exhibitor_id=OuterRef("pk"), hall_id__in=[h.pk for h in halls])
    return queryset.filter(Exists(in_hall))


def exhibitors_matching(queryset: QuerySet[Exhibitor], *, search: str) -> QuerySet:
    """Exhibitors whose names or descriptions (English or Chinese) match every word of `search`.

    On PostgreSQL, Latin-script words go through full-text search (prefix matches, the "simple"
    configuration so pinyin and brand names are not stemmed) on a stored document with a GIN
    index (migrations 0004 and 0008). Chinese is written without spaces, so a word containing CJK characters is
    matched as a substring instead. Elsewhere (SQLite) every word is a case-insensitive substring.
    """
    words = search.split()
    latin = [w for w in words if not _CJK.search(w)]
    substrings = [w for w in words if _CJK.search(w)]
    if settings.IS_POSTGRES:
        tokens = [token for word in latin for token in _WORD.findall(word.lower())]
        if tokens:
            query = " & ".join(f"{token}:*" for token in tokens)
            # A self-contained subquery on the stored document (migration 0004), so it stays
            # valid wherever Django nests this queryset.
            matching = RawSQL(
                'SELECT "id" FROM "expo_exhibitor" WHERE "search_document" @@ to_tsquery(\'simple\'::regconfig, %s)',
                [query],
            )
            queryset = queryset.filter(pk__in=matching)
    else:
        substrings = words
    for word in substrings:
        if _CJK.search(word) and not _LATIN.search(word):
            # Chinese has no letter case: a plain LIKE, much cheaper than UPPER() on every row.
            match = (
                Q(name_en__contains=word)
                | Q(name_zh__contains=word)
                | Q(description_en__contains=word)
                | Q(description_zh__contains=word)
            )
        else:
            match = (
                Q(name_en__icontains=word)
                | Q(name_zh__icontains=word)
                | Q(description_en__icontains=word)
                | Q(description_zh__icontains=word)
            )
        queryset = queryset.filter(match)
    return queryset


def exhibitor_facet_counts(*, querysets: dict[str, QuerySet[Exhibitor]]) -> dict[str, dict[int, int]]:
    """For each facet field, how many exhibitors of its queryset offer each term: {facet: {term_id: n}}.

    The caller passes, per facet, the directory filtered by everything except that facet, so a
    count says how many results ticking that term (OR within a facet) would add.
    """
    counts: dict[str, dict[int, int]] = {}
    for facet, queryset in querysets.items():
        through = getattr(Exhibitor, facet).through
        rows = (
            through.objects.filter(exhibitor_id__in=queryset.order_by().values("pk"))
            .values("term_id")
            .annotate(n=Count("exhibitor_id"))
            .values_list("term_id", "n")
        )
        counts[facet] = dict(rows)
    return counts


def exhibitor_for_user(*, user) -> Exhibitor | None:
    """The company an exhibitor staff user works for; None for anyone else (buyers, organisers)."""
    if not getattr(user, "is_authenticated", False) or not user.is_exhibitor_staff:
        return None
    return Exhibitor.objects.select_related("expo").filter(staff__user=user).first()
