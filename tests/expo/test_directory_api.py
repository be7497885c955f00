import json

import pytest

from tests.expo.directory_data import make_directory
from tests.factories.accounts import UserFactory
from tests.factories.expo import BoothFactory, BuyerFactory, ExhibitorFactory, ExpoFactory, term

pytestmark = pytest.mark.django_db

URL = "/api/v1/exhibitors/"


@pytest.fixture
def data(expo):
    return make_directory(expo)


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name_en"] for row in response.json()["results"]]


def test_directory_lists_current_expo_by_name(api_client, data):
    assert names(api_client.get(URL)) == [
        "Alpha Silk Mill",
        "Beta Weaving Co",
        "Delta Textiles",
        "Gamma Knits",
    ]


def test_directory_row_shape_with_booth_and_hall(api_client, data):
    row = api_client.get(URL, {"search": "alpha"}).json()["results"][0]

    assert row == {
        "id": data["alpha"].pk,
        "name_en": "Alpha Silk Mill",
        "name_zh": "阿尔法丝绸厂",
        "country": "CN",
        "province": "Jiangsu",
        "province_zh": "江苏",
        "province_code": "JS",
        "booth": "A101",
        "hall": "1A",
        "booths": [{"code": "A101", "hall": "1A", "hall_name_en": "Hall 1A", "hall_name_zh": "1A馆"}],
        "fabrics": ["chiffon", "satin"],
        "processes": ["dyeing"],
        "fibres": ["silk"],
        "end_uses": ["womens-wear"],
        "certifications": ["oeko-tex-100"],
        "moq_m": 500,
        "capacity_m_month": 200000,
        "price_min_cny": "20.00",
        "price_max_cny": "40.00",
        "lead_time_days": 15,
    }


def test_directory_without_booth_has_null_booth_and_hall(api_client, data):
    row = api_client.get(URL, {"search": "delta"}).json()["results"][0]

    assert (row["booth"], row["hall"], row["booths"]) == (None, None, [])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"fabric": "chiffon"}, ["Alpha Silk Mill"]),
        ({"fabric": ["chiffon", "jersey"]}, ["Alpha Silk Mill", "Gamma Knits"]),
        ({"fabric": "chiffon,jersey"}, ["Alpha Silk Mill", "Gamma Knits"]),
        ({"fabric": ["chiffon,jersey", "twill"]}, ["Alpha Silk Mill", "Beta Weaving Co", "Gamma Knits"]),
        ({"fabric": "satin"}, ["Alpha Silk Mill", "Beta Weaving Co"]),
        ({"fabric": "satin", "process": "dyeing"}, ["Alpha Silk Mill"]),
        ({"fabric": "satin", "certification": "grs"}, ["Beta Weaving Co"]),
        ({"fabric": "satin,jersey", "certification": "grs"}, ["Beta Weaving Co", "Gamma Knits"]),
        ({"certification": "grs,oeko-tex-100"}, ["Alpha Silk Mill", "Beta Weaving Co", "Gamma Knits"]),
        ({"certification": "grs", "process": "dyeing", "fibre": "cotton"}, ["Gamma Knits"]),
        ({"end_use": "womens-wear"}, ["Alpha Silk Mill"]),
        ({"fibre": "silk", "end_use": "womens-wear", "fabric": "jersey"}, []),
        ({"process": "coating,dyeing"}, ["Alpha Silk Mill", "Gamma Knits"]),
        ({"fabric": "woven"}, []),  # a parent term matches only exhibitors that list it
        ({"hall": "1A"}, ["Alpha Silk Mill", "Gamma Knits"]),
        ({"hall": "1A,2B"}, ["Alpha Silk Mill", "Beta Weaving Co", "Gamma Knits"]),
        ({"hall": "1A", "fabric": "satin"}, ["Alpha Silk Mill"]),
        ({"fabric": ""}, ["Alpha Silk Mill", "Beta Weaving Co", "Delta Textiles", "Gamma Knits"]),
    ],
)
def test_directory_filter_semantics(api_client, data, params, expected):
    assert names(api_client.get(URL, params)) == expected


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("alpha", ["Alpha Silk Mill"]),
        ("ALPHA mill", ["Alpha Silk Mill"]),
        ("weav", ["Beta Weaving Co"]),  # a word prefix
        ("silk", ["Alpha Silk Mill"]),
        ("chiffon evening", ["Alpha Silk Mill"]),  # description words
        ("satin printing", ["Beta Weaving Co"]),  # every word must match
        ("丝绸", ["Alpha Silk Mill"]),  # Chinese: a substring of the Chinese name
        ("织造", ["Beta Weaving Co"]),
        ("环保", ["Gamma Knits"]),  # a substring of a Chinese description
        ("针织 gamma", ["Gamma Knits"]),
        ("velvet", []),
        ("   ", ["Alpha Silk Mill", "Beta Weaving Co", "Delta Textiles", "Gamma Knits"]),
        ("o'brien & co | !", []),  # punctuation never breaks the query
    ],
)
def test_directory_search(api_client, data, search, expected):
    assert names(api_client.get(URL, {"search": search})) == expected


