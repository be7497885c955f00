"""Matching's views, one module per area (STYLE.md, section 1): a buyer's matches (API), the
buyer's recommendation pages, full match runs (API and the organiser's page), the exhibitor's leads."""

from matching.views.leads import ExhibitorLeadListApi, lead_invite_page, leads_page
from matching.views.matches import MatchFeedbackApi, MatchListApi
from matching.views.recommendations import (
    not_interested_page,
    not_interested_restore_page,
    recommendation_feedback_page,
    recommendations_page,
)
from matching.views.runs import (
    MatchRunDetailApi,
    MatchRunListApi,
    MatchRunStartApi,
    organiser_matching_page,
    run_progress_partial,
)

__all__ = [
    "ExhibitorLeadListApi",
    "MatchFeedbackApi",
    "MatchListApi",
    "MatchRunDetailApi",
    "MatchRunListApi",
    "MatchRunStartApi",
    "lead_invite_page",
    "leads_page",
    "not_interested_page",
    "not_interested_restore_page",
    "organiser_matching_page",
    "recommendation_feedback_page",
    "recommendations_page",
    "run_progress_partial",
]
