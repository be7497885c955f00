"""From the database to the scoring arrays: buyers by id range or list."""

import numpy as np
import pytest

from expo.models import Term
from matching import scoring
from tests.factories.matching import buyer_with
from tests.matching.scenes import populate

pytestmark = pytest.mark.django_db


def test_buyers_encode_by_id_range_ignores_other_expos_buyers(expo):
    from matching.services import loading
    from tests.factories.expo import ExpoFactory

    other = ExpoFactory()
    mine = [buyer_with(expo=expo, fabrics=["chiffon"]), None, buyer_with(expo=expo, fabrics=["satin"])]
    mine[1] = buyer_with(expo=other, fabrics=["twill", "oxford"])  # an id between mine, at another expo
    layout = loading.layout_current()
    ids = sorted(b.pk for b in mine)
    encoded = loading.buyers_encode(expo=expo, layout=layout, id_from=ids[0], id_to=ids[-1])
    assert encoded.ids.tolist() == [mine[0].pk, mine[2].pk]
    decoded = [scoring.decode_terms(layout, row)["fabric"] for row in encoded.bits]
    chiffon, satin = (Term.objects.get(kind="fabric", slug=s).pk for s in ("chiffon", "satin"))
    assert decoded == [[chiffon], [satin]]
    by_list = loading.buyers_encode(expo=expo, layout=layout, ids=ids)
    assert by_list.bits.tolist() == encoded.bits.tolist()


def test_buyers_encode_of_many_ids_reads_them_in_batches_with_the_same_result(expo, monkeypatch):
    from matching.services import loading

    buyers, _ = populate(expo, buyers=7, exhibitors=1, seed=2)
    layout = loading.layout_current()
    ids = [b.pk for b in reversed(buyers)]
    whole = loading.buyers_encode(expo=expo, layout=layout, ids=ids)
    monkeypatch.setattr(loading, "IDS_PER_QUERY", 3)
    batched = loading.buyers_encode(expo=expo, layout=layout, ids=ids)
    assert batched.ids.tolist() == sorted(ids)
    for name in ("ids", "bits", "quantity", "price_min", "price_max", "lead_time"):
        assert np.array_equal(getattr(batched, name), getattr(whole, name), equal_nan=True)


def test_whole_expo_encoding_equals_encoding_by_ids_with_other_expos_in_between(expo):
    """The whole expo is read by the range of its ids (no join): another expo's profiles inside
    that range are left out, as when the ids are listed."""
    from matching.services import loading
    from tests.factories.expo import ExpoFactory
    from tests.factories.matching import exhibitor_with

    other = ExpoFactory()
    buyers, exhibitors = [], []
    for i, fabrics in enumerate([["chiffon"], ["satin", "twill"], ["oxford"], ["chiffon", "satin"]]):
        buyers.append(buyer_with(expo=expo, fabrics=fabrics, order_quantity_m=1000 * (i + 1)))
        buyer_with(expo=other, fabrics=["twill"], external_id=f"other-{i}")
        exhibitors.append(exhibitor_with(expo=expo, fabrics=fabrics, moq_m=100 * (i + 1)))
        exhibitor_with(expo=other, fabrics=["twill"])
    layout = loading.layout_current()
    whole = loading.buyers_encode(expo=expo, layout=layout)
    listed = loading.buyers_encode(expo=expo, layout=layout, ids=[b.pk for b in buyers])
    assert whole.ids.tolist() == [b.pk for b in buyers] == loading.buyer_ids(expo=expo).tolist()
    for name in ("ids", "bits", "quantity", "price_min", "price_max", "lead_time"):
        assert np.array_equal(getattr(whole, name), getattr(listed, name), equal_nan=True)
    satin = Term.objects.get(kind="fabric", slug="satin").pk
    assert [satin in scoring.decode_terms(layout, row)["fabric"] for row in whole.bits] == [
        False,
        True,
        False,
        True,
    ]
    whole_e = loading.exhibitors_encode(expo=expo, layout=layout)
    listed_e = loading.exhibitors_encode(expo=expo, layout=layout, ids=[e.pk for e in exhibitors])
    assert whole_e.ids.tolist() == [e.pk for e in exhibitors]
    for name in ("ids", "bits", "moq", "capacity", "price_min", "price_max", "lead_time"):
        assert np.array_equal(getattr(whole_e, name), getattr(listed_e, name), equal_nan=True)
