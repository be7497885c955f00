"""The score of one pair in plain Python: the oracle for the vectorised engines and the slow baseline
the benchmark times on a sample. Written from the formula in docs/matching.md, not from the engines.
"""

import math

from matching.scoring import CERTIFICATION, FACET_KINDS, KINDS, Layout, Weights


def _nan(x: float) -> bool:
    return x != x


def terms_of(layout: Layout, words) -> dict[str, set[int]]:
    """Bit positions per kind of one profile's words."""
    out = {}
    for k, kind in enumerate(KINDS):
        found = set()
        for word in range(layout.word_start[k], layout.word_start[k + 1]):
            value = int(words[word])
            for bit in range(64):
                if value >> bit & 1:
                    found.add((word - layout.word_start[k]) * 64 + bit)
        out[kind] = found
    return out


def score_pair(buyers, b: int, exhibitors, e: int, layout: Layout, weights: Weights) -> float:
    """Score of buyer row `b` and exhibitor row `e`, or -1.0 if a hard rule excludes the pair."""
    wants = terms_of(layout, buyers.bits[b])
    offers = terms_of(layout, exhibitors.bits[e])
    qty, b_lo, b_hi, b_lead = (
        float(buyers.quantity[b]),
        float(buyers.price_min[b]),
        float(buyers.price_max[b]),
        float(buyers.lead_time[b]),
    )
    moq, cap, e_lo, e_hi, e_lead = (
        float(exhibitors.moq[e]),
        float(exhibitors.capacity[e]),
        float(exhibitors.price_min[e]),
        float(exhibitors.price_max[e]),
        float(exhibitors.lead_time[e]),
    )
    # Hard rules.
    if not wants[CERTIFICATION] <= offers[CERTIFICATION]:
        return -1.0
    if sum(len(wants[kind] & offers[kind]) for kind in FACET_KINDS) == 0:
        return -1.0
    if not _nan(qty) and not _nan(moq) and moq > qty:
        return -1.0
    if not _nan(b_hi) and not _nan(e_lo) and e_lo > b_hi:
        return -1.0

    w = weights
    facet_weights = {"fabric": w.fabric, "process": w.process, "fibre": w.fibre, "end_use": w.end_use}
    num = 0.0
    den = 0.0
    for kind in FACET_KINDS:
        if wants[kind]:
            num += facet_weights[kind] * (len(wants[kind] & offers[kind]) / len(wants[kind]))
            den += facet_weights[kind]
    numeric = 0.0
    if not _nan(qty):
        months = max(1.0, b_lead / 30.0) if not _nan(b_lead) else 1.0
        q = min(cap * (months / qty), 1.0) if not _nan(cap) else 0.5
        numeric += w.quantity * q
        den += w.quantity
    if not _nan(b_lo) or not _nan(b_hi):
        if _nan(e_lo):
            p = 0.5
        else:
            low_b = 0.0 if _nan(b_lo) else b_lo
            high_b = math.inf if _nan(b_hi) else b_hi
            high_e = e_lo if _nan(e_hi) else e_hi
            if high_e > e_lo:
                p = min(max((min(high_e, high_b) - max(e_lo, low_b)) * (1.0 / (high_e - e_lo)), 0.0), 1.0)
            else:
                p = 1.0 if low_b <= e_lo <= high_b else 0.0
        numeric += w.price * p
        den += w.price
    if not _nan(b_lead):
        lt = 0.5 if _nan(e_lead) else 1.0 if e_lead <= b_lead else b_lead * (1.0 / e_lead)
        numeric += w.lead_time * lt
        den += w.lead_time
    return (num + numeric) * (1.0 / den) if den > 0 else 0.0
