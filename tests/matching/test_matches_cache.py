"""The cached matches list: the same answers as without the cache, in the request's language, for
the buyer and for organisers, and never an answer from before a change to what it shows.

Each invalidation test first shows that the list *is* served from the cache (a change that no
cache upkeep follows leaves the answer as it was), then makes the change the test is about.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from expo.models import Buyer, Term
from matching.models import Match
from matching.services import incremental, runs
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.expo import BoothFactory
from tests.factories.matching import buyer_with, exhibitor_with

pytestmark = pytest.mark.django_db

URL = "/api/v1/matches/"
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def full_run(expo):
    return runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))


@pytest.fixture
def scene(expo, buyer_user):
    chiffon = exhibitor_with(
        expo=expo, name_en="Chiffon Mill", name_zh="雪纺厂", fabrics=["chiffon"], moq_m=1000
    )
    BoothFactory(expo=expo, exhibitor=chiffon, code="A101")
    twill = exhibitor_with(expo=expo, name_en="Twill Mill", name_zh="斜纹厂", fabrics=["chiffon", "twill"])
    BoothFactory(expo=expo, exhibitor=twill, code="B202")
    satin = exhibitor_with(expo=expo, name_en="Satin Mill", name_zh="缎纹厂", fabrics=["satin"])
    buyer = buyer_with(expo=expo, user=buyer_user, fabrics=["chiffon"], order_quantity_m=5000)
    full_run(expo)
    return {"chiffon": chiffon, "twill": twill, "satin": satin, "buyer": buyer}


def in_chinese(client):
    """The client chose Chinese (the language cookie wins over the account's saved language)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def listed(client, url=URL, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    return response.json()


def names(body) -> list[str]:
    return [row["exhibitor"]["name"] for row in body["results"]]


def test_answers_are_the_same_with_and_without_the_cache(client_for, buyer_user, scene):
    organiser = OrganiserFactory()
    buyer = scene["buyer"]
    cases = [
        (client_for(buyer_user), URL, {}),
        (in_chinese(client_for(buyer_user)), URL, {}),
        (client_for(buyer_user), URL + "?page_size=1&page=2", {}),
        (client_for(buyer_user), URL + "?min_score=0.5", {}),
        (client_for(organiser), f"{URL}?buyer={buyer.pk}", {}),
        (in_chinese(client_for(organiser)), f"{URL}?buyer={buyer.pk}", {}),
        (client_for(UserFactory()), URL, {}),  # no profile: an empty list
    ]
    with override_settings(CACHES=NO_CACHE):
        uncached = [listed(client, url, **headers) for client, url, headers in cases]
    first = [listed(client, url, **headers) for client, url, headers in cases]
    again = [listed(client, url, **headers) for client, url, headers in cases]

    assert first == uncached
    assert again == uncached
    assert names(uncached[0]) == ["Chiffon Mill", "Twill Mill"]
    assert names(uncached[1]) == ["雪纺厂", "斜纹厂"]


def test_a_repeated_request_costs_the_tokens_query_alone(client_for, buyer_user, scene):
    client = client_for(buyer_user)
    first = listed(client)
    with CaptureQueriesContext(connection) as queries:
        again = listed(client)

    assert again == first
    assert len(queries) == 1  # the token and its user


def test_rescoring_the_buyer_replaces_the_cached_list(client_for, buyer_user, scene, expo):
    client = client_for(buyer_user)
    assert names(listed(client)) == ["Chiffon Mill", "Twill Mill"]
    # Facet links send no signal the cache follows: the cached list stays until the rescore.
    scene["buyer"].fabrics.set(Term.objects.filter(slug="satin"))
    assert names(listed(client)) == ["Chiffon Mill", "Twill Mill"]

    incremental.match_rescore_buyers(expo=expo, buyer_ids=[scene["buyer"].pk])

    assert names(listed(client)) == ["Satin Mill"]


def test_rescoring_after_an_exhibitor_change_replaces_the_cached_list(client_for, buyer_user, scene, expo):
    client = client_for(buyer_user)
    assert names(listed(client)) == ["Chiffon Mill", "Twill Mill"]
    scene["satin"].fabrics.add(Term.objects.get(slug="chiffon", kind="fabric"))
    incremental.match_rescore_exhibitor(exhibitor_id=scene["satin"].pk, expo=expo)

    assert sorted(names(listed(client))) == ["Chiffon Mill", "Satin Mill", "Twill Mill"]


def test_publishing_a_full_run_replaces_the_cached_lists(client_for, buyer_user, scene, expo):
    client, organiser = client_for(buyer_user), client_for(OrganiserFactory())
    by_organiser = f"{URL}?buyer={scene['buyer'].pk}"
    assert names(listed(client)) == ["Chiffon Mill", "Twill Mill"]
    assert names(listed(organiser, by_organiser)) == ["Chiffon Mill", "Twill Mill"]
    scene["buyer"].fabrics.set(Term.objects.filter(slug="satin"))
    assert names(listed(client)) == ["Chiffon Mill", "Twill Mill"]

    run = full_run(expo)

    assert names(listed(client)) == ["Satin Mill"]
    assert names(listed(organiser, by_organiser)) == ["Satin Mill"]
    assert [row["id"] for row in listed(client)["results"]] == list(
        Match.objects.filter(run=run, buyer=scene["buyer"]).values_list("pk", flat=True)
    )


def test_feedback_and_its_undo_replace_the_cached_list(
    client_for, buyer_user, scene, django_capture_on_commit_callbacks
):
    client = client_for(buyer_user)
    first, second = (row["id"] for row in listed(client)["results"])

    client.post(f"{URL}{second}/feedback/", {"value": "interested"}, format="json")
    assert [row["feedback"] for row in listed(client)["results"]] == [None, "interested"]

    assert client.delete(f"{URL}{second}/feedback/").status_code == 204
    assert [row["feedback"] for row in listed(client)["results"]] == [None, None]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{URL}{first}/feedback/", {"value": "not_interested"}, format="json")
    assert names(listed(client)) == ["Twill Mill"]


def test_an_exhibitor_edit_replaces_the_cached_list(client_for, buyer_user, scene):
    client = client_for(buyer_user)
    assert listed(client)["results"][0]["exhibitor"] == {
        "id": scene["chiffon"].pk,
        "name": "Chiffon Mill",
        "booth": "A101",
    }
    mill = scene["chiffon"]
    mill.name_en = "Shengze Chiffon"
    mill.save()
    assert names(listed(client)) == ["Shengze Chiffon", "Twill Mill"]

    booth = mill.booths.get()
    booth.code = "C303"
    booth.save()
    assert listed(client)["results"][0]["exhibitor"]["booth"] == "C303"


def test_a_term_rename_replaces_the_cached_reasons(client_for, buyer_user, scene):
    client = client_for(buyer_user)
    assert listed(client)["results"][0]["reasons"][0] == "Makes the fabrics you want: Chiffon"
    chiffon = Term.objects.get(slug="chiffon", kind="fabric")
    chiffon.name_en = "Silk chiffon"
    chiffon.save()

    assert listed(client)["results"][0]["reasons"][0] == "Makes the fabrics you want: Silk chiffon"


def moq_reason(body) -> list[str]:
    return [text for text in body["results"][0]["reasons"] if text.startswith("Minimum order")]


def test_a_profile_save_replaces_the_reasons_that_quote_it(client_for, buyer_user, scene):
    client = client_for(buyer_user)
    assert moq_reason(listed(client)) == ["Minimum order of 1,000 m fits your order of 5,000 m"]
    buyer = Buyer.objects.get(pk=scene["buyer"].pk)
    buyer.order_quantity_m = 8000
    buyer.save()

    assert moq_reason(listed(client)) == ["Minimum order of 1,000 m fits your order of 8,000 m"]


def test_languages_are_cached_apart(client_for, buyer_user, scene):
    english = listed(client_for(buyer_user))
    buyer_user.preferred_language = "zh-hans"  # the account's saved language decides
    buyer_user.save()
    chinese = listed(client_for(buyer_user))

    assert names(english) == ["Chiffon Mill", "Twill Mill"]
    assert names(chinese) == ["雪纺厂", "斜纹厂"]
    assert chinese["results"][0]["reasons"][0] == "生产您需要的面料：雪纺"
    assert listed(client_for(buyer_user)) == chinese
    buyer_user.preferred_language = "en"
    buyer_user.save()
    assert listed(client_for(buyer_user)) == english


def test_a_profile_given_to_another_user_is_never_shown_to_the_first(client_for, buyer_user, scene):
    first = client_for(buyer_user)
    assert names(listed(first)) == ["Chiffon Mill", "Twill Mill"]
    newcomer = UserFactory()
    buyer = Buyer.objects.get(pk=scene["buyer"].pk)
    buyer.user = newcomer
    buyer.save()

    assert listed(first)["count"] == 0
    assert names(listed(client_for(newcomer))) == ["Chiffon Mill", "Twill Mill"]


def test_a_new_profile_is_listed_at_once(client_for, expo, scene):
    user = UserFactory()
    client = client_for(user)
    assert listed(client)["count"] == 0  # remembered: no profile
    buyer_with(expo=expo, user=user, fabrics=["twill"])
    full_run(expo)

    assert names(listed(client)) == ["Twill Mill"]


def test_organisers_errors_are_not_cached(client_for, scene):
    organiser = client_for(OrganiserFactory())
    assert organiser.get(f"{URL}?buyer=999999").status_code == 404
    assert organiser.get(f"{URL}?buyer=999999").status_code == 404
    assert organiser.get(f"{URL}?buyer={scene['buyer'].pk}").status_code == 200


def test_the_expo_made_current_is_followed_at_once(client_for, buyer_user, scene):
    from expo.services.floor import expo_make_current
    from tests.factories.expo import ExpoFactory

    client = client_for(buyer_user)
    assert listed(client)["count"] == 2
    expo_make_current(expo=ExpoFactory(is_current=False))

    assert listed(client)["count"] == 0  # no profile at the new current expo