def test_directory_search_combines_with_filters(api_client, data):
    assert names(api_client.get(URL, {"search": "satin", "hall": "1A"})) == []
    assert names(api_client.get(URL, {"search": "satin", "fabric": "twill"})) == ["Beta Weaving Co"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("moq", ["Alpha Silk Mill", "Gamma Knits", "Delta Textiles", "Beta Weaving Co"]),
        ("-moq", ["Beta Weaving Co", "Delta Textiles", "Gamma Knits", "Alpha Silk Mill"]),
        ("price", ["Beta Weaving Co", "Gamma Knits", "Alpha Silk Mill", "Delta Textiles"]),
        ("lead_time", ["Alpha Silk Mill", "Gamma Knits", "Beta Weaving Co", "Delta Textiles"]),
        ("-name", ["Gamma Knits", "Delta Textiles", "Beta Weaving Co", "Alpha Silk Mill"]),
    ],
)
def test_directory_ordering(api_client, data, ordering, expected):
    assert names(api_client.get(URL, {"ordering": ordering})) == expected


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"fabric": "chiffon,velour-x"}, "fabric", "Unknown fabric: velour-x."),
        ({"process": "chiffon"}, "process", "Unknown process: chiffon."),
        ({"fibre": "x"}, "fibre", "Unknown fibre: x."),
        ({"end_use": "x"}, "end_use", "Unknown end use: x."),
        ({"certification": "x"}, "certification", "Unknown certification: x."),
        ({"hall": "9Z"}, "hall", "Unknown hall: 9Z."),
        ({"ordering": "email"}, "ordering", None),
        ({"search": "x" * 201}, "search", None),
    ],
)
def test_directory_bad_filter_is_400_naming_it(api_client, data, params, field, message):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert set(response.json()) == {"detail", field}
    assert response.json()["detail"].startswith(f"{field}: ")
    if message:
        assert response.json()[field] == [message]


def test_directory_hall_of_another_expo_is_unknown(api_client, data):
    other = ExpoFactory()
    BoothFactory(expo=other, hall__code="7C")

    assert api_client.get(URL, {"hall": "7C"}).status_code == 400


def test_directory_pagination(api_client, data):
    first = api_client.get(URL, {"page_size": 3}).json()
    second = api_client.get(URL, {"page_size": 3, "page": 2}).json()

    assert first["count"] == 4
    assert first["next"] == "http://testserver/api/v1/exhibitors/?page=2&page_size=3"
    assert first["previous"] is None
    assert [r["name_en"] for r in first["results"] + second["results"]] == [
        "Alpha Silk Mill",
        "Beta Weaving Co",
        "Delta Textiles",
        "Gamma Knits",
    ]


def test_directory_expo_parameter(api_client, data):
    other = ExpoFactory(slug="autumn")
    ExhibitorFactory(expo=other, name_en="Autumn Only")

    assert names(api_client.get(URL, {"expo": "autumn"})) == ["Autumn Only"]
    assert api_client.get(URL, {"expo": "nope"}).status_code == 404


def test_directory_without_current_expo_is_404(api_client, db):
    response = api_client.get(URL)

    assert response.status_code == 404
    assert response.json() == {"detail": "No expo is current."}


