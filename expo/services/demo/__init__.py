"""Deterministic demo data (`seed_demo`): an expo with halls, booths, exhibitors, buyers and logins.

`plan` draws the data set from a seed (pure: the same arguments give the same names, facets and
numbers on any database), with the helpers in `draws`; `seed` writes it in one transaction with
bulk inserts (PostgreSQL `COPY` for the many-to-many rows), so 50,000 buyers × 5,000 exhibitors
take well under two minutes, and `meetings` adds the meetings, deals and samples; `reset` removes
it and `logins` names the demo logins; `data` holds the vocabulary (names, places, popularity,
price bands).
"""

from expo.services.demo.logins import DemoLogin, demo_logins
from expo.services.demo.plan import DemoPlan, demo_email_domain, demo_plan
from expo.services.demo.reset import demo_has_data, demo_reset
from expo.services.demo.seed import DemoSeedResult, ProgressCallback, demo_seed

__all__ = [
    "DemoLogin",
    "DemoPlan",
    "DemoSeedResult",
    "ProgressCallback",
    "demo_email_domain",
    "demo_has_data",
    "demo_logins",
    "demo_plan",
    "demo_reset",
    "demo_seed",
]
