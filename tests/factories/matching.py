import factory
from django.utils import timezone

from expo.models import Term
from matching.models import (
    CustomerLink,
    CustomerPolicy,
    Match,
    MatchFeedback,
    MatchRun,
    MatchWeights,
    RunStatus,
)
from tests.factories.expo import BuyerFactory, ExhibitorFactory, ExpoFactory

FACETS = {
    "fabrics": "fabric",
    "processes": "process",
    "fibres": "fibre",
    "end_uses": "end_use",
}


def _set_facets(profile, terms: dict[str, list[str]]) -> None:
    for field, slugs in terms.items():
        kind = FACETS.get(field, "certification")
        getattr(profile, field).set(Term.objects.filter(kind=kind, slug__in=slugs))


def exhibitor_with(*, expo, **values):
    """An exhibitor offering the given term slugs: fabrics=[…], processes=[…], certifications=[…]."""
    facet_values = {k: values.pop(k) for k in [*FACETS, "certifications"] if k in values}
    exhibitor = ExhibitorFactory(expo=expo, **values)
    _set_facets(exhibitor, facet_values)
    return exhibitor


def buyer_with(*, expo, **values):
    """A buyer wanting the given term slugs: fabrics=[…], certifications_required=[…], …"""
    facet_values = {k: values.pop(k) for k in [*FACETS, "certifications_required"] if k in values}
    buyer = BuyerFactory(expo=expo, **values)
    _set_facets(buyer, facet_values)
    return buyer


class MatchWeightsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchWeights
        django_get_or_create = ("expo",)

    expo = factory.SubFactory(ExpoFactory)


class MatchRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchRun

    expo = factory.SubFactory(ExpoFactory)
    status = RunStatus.COMPLETED
    progress = 100
    top_k = 20
    weights = factory.LazyFunction(
        lambda: {
            "fabric": 3.0,
            "process": 2.0,
            "fibre": 2.0,
            "end_use": 1.0,
            "quantity": 1.0,
            "price": 1.0,
            "lead_time": 1.0,
            "demote_factor": 0.5,
        }
    )
    finished_at = factory.LazyFunction(timezone.now)


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    run = factory.SubFactory(MatchRunFactory)
    buyer = factory.SubFactory(BuyerFactory, expo=factory.SelfAttribute("..run.expo"))
    exhibitor = factory.SubFactory(ExhibitorFactory, expo=factory.SelfAttribute("..run.expo"))
    rank = factory.Sequence(lambda n: n + 1)
    score = 0.8
    reason_codes = 0
    reason_terms = b""


class CustomerLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerLink

    exhibitor = factory.SubFactory(ExhibitorFactory)
    buyer = factory.SubFactory(BuyerFactory, expo=factory.SelfAttribute("..exhibitor.expo"))
    key = factory.LazyAttribute(lambda o: o.buyer.external_id if o.buyer else "")


class CustomerPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerPolicy
        django_get_or_create = ("exhibitor",)

    exhibitor = factory.SubFactory(ExhibitorFactory)
    existing_customers = "demote"


class MatchFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchFeedback

    buyer = factory.SubFactory(BuyerFactory)
    exhibitor = factory.SubFactory(ExhibitorFactory, expo=factory.SelfAttribute("..buyer.expo"))
    value = "not_interested"