# --- Roles and privacy --------------------------------------------------------------------------


@pytest.fixture
def clients(api_client, client_for, expo, organiser, exhibitor_staff):
    buyer = BuyerFactory(expo=expo, user__email_confirmed=True).user
    other_buyer = BuyerFactory(expo=expo).user  # address not confirmed
    return {
        "anonymous": api_client,
        "buyer": client_for(buyer),
        "other buyer": client_for(other_buyer),
        "exhibitor staff": client_for(exhibitor_staff),
        "organiser": client_for(organiser),
    }


ROLES = ["anonymous", "buyer", "other buyer", "exhibitor staff", "organiser"]


@pytest.mark.parametrize("role", ROLES)
def test_directory_list_open_to_every_role_without_any_email(clients, data, role):
    response = clients[role].get(URL, {"page_size": 50})

    assert response.status_code == 200
    assert "Alpha Silk Mill" in [r["name_en"] for r in response.json()["results"]]
    text = json.dumps(response.json())
    assert "@" not in text
    assert "contact_email" not in text


@pytest.mark.parametrize("role", ROLES)
def test_directory_detail_contact_only_for_confirmed_buyers_and_organisers(clients, data, role):
    response = clients[role].get(f"{URL}{data['alpha'].pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["name_en"] == "Alpha Silk Mill"
    assert body["description"] == "Real silk chiffon for evening wear."
    if role in ("buyer", "organiser"):  # "buyer" has confirmed their address, "other buyer" has not
        assert body["contact_email"] == "sales@alpha.example"
    else:
        assert "contact_email" not in body
        assert "@" not in json.dumps(body)


@pytest.mark.parametrize("role", ROLES)
def test_directory_detail_of_other_expo_is_404(clients, data, role):
    stranger = ExhibitorFactory(expo=ExpoFactory())

    response = clients[role].get(f"{URL}{stranger.pk}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such exhibitor."}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_directory_is_read_only_for_every_role(clients, data, role, method):
    list_response = getattr(clients[role], method)(URL, {}, format="json")
    detail_response = getattr(clients[role], method)(f"{URL}{data['alpha'].pk}/", {}, format="json")

    assert list_response.status_code == 405
    assert detail_response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_no_endpoint_lists_buyers(clients, data, role):
    BuyerFactory(expo=data["alpha"].expo, user=UserFactory(email="secret.buyer@example.com"))

    for url in ("/api/v1/buyers/", "/api/v1/buyers/1/"):
        assert clients[role].get(url).status_code == 404


# --- Query counts -------------------------------------------------------------------------------


def _directory(expo, n):
    hall = None
    for _ in range(n):
        ex = ExhibitorFactory(expo=expo)
        ex.fabrics.set([term("fabric", "chiffon"), term("fabric", "satin")])
        ex.processes.set([term("process", "dyeing")])
        ex.certifications.set([term("certification", "grs")])
        booth = BoothFactory(expo=expo, exhibitor=ex, **({"hall": hall} if hall else {}))
        hall = booth.hall


@pytest.mark.parametrize("n", [1, 3, 30])
def test_directory_query_count_is_independent_of_page_size(api_client, expo, n, django_assert_num_queries):
    _directory(expo, n)

    # current expo, count, page, booths+halls, five facets
    with django_assert_num_queries(9):
        response = api_client.get(URL, {"page_size": 50})

    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 3, 30])
def test_directory_query_count_with_filters_and_search(
    client_for, expo, buyer_user, n, django_assert_num_queries
):
    _directory(expo, n)
    client = client_for(buyer_user)
    params = {
        "fabric": "chiffon,satin",
        "process": "dyeing",
        "certification": "grs",
        "search": "mill",
        "page_size": 50,
    }

    with django_assert_num_queries(13):
        response = client.get(URL, params)

    assert len(response.json()["results"]) == n


def test_directory_detail_query_count(api_client, expo, django_assert_num_queries):
    _directory(expo, 2)
    exhibitor = expo.exhibitors.first()

    with django_assert_num_queries(8):
        api_client.get(f"{URL}{exhibitor.pk}/")
