"""Reasons of a match as sentences in the active language (English or Simplified Chinese).

The database keeps reasons structured (`Match.reason_codes` flags and `Match.reason_terms` bits
over the run's term layout); this module turns them into text for the API and the pages, with
term names from the taxonomy in the request's language.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from expo.cache import term_names
from matching import scoring
from matching.models import Match, MatchRun


def _terms_of(match: Match, layout: scoring.Layout) -> dict[str, list[int]]:
    words = np.frombuffer(bytes(match.reason_terms), dtype="<u8")
    return scoring.decode_terms(layout, words)


def _names(ids: list[int], terms: dict[int, str]) -> str:
    separator = pgettext("separator between items of a list", ", ")
    return separator.join(terms[pk] for pk in ids if pk in terms)


def _number(value) -> str:
    return number_format(value, decimal_pos=0, force_grouping=True)


def _price(value) -> str:
    return number_format(value, decimal_pos=2)


def reasons_text(matches: Iterable[Match], run: MatchRun | None) -> dict[int, list[str]]:
    """match id → its reasons as sentences; matches need `exhibitor` and `buyer` loaded."""
    matches = list(matches)
    if not matches or run is None:
        return {}
    layout = scoring.Layout.from_json(run.layout)
    decoded = {match.pk: _terms_of(match, layout) for match in matches}
    wanted = {pk for terms in decoded.values() for ids in terms.values() for pk in ids}
    terms = term_names(wanted)  # names in the active language, read once per process
    return {match.pk: _sentences(match, decoded[match.pk], terms) for match in matches}


def _sentences(match: Match, matched: dict[str, list[int]], terms: dict[int, str]) -> list[str]:
    codes = match.reason_codes
    exhibitor, buyer = match.exhibitor, match.buyer
    out = []
    templates = {
        "fabric": _("Makes the fabrics you want: %(terms)s"),
        "process": _("Offers the processes you need: %(terms)s"),
        "fibre": _("Works with your fibres: %(terms)s"),
        "end_use": _("Serves your end uses: %(terms)s"),
    }
    for kind in scoring.FACET_KINDS:
        if matched[kind]:
            out.append(templates[kind] % {"terms": _names(matched[kind], terms)})
    if codes & scoring.REASON_CERTIFIED and matched[scoring.CERTIFICATION]:
        out.append(
            _("Holds the certifications you require: %(terms)s")
            % {"terms": _names(matched[scoring.CERTIFICATION], terms)}
        )
    if codes & scoring.REASON_MOQ_OK and exhibitor.moq_m and buyer.order_quantity_m:
        out.append(
            _("Minimum order of %(moq)s m fits your order of %(quantity)s m")
            % {"moq": _number(exhibitor.moq_m), "quantity": _number(buyer.order_quantity_m)}
        )
    if codes & scoring.REASON_CAPACITY_OK and exhibitor.capacity_m_month:
        out.append(
            _("Capacity of %(capacity)s m a month covers your order in time")
            % {"capacity": _number(exhibitor.capacity_m_month)}
        )
    if codes & scoring.REASON_CAPACITY_SHORT and exhibitor.capacity_m_month:
        out.append(
            _("Capacity of %(capacity)s m a month covers only part of your order in time")
            % {"capacity": _number(exhibitor.capacity_m_month)}
        )
    if codes & (scoring.REASON_PRICE_IN_RANGE | scoring.REASON_PRICE_PARTIAL) and exhibitor.price_min_cny:
        high = exhibitor.price_max_cny or exhibitor.price_min_cny
        values = {"low": _price(exhibitor.price_min_cny), "high": _price(high)}
        if codes & scoring.REASON_PRICE_IN_RANGE:
            out.append(_("Price of %(low)s–%(high)s CNY/m is within your target") % values)
        else:
            out.append(_("Price of %(low)s–%(high)s CNY/m partly overlaps your target") % values)
    if codes & scoring.REASON_LEAD_TIME_OK and exhibitor.lead_time_days is not None and buyer.lead_time_days:
        out.append(
            _("Delivers in %(days)s days, within the %(needed)s days you need")
            % {"days": exhibitor.lead_time_days, "needed": buyer.lead_time_days}
        )
    if codes & scoring.REASON_LEAD_TIME_LONG and exhibitor.lead_time_days and buyer.lead_time_days:
        out.append(
            _("Needs %(days)s days; you asked for %(needed)s")
            % {"days": exhibitor.lead_time_days, "needed": buyer.lead_time_days}
        )
    if codes & scoring.REASON_EXISTING_CUSTOMER:
        out.append(_("You already trade with this exhibitor"))
    return out
