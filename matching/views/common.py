"""What the matching views share: a buyer's served match, the reasons and feedback of a page of them."""

from expo.models import Buyer
from matching.models import Match, MatchRun
from matching.reasons import reasons_text
from matching.selectors import match_feedback_of, match_run_served


def match_context(buyer: Buyer | None, run: MatchRun | None, matches: list[Match]) -> dict:
    """The reasons (in the active language) and the buyer's feedback of a page of its matches."""
    if buyer is None or not matches:
        return {"reasons": {}, "feedback": {}}
    return {
        "reasons": reasons_text(matches, run),
        "feedback": match_feedback_of(buyer=buyer, exhibitor_ids=[m.exhibitor_id for m in matches]),
    }


def own_served_match(*, user, pk: int) -> Match | None:
    """The match `pk` if it is in the served list of one of the user's buyer profiles."""
    buyers = list(Buyer.objects.filter(user=user).select_related("expo"))
    runs = [run for run in (match_run_served(expo=b.expo) for b in buyers) if run is not None]
    if not runs:
        return None
    return (
        Match.objects.filter(pk=pk, run__in=runs, buyer__in=buyers)
        .select_related("buyer", "exhibitor", "run")
        .first()
    )


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
