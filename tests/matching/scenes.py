"""Database scenes shared by the matching service tests: random profiles, a full run, the served lists."""

import random
from decimal import Decimal

from matching.models import Match, MatchRun
from matching.selectors import match_run_served
from matching.services import runs
from tests.factories.matching import buyer_with, exhibitor_with

FABRICS = ["chiffon", "georgette", "satin", "taffeta", "twill", "oxford", "pongee", "jacquard"]
PROCESSES = ["dyeing", "digital-printing", "coating", "pu-coating", "rotary-printing"]
FIBRES = ["polyester", "nylon", "silk", "recycled-polyester"]
END_USES = ["womens-wear", "menswear", "sportswear", "lining"]
CERTS = ["oeko-tex-100", "grs", "bluesign"]


def populate(expo, *, buyers: int, exhibitors: int, seed: int = 1):
    rng = random.Random(seed)
    made_exhibitors = [
        exhibitor_with(
            expo=expo,
            fabrics=rng.sample(FABRICS, rng.randint(1, 4)),
            processes=rng.sample(PROCESSES, rng.randint(0, 3)),
            fibres=rng.sample(FIBRES, rng.randint(0, 2)),
            end_uses=rng.sample(END_USES, rng.randint(0, 2)),
            certifications=rng.sample(CERTS, rng.randint(0, 2)),
            moq_m=rng.choice([None, 500, 1000, 3000]),
            capacity_m_month=rng.choice([None, 20_000, 100_000]),
            price_min_cny=Decimal(rng.choice(["8.00", "10.00", "12.50"])),
            price_max_cny=Decimal("16.00"),
            lead_time_days=rng.choice([None, 15, 30, 45]),
        )
        for _ in range(exhibitors)
    ]
    made_buyers = [
        buyer_with(
            expo=expo,
            fabrics=rng.sample(FABRICS, rng.randint(1, 2)),
            processes=rng.sample(PROCESSES, rng.randint(0, 2)),
            certifications_required=rng.sample(CERTS, rng.randint(0, 1)),
            order_quantity_m=rng.choice([None, 2000, 5000]),
            lead_time_days=rng.choice([None, 30]),
        )
        for _ in range(buyers)
    ]
    return made_buyers, made_exhibitors


def full_run(expo, *, chunk_size: int | None = None) -> MatchRun:
    run = runs.match_run_start(expo=expo, dispatch=False)
    return runs.match_run_execute(run=run, chunk_size=chunk_size)


def served_lists(expo) -> dict[int, list[tuple[int, float]]]:
    run = match_run_served(expo=expo)
    lists: dict[int, list[tuple[int, float]]] = {}
    for buyer_id, exhibitor_id, score in (
        Match.objects.filter(run=run)
        .order_by("buyer_id", "rank")
        .values_list("buyer_id", "exhibitor_id", "score")
    ):
        lists.setdefault(buyer_id, []).append((exhibitor_id, score))
    return lists
