"""A small hand-made directory whose filter results are known by heart (see the test names)."""

from decimal import Decimal

from tests.factories.expo import BoothFactory, ExhibitorFactory, ExpoFactory, HallFactory, term


def make_directory(expo):
    hall_1a = HallFactory(expo=expo, code="1A", name_en="Hall 1A", name_zh="1A馆")
    hall_2b = HallFactory(expo=expo, code="2B", name_en="Hall 2B", name_zh="2B馆")

    def exhibitor(name_en, name_zh, *, booth=None, hall=None, description="", moq, price, lead, **facets):
        ex = ExhibitorFactory(
            expo=expo,
            name_en=name_en,
            name_zh=name_zh,
            description_en="" if any("\u4e00" <= c <= "\u9fff" for c in description) else description,
            description_zh=description if any("\u4e00" <= c <= "\u9fff" for c in description) else "",
            moq_m=moq,
            price_min_cny=Decimal(price[0]),
            price_max_cny=Decimal(price[1]),
            lead_time_days=lead,
            contact_email=f"sales@{name_en.split()[0].lower()}.example",
        )
        kinds = {
            "fabrics": "fabric",
            "processes": "process",
            "fibres": "fibre",
            "end_uses": "end_use",
            "certifications": "certification",
        }
        for facet, slugs in facets.items():
            getattr(ex, facet).set([term(kinds[facet], slug) for slug in slugs])
        if booth:
            BoothFactory(expo=expo, hall=hall, code=booth, exhibitor=ex)
        return ex

    alpha = exhibitor(
        "Alpha Silk Mill",
        "阿尔法丝绸厂",
        booth="A101",
        hall=hall_1a,
        description="Real silk chiffon for evening wear.",
        moq=500,
        price=("20", "40"),
        lead=15,
        fabrics=["chiffon", "satin"],
        processes=["dyeing"],
        fibres=["silk"],
        end_uses=["womens-wear"],
        certifications=["oeko-tex-100"],
    )
    beta = exhibitor(
        "Beta Weaving Co",
        "贝塔织造",
        booth="B201",
        hall=hall_2b,
        description="Polyester satin and twill with digital printing.",
        moq=3000,
        price=("8", "12"),
        lead=30,
        fabrics=["satin", "twill"],
        processes=["digital-printing"],
        fibres=["polyester"],
        certifications=["grs"],
    )
    gamma = exhibitor(
        "Gamma Knits",
        "伽马针织",
        booth="A102",
        hall=hall_1a,
        description="针织汗布，环保染色。",
        moq=1000,
        price=("10", "15"),
        lead=20,
        fabrics=["jersey"],
        processes=["dyeing", "coating"],
        fibres=["cotton"],
        certifications=["grs", "oeko-tex-100"],
    )
    delta = exhibitor("Delta Textiles", "", moq=2000, price=("30", "50"), lead=45)
    # Another expo's exhibitor, matching almost every filter: it must never show up.
    elsewhere = ExpoFactory()
    ExhibitorFactory(expo=elsewhere, name_en="Alpha Silk Elsewhere")
    ExhibitorFactory(expo=elsewhere, name_en="Epsilon").fabrics.set([term("fabric", "chiffon")])
    return {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "delta": delta,
        "hall_1a": hall_1a,
        "hall_2b": hall_2b,
    }
