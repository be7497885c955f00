"""The cached directory list and exhibitor pages: the same answers as without the cache, in the
request's language, and never an answer from before a change to what they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation
from rest_framework import serializers

from expo.cache import directory_cached, directory_changed, term_names
from expo.models import Exhibitor
from expo.serializers import ExhibitorListSerializer
from expo.services.demo import demo_reset
from tests.expo.directory_data import make_directory
from tests.expo.test_imports import exhibitor as exhibitor_row
from tests.expo.test_imports import import_exhibitors
from tests.factories.accounts import UserFactory
from tests.factories.expo import BoothFactory, ExhibitorFactory, term

pytestmark = pytest.mark.django_db

URL = "/api/v1/exhibitors/"
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Directory URLs whose answers are compared with and without the cache.
URLS = [
    URL,
    URL + "?fabric=satin,chiffon",
    URL + "?fabric=satin&certification=grs",
    URL + "?search=silk",
    URL + "?search=丝绸",
    URL + "?hall=1A&ordering=moq",
    URL + "?page_size=2&page=2",
]


@pytest.fixture
def data(expo):
    return make_directory(expo)


def get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_directory_answers_are_the_same_with_and_without_the_cache(api_client, client_for, organiser, data):
    detail = f"{URL}{data['alpha'].pk}/"
    cases = [(api_client, url) for url in [*URLS, detail]]
    cases += [(client_for(user), detail) for user in (organiser, UserFactory())]
    with override_settings(CACHES=NO_CACHE):
        uncached = [get(client, url) for client, url in cases]
    first = [get(client, url) for client, url in cases]  # builds and stores
    again = [get(client, url) for client, url in cases]  # served from the cache

    assert first == uncached
    assert again == uncached


def test_directory_row_country_is_the_code_the_choice_field_gave(data):
    """The country field no longer builds the list of every country; its output is unchanged."""

    class ChoiceCountry(ExhibitorListSerializer):
        country = serializers.ChoiceField(
            choices=Exhibitor._meta.get_field("country").choices, read_only=True
        )

    blank = ExhibitorFactory(expo=data["alpha"].expo, name_en="No Country", country="")
    Exhibitor.objects.filter(pk=data["beta"].pk).update(country="IT")
    rows = list(Exhibitor.objects.filter(pk__in=[data["alpha"].pk, data["beta"].pk, blank.pk]).order_by("pk"))

    assert ExhibitorListSerializer(rows, many=True).data == ChoiceCountry(rows, many=True).data
    assert [row["country"] for row in ExhibitorListSerializer(rows, many=True).data] == ["CN", "IT", ""]


def test_directory_repeat_request_costs_one_query(api_client, data):
    get(api_client, URL + "?fabric=satin")
    with CaptureQueriesContext(connection) as queries:
        get(api_client, URL + "?fabric=satin")

    assert len(queries) == 1  # the expo of the request; the page comes from the cache


def test_cached_answers_are_kept_apart_by_language():
    with translation.override("en"):
        english = directory_cached(_Request(), expo_id=1, variant="list", build=translation.get_language)
    with translation.override("zh-hans"):
        chinese = directory_cached(_Request(), expo_id=1, variant="list", build=translation.get_language)
        chinese_again = directory_cached(_Request(), expo_id=1, variant="list", build=lambda: "built again")
    with translation.override("en"):
        english_again = directory_cached(_Request(), expo_id=1, variant="list", build=lambda: "built again")

    assert (english, chinese, chinese_again, english_again) == ("en", "zh-hans", "zh-hans", "en")


def test_cached_answers_are_kept_apart_by_variant_expo_and_url():
    first = directory_cached(_Request(), expo_id=1, variant="list", build=lambda: "list of 1")

    assert directory_cached(_Request(), expo_id=1, variant="list", build=lambda: "other") == first
    assert directory_cached(_Request(), expo_id=1, variant="detail:X", build=lambda: "detail") == "detail"
    assert directory_cached(_Request(), expo_id=2, variant="list", build=lambda: "list of 2") == "list of 2"
    assert directory_cached(_Request("?page=2"), expo_id=1, variant="list", build=lambda: "p2") == "p2"


def test_a_failed_build_stores_nothing():
    def fails():
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        directory_cached(_Request(), expo_id=1, variant="list", build=fails)

    assert directory_cached(_Request(), expo_id=1, variant="list", build=lambda: "built") == "built"


def test_exhibitor_pages_with_and_without_contacts_are_cached_apart(api_client, client_for, organiser, data):
    detail = f"{URL}{data['alpha'].pk}/"
    anonymous = get(api_client, detail)
    signed_in = get(client_for(organiser), detail)

    assert "contact_email" not in anonymous
    assert signed_in["contact_email"] == "sales@alpha.example"
    assert get(api_client, detail) == anonymous


# --- Invalidation: one test per kind of change ---------------------------------------------------


def alpha_row(client):
    return get(client, URL + "?search=alpha")["results"][0]


def test_exhibitor_saved_drops_cached_answers(api_client, data):
    alpha = data["alpha"]
    detail = f"{URL}{alpha.pk}/"
    get(api_client, URL), get(api_client, detail), alpha_row(api_client)
    alpha.name_zh = "新名字"
    alpha.save()

    assert alpha_row(api_client)["name_zh"] == "新名字"
    assert get(api_client, detail)["name_zh"] == "新名字"


def test_exhibitor_deleted_drops_cached_answers(api_client, data):
    before = get(api_client, URL)["count"]
    data["delta"].delete()

    assert get(api_client, URL)["count"] == before - 1


def test_exhibitor_added_drops_cached_answers(api_client, data, expo):
    before = get(api_client, URL)["count"]
    ExhibitorFactory(expo=expo, name_en="Epsilon Mill")

    assert get(api_client, URL)["count"] == before + 1


def test_booth_saved_and_deleted_drop_cached_answers(api_client, data):
    booth = data["alpha"].booths.get()
    alpha_row(api_client)
    booth.code = "A199"
    booth.save()

    assert alpha_row(api_client)["booth"] == "A199"
    booth.delete()
    assert alpha_row(api_client)["booths"] == []


def test_booth_added_drops_cached_answers(api_client, data, expo):
    alpha_row(api_client)
    BoothFactory(expo=expo, hall=data["alpha"].booths.get().hall, code="A100", exhibitor=data["alpha"])

    assert [b["code"] for b in alpha_row(api_client)["booths"]] == ["A100", "A101"]


def test_hall_renamed_drops_cached_answers(api_client, data):
    hall = data["alpha"].booths.get().hall
    alpha_row(api_client)
    hall.name_en = "Silk Hall"
    hall.save()

    assert alpha_row(api_client)["booths"][0]["hall_name_en"] == "Silk Hall"


def test_facet_links_changed_drop_cached_answers(api_client, data):
    alpha = data["alpha"]
    get(api_client, URL + "?fabric=jersey")
    alpha_row(api_client)
    alpha.fabrics.add(term("fabric", "jersey"))

    assert alpha_row(api_client)["fabrics"] == ["chiffon", "satin", "jersey"]
    assert [r["name_en"] for r in get(api_client, URL + "?fabric=jersey")["results"]] == [
        "Alpha Silk Mill",
        "Gamma Knits",
    ]
    alpha.fabrics.clear()
    assert alpha_row(api_client)["fabrics"] == []


def test_facet_links_changed_from_the_term_side_drop_cached_answers(api_client, data):
    alpha_row(api_client)
    term("fabric", "jersey").fabric_exhibitors.add(data["alpha"])

    assert alpha_row(api_client)["fabrics"] == ["chiffon", "satin", "jersey"]
    term("fabric", "chiffon").fabric_exhibitors.clear()
    assert alpha_row(api_client)["fabrics"] == ["satin", "jersey"]


def test_term_renamed_drops_cached_answers(api_client, data):
    get(api_client, URL + "?fabric=satin")
    alpha_row(api_client)
    satin = term("fabric", "satin")
    satin.slug = "satin-weave"
    satin.save()

    assert alpha_row(api_client)["fabrics"] == ["chiffon", "satin-weave"]
    assert get(api_client, URL + "?fabric=satin-weave")["count"] == 2


def test_expo_saved_drops_cached_answers(expo):
    assert directory_cached(_Request(), expo_id=expo.pk, variant="list", build=lambda: "before") == "before"
    expo.name = "Renamed"
    expo.save()

    assert directory_cached(_Request(), expo_id=expo.pk, variant="list", build=lambda: "after") == "after"


def test_exhibitor_import_drops_cached_answers(api_client, expo):
    import_exhibitors(expo, [exhibitor_row()])
    assert [r["name_en"] for r in get(api_client, URL)["results"]] == ["Wujiang Silk Weaving Co."]

    import_exhibitors(expo, [exhibitor_row(company_name="Wujiang Silk Co.", booth="1A02")])

    row = get(api_client, URL)["results"][0]
    assert (row["name_en"], row["booth"]) == ("Wujiang Silk Co.", "1A02")


def test_demo_reset_drops_cached_answers(api_client, data, expo):
    expo.slug = "demo"
    expo.save()
    assert get(api_client, URL)["count"] == 4

    demo_reset(expo_slug="demo")

    assert api_client.get(URL).status_code == 404  # no expo is current any more


def test_change_committed_after_a_read_of_old_rows_is_never_served_stale(
    api_client, data, django_capture_on_commit_callbacks
):
    """A request that reads the new version before the writer commits stores the old rows; the
    bump on commit retires what it stored."""
    alpha = data["alpha"]
    with django_capture_on_commit_callbacks(execute=True):
        directory_changed(expo_id=alpha.expo_id)
        assert alpha_row(api_client)["moq_m"] == 500  # cached under the version of the first bump
        Exhibitor.objects.filter(pk=alpha.pk).update(moq_m=800)  # what the commit will publish

    assert alpha_row(api_client)["moq_m"] == 800


class _Request:
    """Just what `directory_cached` reads from a request."""

    def __init__(self, query: str = ""):
        self.query = query

    def build_absolute_uri(self) -> str:
        return "https://testserver/api/v1/exhibitors/" + self.query


@override_settings(SHUTTLE_DIRECTORY_CACHE=False)
def test_directory_cache_off_builds_every_answer():
    assert directory_cached(_Request(), expo_id=1, variant="list", build=lambda: "first") == "first"
    assert directory_cached(_Request(), expo_id=1, variant="list", build=lambda: "second") == "second"


def test_cache_unreachable_answers_from_the_database(api_client, data, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("expo.cache.cache.get_many", down)

    assert [r["name_en"] for r in get(api_client, URL + "?search=alpha")["results"]] == ["Alpha Silk Mill"]


def test_term_names_in_the_active_language_read_once_until_a_term_changes(db):
    satin = term("fabric", "satin")
    with translation.override("en"):
        assert term_names([satin.pk]) == {satin.pk: satin.name_en}
    with translation.override("zh-hans"), CaptureQueriesContext(connection) as queries:
        assert term_names([satin.pk, 0]) == {satin.pk: satin.name_zh}
    assert len(queries) == 0  # read once per process and taxonomy version

    satin.name_en = "Satin weave"
    satin.save()

    with translation.override("en"):
        assert term_names([satin.pk]) == {satin.pk: "Satin weave"}


@override_settings(SHUTTLE_DIRECTORY_CACHE=False)
def test_term_names_without_the_shared_cache_are_read_each_time(db):
    satin = term("fabric", "satin")
    with translation.override("zh-hans"), CaptureQueriesContext(connection) as queries:
        assert term_names([satin.pk]) == {satin.pk: satin.name_zh}
    assert len(queries) == 1


def test_migrate_drops_cached_answers(expo):
    from expo.cache import on_migrate

    assert directory_cached(_Request(), expo_id=expo.pk, variant="list", build=lambda: "before") == "before"
    on_migrate()

    assert directory_cached(_Request(), expo_id=expo.pk, variant="list", build=lambda: "after") == "after"


def test_answers_stored_by_other_code_are_never_read(expo, monkeypatch):
    assert (
        directory_cached(_Request(), expo_id=expo.pk, variant="list", build=lambda: "old code") == "old code"
    )
    monkeypatch.setattr("expo.cache._code_version", lambda: "a newer deploy")

    assert (
        directory_cached(_Request(), expo_id=expo.pk, variant="list", build=lambda: "new code") == "new code"
    )
