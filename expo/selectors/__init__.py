"""Reads for the expo app: querysets with their joins already chosen, one module per area.

Re-exported here, so `from expo.selectors import exhibitor_list` works everywhere.
"""

from expo.selectors.deals import (
    MET_STATUSES,
    buyers_met_by,
    deal_get_for_user,
    deal_history,
    deal_list,
    deal_list_for_user,
    exhibitor_leads,
    expo_figures,
    meeting_for_user,
    meetings_per_hour,
    sample_list_for_user,
)
from expo.selectors.floor import expo_current, hall_list, slot_list
from expo.selectors.meetings import (
    buyer_live_meeting_count,
    exhibitor_free_slots,
    exhibitor_live_meeting_count,
    meeting_list,
    meeting_list_for_user,
    meeting_policy,
)
from expo.selectors.profiles import (
    DIRECTORY_FACETS,
    buyer_for_user,
    buyer_meeting_request_allowance,
    buyer_profile_complete,
    exhibitor_contacts_visible,
    exhibitor_facet_counts,
    exhibitor_for_user,
    exhibitor_get,
    exhibitor_list,
    exhibitors_in_halls,
    exhibitors_matching,
    exhibitors_with_any_term,
)
from expo.selectors.taxonomy import term_list

__all__ = [
    "MET_STATUSES",
    "buyer_live_meeting_count",
    "exhibitor_free_slots",
    "exhibitor_live_meeting_count",
    "meeting_list",
    "meeting_list_for_user",
    "meeting_policy",
    "DIRECTORY_FACETS",
    "buyer_for_user",
    "buyers_met_by",
    "deal_get_for_user",
    "deal_history",
    "deal_list",
    "deal_list_for_user",
    "buyer_meeting_request_allowance",
    "buyer_profile_complete",
    "exhibitor_contacts_visible",
    "exhibitor_facet_counts",
    "exhibitor_for_user",
    "exhibitor_get",
    "exhibitor_list",
    "exhibitors_in_halls",
    "exhibitors_matching",
    "exhibitors_with_any_term",
    "exhibitor_leads",
    "expo_figures",
    "meetings_per_hour",
    "meeting_for_user",
    "sample_list_for_user",
    "expo_current",
    "hall_list",
    "slot_list",
    "term_list",
]
