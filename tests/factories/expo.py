import datetime
import inspect
from decimal import Decimal

import factory

from expo.models import Booth, Buyer, ExchangeRate, Exhibitor, ExhibitorStaff, Expo, Hall, Term
from expo.services.floor import booth_save, expo_create, expo_update
from tests.factories.accounts import StaffUserFactory, UserFactory


class ExpoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expo

    slug = factory.Sequence(lambda n: f"expo-{n}")
    name = factory.Sequence(lambda n: f"Textile Expo {n}")
    name_zh = "纺织博览会"
    start_date = datetime.date(2027, 4, 12)
    days = 3
    opening_time = datetime.time(9, 0)
    closing_time = datetime.time(17, 0)
    slot_minutes = 20
    time_zone = "Asia/Shanghai"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Through the services, as the admin and `create_expo` do: the expo gets its real slot grid."""
        make_current = kwargs.pop("is_current", False)
        params = inspect.signature(expo_create).parameters
        created = {name: kwargs.pop(name) for name in list(kwargs) if name in params}
        expo = expo_create(make_current=make_current, **created)
        return expo_update(expo=expo, data=kwargs) if kwargs else expo


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hall

    expo = factory.SubFactory(ExpoFactory)
    code = factory.Sequence(lambda n: f"H{n}")
    name_en = factory.LazyAttribute(lambda o: f"Hall {o.code}")
    name_zh = factory.LazyAttribute(lambda o: f"{o.code}馆")


class ExhibitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exhibitor

    expo = factory.SubFactory(ExpoFactory)
    external_id = factory.Sequence(lambda n: f"EX{n:05d}")
    name_en = factory.Sequence(lambda n: f"Wujiang Weaving Mill {n}")
    name_zh = factory.Sequence(lambda n: f"吴江织造厂{n}")
    country = "CN"
    province = "JS"
    moq_m = 1000
    capacity_m_month = 200_000
    price_min_cny = Decimal("8.50")
    price_max_cny = Decimal("15.00")
    lead_time_days = 20


class BoothFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booth

    expo = factory.SubFactory(ExpoFactory)
    hall = factory.SubFactory(HallFactory, expo=factory.SelfAttribute("..expo"))
    code = factory.Sequence(lambda n: f"A{n:03d}")
    exhibitor = factory.SubFactory(ExhibitorFactory, expo=factory.SelfAttribute("..expo"))
    tables = 2

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Through the service, as the admin does: the booth gets its real tables."""
        return booth_save(booth=model_class(), data=kwargs)


class ExhibitorStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExhibitorStaff

    user = factory.SubFactory(StaffUserFactory)
    exhibitor = factory.SubFactory(ExhibitorFactory)


class BuyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Buyer

    expo = factory.SubFactory(ExpoFactory)
    user = factory.SubFactory(UserFactory)
    external_id = factory.Sequence(lambda n: f"B{n:06d}")
    company = factory.Sequence(lambda n: f"Garment Brand {n}")
    country = "DE"
    order_quantity_m = 5000
    price_min_cny = Decimal("9.00")
    price_max_cny = Decimal("14.00")
    lead_time_days = 30


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    expo = factory.SubFactory(ExpoFactory)
    currency = "USD"
    rate_to_cny = Decimal("7.10000000")


def term(kind: str, slug: str) -> Term:
    """A shipped taxonomy term (loaded by the data migration)."""
    return Term.objects.get(kind=kind, slug=slug)


def deal(*, buyer, exhibitor, user=None, amount="1000.00", currency="CNY", category="chiffon", **kwargs):
    """A deal logged through the service (by an organiser unless `user` is given)."""
    from expo.services.deals import deal_create
    from tests.factories.accounts import OrganiserFactory

    return deal_create(
        user=user or OrganiserFactory(),
        expo=buyer.expo,
        buyer=buyer,
        exhibitor=exhibitor,
        amount=amount,
        currency=currency,
        category=category,
        **kwargs,
    )
