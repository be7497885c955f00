"""The demo data set as plain records: pure, from a seed and the taxonomy alone.

numpy's generator seeded with `seed` draws every name, facet and number, whole columns at a time;
nothing depends on primary keys or database order, so the same arguments give the same data on
SQLite and PostgreSQL. Facets follow Zipf-like popularity (`data.POPULARITY`) within coherent
mill types and buyer segments; quantities are log-normal; prices follow fabric and fibre.
Every value stays inside the model constraints by construction.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.utils.text import slugify

from expo.models import BUYER_FACETS
from expo.provinces import province_code
from expo.services.demo import data
from expo.services.demo.draws import (
    KINDS,
    _band,
    _draw_sets,
    _english_list,
    _Kind,
    _nice,
    _pick,
    _price_range,
    _vocabulary,
)

# The buyer profile's facet field of each kind.
_BUYER_FIELD = {kind: name for name, kind in BUYER_FACETS.items()}
_COUNTRY_NAMES = {
    "KR": "South Korea",
    "JP": "Japan",
    "IT": "Italy",
    "IN": "India",
    "TR": "Türkiye",
    "PK": "Pakistan",
    "VN": "Vietnam",
}
# Chinese names of the foreign mills' countries and cities, for their Chinese descriptions.
_FOREIGN_ZH = {
    "Daegu": ("韩国", "大邱"),
    "Fukui": ("日本", "福井"),
    "Como": ("意大利", "科莫"),
    "Surat": ("印度", "苏拉特"),
    "Bursa": ("土耳其", "布尔萨"),
    "Faisalabad": ("巴基斯坦", "费萨拉巴德"),
    "Nam Dinh": ("越南", "南定"),
}
_AREA_CODES = {"JS": "512", "ZJ": "575", "FJ": "591", "GD": "757", "SD": "536"}


# --- Plans ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class ExhibitorPlan:
    external_id: str
    name_en: str
    name_zh: str
    country: str
    province: str  # a code of expo.provinces, for mills in China
    region: str  # the city, for mills elsewhere
    description_en: str
    description_zh: str
    facets: dict[str, tuple[str, ...]]  # kind → slugs, most popular first
    moq_m: int
    capacity_m_month: int
    price_min_cny: Decimal
    price_max_cny: Decimal
    lead_time_days: int
    contact_email: str
    contact_phone: str
    website: str
    hall: str
    tables: int


@dataclass(slots=True)
class BuyerPlan:
    external_id: str
    email: str
    name: str
    company: str
    country: str
    language: str
    verified: bool
    facets: dict[str, tuple[str, ...]]
    order_quantity_m: int
    price_min_cny: Decimal | None
    price_max_cny: Decimal | None
    lead_time_days: int | None


@dataclass
class DemoPlan:
    exhibitors: list[ExhibitorPlan]
    buyers: list[BuyerPlan]


def demo_email_domain(expo_slug: str) -> str:
    """Demo accounts live under a reserved `.test` domain named after the expo."""
    return f"{expo_slug.replace('_', '-').lower()}.shuttle.test"


# --- The plan (pure) -----------------------------------------------------------------------------


def demo_plan(*, buyers: int, exhibitors: int, seed: int, expo_slug: str, terms: Iterable[tuple]) -> DemoPlan:
    """The demo data set as plain records, from `seed` alone (no PKs, no database order).

    `terms` are (kind, slug, name_en, name_zh, parent_slug) tuples of the taxonomy.
    """
    rng = np.random.default_rng(seed)
    vocabulary = _vocabulary(terms)
    exhibitor_plans = _plan_exhibitors(rng, exhibitors, vocabulary)
    buyer_plans = _plan_buyers(rng, buyers, vocabulary, demo_email_domain(expo_slug))
    return DemoPlan(exhibitors=exhibitor_plans, buyers=buyer_plans)


def _plan_exhibitors(rng: np.random.Generator, n: int, vocabulary: dict[str, _Kind]) -> list[ExhibitorPlan]:
    types = data.MILL_TYPES
    type_of = _pick(rng, types, n, [t["share"] for t in types])
    foreign = rng.random(n) < data.FOREIGN_EXHIBITOR_SHARE
    place_of = _pick(rng, data.MILL_PLACES, n, [p[3] for p in data.MILL_PLACES])
    foreign_of = rng.integers(len(data.FOREIGN_MILLS), size=n)
    name_draws = rng.random((n, 3))
    hall_draw = rng.random(n)
    tables = _pick(rng, data.TABLE_SHARES, n, data.TABLE_SHARES) + 1
    phones = rng.integers(60_000_000, 69_999_999, size=n)

    # Facets, kind by kind, each mill type favouring its own terms.
    facets: list[dict[str, tuple[str, ...]]] = [{} for _ in range(n)]
    for kind in ("fabric", "process", "fibre", "end_use"):
        vocab = vocabulary[kind]
        per_type = (
            np.stack([vocab.weights(t[kind]) for t in types]) if vocab.slugs else np.zeros((len(types), 0))
        )
        low = np.array([t["counts"][kind][0] for t in types])[type_of]
        high = np.array([t["counts"][kind][1] for t in types])[type_of]
        counts = rng.integers(low, high + 1)
        for i, chosen in enumerate(_draw_sets(rng, per_type[type_of], counts)):
            facets[i][kind] = tuple(vocab.slugs[j] for j in sorted(chosen))
    certs = vocabulary["certification"]
    probability = np.tile([data.EXHIBITOR_CERT_PROBABILITY.get(s, 0.03) for s in certs.slugs], (n, 1))
    for cert, facet, factor in data.CERT_BOOSTS:
        if cert in certs.slugs:
            has = np.array([facet in f["fibre"] or facet in f["process"] for f in facets])
            probability[has, certs.slugs.index(cert)] *= factor
    holds = rng.random(probability.shape) < np.minimum(probability, 0.95)
    for i in range(n):
        facets[i]["certification"] = tuple(s for j, s in enumerate(certs.slugs) if holds[i, j])

    # Numbers: log-normal around each mill type's scale, rounded as a sales sheet would.
    moq = _nice(np.array([types[t]["moq"] for t in type_of]) * rng.lognormal(0, 0.7, n), 50)
    capacity = np.array([types[t]["capacity"] for t in type_of]) * rng.lognormal(0, 0.6, n)
    capacity = _nice(np.maximum(capacity, moq * 20), 10_000)
    lead = np.clip(np.round(np.array([types[t]["lead"] for t in type_of]) * rng.lognormal(0, 0.35, n)), 7, 60)
    price_low_jitter = rng.uniform(0.9, 1.1, n)
    price_high_jitter = rng.uniform(0.95, 1.2, n)

    hall_codes = [h[0] for h in data.HALLS]
    halls_of_type: dict[str, list[str]] = {}
    for code, _en, _zh, keys in data.HALLS:
        for key in keys:
            halls_of_type.setdefault(key, []).append(code)

    plans = []
    used_names: set[str] = set()
    for i in range(n):
        mill = types[type_of[i]]
        word_zh, word_en = mill["words"][int(name_draws[i, 2] * len(mill["words"]))]
        if foreign[i]:
            country, city, pattern, brands = data.FOREIGN_MILLS[foreign_of[i]]
            province, region, place, place_slug = "", city, city, slugify(city)
            place_zh = "".join(_FOREIGN_ZH[city])
            brand = brands[int(name_draws[i, 0] * len(brands))]
            name_en, name_zh = pattern.format(brand=brand, type=word_en), ""
            brand_slug = slugify(brand)
        else:
            place_zh, place_en, province_en, _weight = data.MILL_PLACES[place_of[i]]
            province, region = province_code(province_en), ""
            country, place, place_slug = "CN", f"{place_en}, {province_en}", slugify(place_en)
            first = data.BRAND_FIRST[int(name_draws[i, 0] * len(data.BRAND_FIRST))]
            second = data.BRAND_SECOND[int(name_draws[i, 1] * len(data.BRAND_SECOND))]
            if first[0] == second[0]:  # "盛盛" is no name; take the next second character
                second = data.BRAND_SECOND[(data.BRAND_SECOND.index(second) + 1) % len(data.BRAND_SECOND)]
            brand = first[1] + second[1]
            name_en = f"{place_en} {brand} {word_en} Co., Ltd."
            name_zh = f"{place_zh}{first[0]}{second[0]}{word_zh}有限公司"
            brand_slug = slugify(brand)
        # Names are unique: a clash takes the next free branch number ("… No. 2").
        base_en, base_zh, branch = name_en, name_zh, 1
        while name_en in used_names:
            branch += 1
            name_en = base_en.replace(" Co., Ltd.", f" No. {branch} Co., Ltd.")
            name_en = name_en if name_en != base_en else f"{base_en} ({branch})"
            name_zh = f"{base_zh[:-4]}{branch}{base_zh[-4:]}" if base_zh else ""
        used_names.add(name_en)
        domain = (
            f"{place_slug}-{brand_slug}-{slugify(word_en)}{'-' + str(branch) if branch > 1 else ''}.example"
        )

        f = facets[i]
        hall_options = halls_of_type["foreign"] if foreign[i] else halls_of_type.get(mill["key"], hall_codes)
        band_low, band_high, factor_low, factor_high = _band(f["fabric"], f["fibre"])
        price_min, price_max = _price_range(
            band_low * factor_low * mill["price"] * price_low_jitter[i],
            band_high * factor_high * mill["price"] * price_high_jitter[i],
        )
        description_en, description_zh = _exhibitor_description(mill, f, vocabulary, country, place, place_zh)
        plans.append(
            ExhibitorPlan(
                external_id=f"EX{i + 1:05d}",
                name_en=name_en,
                name_zh=name_zh,
                country=country,
                province=province,
                region=region,
                description_en=description_en,
                description_zh=description_zh,
                facets=f,
                moq_m=int(moq[i]),
                capacity_m_month=int(capacity[i]),
                price_min_cny=price_min,
                price_max_cny=price_max,
                lead_time_days=int(lead[i]),
                contact_email=f"sales@{domain}",
                contact_phone=(
                    f"+86 {_AREA_CODES.get(province, '512')} {phones[i] // 10_000} {phones[i] % 10_000:04d}"
                    if country == "CN"
                    else ""
                ),
                website=f"https://www.{domain}/",
                hall=hall_options[int(hall_draw[i] * len(hall_options))],
                tables=int(tables[i]),
            )
        )
    return plans


def _exhibitor_description(mill, facets, vocabulary, country, place, place_zh) -> tuple[str, str]:
    """(English, Chinese): what the mill makes, where, and for which end uses."""
    fabrics = [vocabulary["fabric"].names[s] for s in facets["fabric"][:4]]
    uses = [vocabulary["end_use"].names[s] for s in facets["end_use"][:3]]
    where = f"{place}, {_COUNTRY_NAMES.get(country, country)}" if country != "CN" else place
    english = f"{mill['tagline'][0]} in {where}"
    if fabrics:
        english += f": {_english_list([en.lower() for en, _ in fabrics])}"
    if uses:
        english += f" for {_english_list([en.lower() for en, _ in uses])}"
    english += "."
    chinese = f"位于{place_zh}的{mill['tagline'][1]}"
    if fabrics:
        chinese += "，主营" + "、".join(zh for _, zh in fabrics)
    if uses:
        chinese += "，用于" + "、".join(zh for _, zh in uses)
    return english, chinese + "。"


def _plan_buyers(
    rng: np.random.Generator, n: int, vocabulary: dict[str, _Kind], domain: str
) -> list[BuyerPlan]:
    segments = data.BUYER_SEGMENTS
    countries = data.BUYER_COUNTRIES
    segment_of = _pick(rng, segments, n, [s["share"] for s in segments])
    country_of = _pick(rng, countries, n, [c["weight"] for c in countries])
    name_draws = rng.random((n, 5))

    facets: list[dict[str, tuple[str, ...]]] = [{} for _ in range(n)]
    primary: dict[str, list[str | None]] = {}
    for kind in ("fabric", "process", "fibre", "end_use"):
        vocab = vocabulary[kind]
        per_segment = (
            np.stack([vocab.weights(s[kind]) for s in segments])
            if vocab.slugs
            else np.zeros((len(segments), 0))
        )
        values, probabilities = data.BUYER_FACET_COUNTS[kind]
        counts = np.asarray(values)[_pick(rng, values, n, probabilities)]
        chosen = _draw_sets(rng, per_segment[segment_of], counts)
        primary[kind] = [vocab.slugs[c[0]] if c else None for c in chosen]
        for i, picks in enumerate(chosen):
            facets[i][kind] = tuple(vocab.slugs[j] for j in sorted(picks))
    certs = vocabulary["certification"]
    cert_weights = np.tile([data.BUYER_CERT_WEIGHTS.get(s, 0.02) for s in certs.slugs], (n, 1))
    if "grs" in certs.slugs:  # whoever buys recycled polyester asks for GRS
        recycled = np.array([("recycled-polyester" in f["fibre"]) for f in facets])
        cert_weights[recycled, certs.slugs.index("grs")] *= 6
    requires = rng.random(n) < np.array([c["certs"] for c in countries])[country_of]
    values, probabilities = data.BUYER_CERT_COUNTS
    cert_counts = np.where(requires, np.asarray(values)[_pick(rng, values, n, probabilities)], 0)
    for i, picks in enumerate(_draw_sets(rng, cert_weights, cert_counts)):
        facets[i]["certification"] = tuple(certs.slugs[j] for j in sorted(picks))

    quantity = _nice(rng.lognormal(math.log(5000), 1.0, n), 100)
    price_level = rng.lognormal(0, 0.15, n)
    price_spread = rng.uniform(0.55, 0.8, n), rng.uniform(1.15, 1.6, n)
    no_price = rng.random(n) < data.BUYER_NO_PRICE_SHARE
    lead_values, lead_probabilities = data.BUYER_LEAD_TIMES
    lead = np.asarray(lead_values)[_pick(rng, lead_values, n, lead_probabilities)]
    no_lead = rng.random(n) < data.BUYER_NO_LEAD_TIME_SHARE
    verified = rng.random(n) < data.BUYER_VERIFIED_SHARE

    plans = []
    for i in range(n):
        c = countries[country_of[i]]
        pattern = c["patterns"][int(name_draws[i, 0] * len(c["patterns"]))]
        word = c["words"][int(name_draws[i, 1] * len(c["words"]))]
        city = c.get("cities", ("",))[int(name_draws[i, 2] * len(c.get("cities", ("",))))]
        first = c["first"][int(name_draws[i, 3] * len(c["first"]))]
        family = c["family"][int(name_draws[i, 4] * len(c["family"]))]
        if c["language"] == "zh-hans":
            person = family + first
        else:
            person = f"{family} {first}" if c.get("family_first") else f"{first} {family}"
        f = facets[i]
        price_min = price_max = None
        if not no_price[i]:
            # Priced on the fabric and fibre the buyer wants most.
            fabric, fibre = primary["fabric"][i], primary["fibre"][i]
            band_low, band_high, factor, _high = _band((fabric,) if fabric else (), (fibre,) if fibre else ())
            centre = (band_low + band_high) / 2 * factor * price_level[i]
            price_min, price_max = _price_range(centre * price_spread[0][i], centre * price_spread[1][i])
        plans.append(
            BuyerPlan(
                external_id=f"B{i + 1:06d}",
                email=f"buyer{i + 1:05d}@{domain}",
                name=person,
                company=pattern.format(word=word, city=city),
                country=c["country"],
                language=c["language"],
                verified=bool(verified[i]),
                facets=f,
                order_quantity_m=int(quantity[i]),
                price_min_cny=price_min,
                price_max_cny=price_max,
                lead_time_days=None if no_lead[i] else int(lead[i]),
            )
        )
    if plans:
        plans[0] = _demo_buyer(plans[0], vocabulary, domain)
    return plans


def _demo_buyer(plan: BuyerPlan, vocabulary: dict[str, _Kind], domain: str) -> BuyerPlan:
    """The first buyer is the demo login, with the complete, fixed profile of `DEMO_BUYER`."""
    d = data.DEMO_BUYER
    facets = {kind: tuple(s for s in vocabulary[kind].slugs if s in d[_BUYER_FIELD[kind]]) for kind in KINDS}
    return BuyerPlan(
        external_id=plan.external_id,
        email=f"buyer@{domain}",
        name=d["name"],
        company=d["company"],
        country=d["country"],
        language="en",
        verified=True,
        facets=facets,
        order_quantity_m=d["order_quantity_m"],
        price_min_cny=d["price_min_cny"],
        price_max_cny=d["price_max_cny"],
        lead_time_days=d["lead_time_days"],
    )
