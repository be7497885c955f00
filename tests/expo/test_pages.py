import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import template as i18n_template

from expo.models import Buyer
from expo.signals import buyer_profile_changed
from tests.expo.directory_data import make_directory
from tests.factories.accounts import UserFactory
from tests.factories.expo import BuyerFactory, ExhibitorFactory, ExpoFactory, term

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(expo):
    return make_directory(expo)


@pytest.fixture
def buyer(expo):
    buyer = BuyerFactory(expo=expo, company="Moda Lisboa", country="PT")
    buyer.fabrics.set([term("fabric", "chiffon")])
    return buyer


def page(client, url, language="en", **params):
    client.cookies["django_language"] = language
    return client.get(url, params)


# --- Every page, both languages, every role -----------------------------------------------------


ROLES = ["anonymous", "buyer", "other buyer", "exhibitor staff", "organiser"]


@pytest.fixture
def sign_in(client, expo, exhibitor_staff, organiser):
    users = {
        "buyer": BuyerFactory(expo=expo).user,
        "other buyer": BuyerFactory(expo=expo).user,
        "exhibitor staff": exhibitor_staff,
        "organiser": organiser,
    }

    def as_role(role):
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return as_role


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ROLES)
def test_public_pages_render_for_every_role_in_both_languages(sign_in, data, role, language):
    client = sign_in(role)
    for url in ("/", "/exhibitors/", f"/exhibitors/{data['alpha'].pk}/"):
        response = page(client, url, language)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}"' in html
        assert 'action="/i18n/setlang/"' in html
        assert ">English<" in html
        assert ">简体中文<" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [("buyer", 200), ("other buyer", 200), ("exhibitor staff", 403), ("organiser", 403)],
)
def test_profile_page_only_for_buyers(sign_in, expo, role, status):
    assert sign_in(role).get("/profile/").status_code == status


def test_profile_page_anonymous_is_sent_to_sign_in(client, expo):
    response = client.get("/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/profile/"


def test_navigation_by_role(sign_in, expo):
    anonymous = sign_in("anonymous").get("/").content.decode()
    assert 'href="/accounts/login/"' in anonymous
    assert 'href="/accounts/register/"' in anonymous
    assert 'href="/profile/"' not in anonymous

    buyer = sign_in("buyer").get("/").content.decode()
    assert 'href="/profile/"' in buyer
    assert 'action="/accounts/logout/"' in buyer
    assert 'href="/admin/"' not in buyer


def test_language_switch_changes_the_page_language(client, data):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/exhibitors/"})

    assert response.status_code == 302
    html = client.get("/exhibitors/").content.decode()
    assert '<html lang="zh-hans"' in html


# --- Directory page ------------------------------------------------------------------------------


def test_directory_page_lists_with_booths_in_english(client, data):
    html = page(client, "/exhibitors/").content.decode()

    assert "Alpha Silk Mill" in html
    assert "阿尔法丝绸厂" in html  # the other language's name, as a subtitle
    assert "Hall 1A" in html
    assert "A101" in html
    assert "Chiffon" in html


def test_directory_page_shows_names_in_chinese(client, data):
    response = page(client, "/exhibitors/", "zh-hans")
    html = response.content.decode()

    assert "雪纺" in html
    assert "1A馆" in html
    assert response.context["page"].object_list[0].display_name == "阿尔法丝绸厂"


def test_directory_page_filters_like_the_api(client, data):
    response = page(client, "/exhibitors/?fabric=satin&fabric=jersey&certification=grs")

    assert [e.name_en for e in response.context["page"]] == ["Beta Weaving Co", "Gamma Knits"]


def test_directory_page_search_in_chinese(client, data):
    response = page(client, "/exhibitors/", search="丝绸")

    assert [e.name_en for e in response.context["page"]] == ["Alpha Silk Mill"]


def test_directory_page_facet_counts_exclude_their_own_facet(client, data):
    response = page(client, "/exhibitors/?fabric=satin")
    facets = {f["param"]: f for f in response.context["facets"]}

    fabric_counts = {term.slug: count for term, depth, count, checked in facets["fabric"]["terms"]}
    # Counting fabrics ignores the fabric filter itself (ticking jersey would add Gamma).
    assert fabric_counts == {"chiffon": 1, "satin": 2, "twill": 1, "jersey": 1}
    process_counts = {term.slug: count for term, depth, count, checked in facets["process"]["terms"]}
    # Other facets count within the current results (Alpha and Beta).
    assert process_counts == {"dyeing": 1, "digital-printing": 1}
    assert facets["fabric"]["chosen"] == 1
    assert [checked for term, depth, count, checked in facets["fabric"]["terms"] if term.slug == "satin"] == [
        True
    ]


def test_directory_page_unknown_filter_is_400_with_message(client, data):
    response = page(client, "/exhibitors/?fabric=velour-x")

    assert response.status_code == 400
    assert "Unknown fabric: velour-x." in response.content.decode()


def test_directory_page_paginates_keeping_filters(client, expo):
    for n in range(25):
        ExhibitorFactory(expo=expo, name_en=f"Mill {n:02d}").fabrics.set([term("fabric", "satin")])

    first = page(client, "/exhibitors/?fabric=satin")
    second = page(client, "/exhibitors/?fabric=satin&page=2")

    assert len(first.context["page"]) == 20
    assert 'href="?fabric=satin&amp;page=2"' in first.content.decode()
    assert [e.name_en for e in second.context["page"]] == [f"Mill {n}" for n in range(20, 25)]


def test_directory_page_never_shows_emails(sign_in, data):
    html = sign_in("buyer").get("/exhibitors/").content.decode()

    assert "sales@alpha.example" not in html


@pytest.mark.parametrize("n", [1, 30])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?fabric=satin&search=mill",
        "?fabric=satin,chiffon&process=dyeing&fibre=silk&end_use=apparel&certification=grs",
    ],
)
def test_directory_page_query_count_independent_of_results_and_filters(
    client, expo, n, query, django_assert_num_queries
):
    for _ in range(n):
        exhibitor = ExhibitorFactory(expo=expo, name_en="Wujiang Mill")
        exhibitor.fabrics.set([term("fabric", "satin"), term("fabric", "chiffon")])
        exhibitor.processes.set([term("process", "dyeing")])
        exhibitor.fibres.set([term("fibre", "silk")])
        exhibitor.end_uses.set([term("end_use", "apparel")])
        exhibitor.certifications.set([term("certification", "grs")])

    # expo, all terms, count, page, booths and five facets, five facet counts, halls
    with django_assert_num_queries(16):
        response = page(client, f"/exhibitors/{query}")

    assert response.status_code == 200
    assert len(response.context["page"]) == min(n, 20)


def test_directory_page_without_expo_says_so(client, db):
    response = page(client, "/exhibitors/")

    assert response.status_code == 404
    assert "No expo yet" in response.content.decode()


def test_directory_page_htmx_request_renders_the_swappable_region(client, data):
    response = client.get("/exhibitors/?fabric=chiffon", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert 'id="directory"' in response.content.decode()


# --- Exhibitor page ------------------------------------------------------------------------------


def test_exhibitor_page_shows_capabilities_and_booth(client, data):
    html = page(client, f"/exhibitors/{data['alpha'].pk}/").content.decode()

    assert "Hall 1A · Booth <strong>A101</strong>" in html
    for name in ("Chiffon", "Satin", "Dyeing", "Silk", "Womenswear"):
        assert name in html
    assert "Real silk chiffon for evening wear." in html
    assert "500 m" in html


def test_exhibitor_page_contact_only_for_buyers_with_a_confirmed_address(client, data):
    url = f"/exhibitors/{data['alpha'].pk}/"
    buyer = UserFactory()

    anonymous = page(client, url).content.decode()
    client.force_login(buyer)
    unconfirmed = page(client, url).content.decode()
    buyer.email_confirmed = True
    buyer.save()
    confirmed = page(client, url).content.decode()

    assert "sales@alpha.example" not in anonymous
    assert f'href="/accounts/login/?next={url}"' in anonymous
    assert "sales@alpha.example" not in unconfirmed
    assert 'action="/accounts/confirm-resend/"' in unconfirmed
    assert 'href="mailto:sales@alpha.example"' in confirmed


def test_exhibitor_page_of_other_expo_is_404(client, data):
    stranger = ExhibitorFactory(expo=ExpoFactory())

    assert page(client, f"/exhibitors/{stranger.pk}/").status_code == 404


# --- Profile page --------------------------------------------------------------------------------


def test_profile_page_shows_ticked_terms_grouped_by_kind(client, buyer):
    client.force_login(buyer.user)

    response = page(client, "/profile/")
    html = response.content.decode()

    assert re.search(r'name="fabrics" value="chiffon" checked', html)
    assert not re.search(r'name="fabrics" value="satin" checked', html)
    kinds = [f["kind"] for f in response.context["facets"]]
    assert kinds == ["fabric", "process", "fibre", "end_use", "certification"]
    woven = [
        depth
        for term, depth, checked in response.context["facets"][0]["terms"]
        if term.slug in ("woven", "chiffon")
    ]
    assert woven == [0, 1]


def test_profile_page_names_terms_in_chinese(client, buyer):
    client.force_login(buyer.user)

    html = page(client, "/profile/", "zh-hans").content.decode()

    assert "雪纺" in html
    assert "乔其纱" in html


def test_profile_page_saves_and_notifies_matching(client, buyer):
    received = []

    def receiver(sender, buyer, **kwargs):
        received.append(buyer.pk)

    client.force_login(buyer.user)
    buyer_profile_changed.connect(receiver)
    try:
        response = client.post(
            "/profile/",
            {
                "company": "Moda Lisboa SA",
                "country": "PT",
                "fabrics": ["satin", "twill"],
                "processes": ["dyeing"],
                "certifications_required": ["grs"],
                "order_quantity_m": "2500",
                "price_min_cny": "9.50",
                "price_max_cny": "18",
                "lead_time_days": "21",
            },
        )
    finally:
        buyer_profile_changed.disconnect(receiver)

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    buyer.refresh_from_db()
    assert buyer.company == "Moda Lisboa SA"
    assert sorted(buyer.fabrics.values_list("slug", flat=True)) == ["satin", "twill"]
    assert list(buyer.fibres.all()) == []
    assert (buyer.order_quantity_m, buyer.price_min_cny, buyer.price_max_cny, buyer.lead_time_days) == (
        2500,
        Decimal("9.50"),
        Decimal("18.00"),
        21,
    )
    assert received == [buyer.pk]


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"price_min_cny": "20", "price_max_cny": "10"}, "price_max_cny"),
        ({"order_quantity_m": "0"}, "order_quantity_m"),
        ({"price_min_cny": "-1"}, "price_min_cny"),
        ({"lead_time_days": "-3"}, "lead_time_days"),
        ({"fabrics": ["dyeing"]}, "fabrics"),
        ({"country": "XX"}, "country"),
    ],
)
def test_profile_page_rejects_bad_input_naming_the_field(client, buyer, post, field):
    client.force_login(buyer.user)

    response = client.post("/profile/", {"company": "Moda Lisboa", "country": "PT", **post})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    buyer.refresh_from_db()
    assert list(buyer.fabrics.values_list("slug", flat=True)) == ["chiffon"]


def test_profile_page_creates_profile_for_buyer_without_one(client, expo):
    user = UserFactory(company="Nord Tex", country="SE")
    client.force_login(user)

    form = page(client, "/profile/")
    response = client.post("/profile/", {"company": "Nord Tex", "country": "SE", "fabrics": ["jersey"]})

    assert form.context["form"]["company"].value() == "Nord Tex"
    assert response.status_code == 302
    assert list(Buyer.objects.get(user=user).fabrics.values_list("slug", flat=True)) == ["jersey"]


def test_profile_page_states_the_verification_limit(client, buyer):
    client.force_login(buyer.user)

    html = page(client, "/profile/").content.decode()

    assert "Until the organiser verifies you, you can request 5 meetings." in html


def test_profile_page_verified_buyer(client, buyer):
    buyer.verified = True
    buyer.save()
    client.force_login(buyer.user)

    html = page(client, "/profile/").content.decode()

    assert "Verified buyer" in html
    assert "Until the organiser verifies you" not in html


# --- The zh-hans catalogue ------------------------------------------------------------------------

TEMPLATE_DIRS = ["templates/base.html", "templates/accounts", "templates/expo", "templates/registration"]
PYTHON_FILES = [
    "accounts/forms.py",
    "accounts/tokens.py",
    "accounts/views.py",
    "expo/forms.py",
    "expo/filters.py",
    "expo/serializers/profiles.py",
    "expo/serializers/meetings.py",
    "expo/services/meetings/booking.py",
    "expo/services/meetings/lifecycle.py",
    "expo/services/meetings/periodic.py",
    "expo/services/notifications.py",
    "expo/views/pages/profiles.py",
    "expo/services/profiles.py",
]
_MSGID = re.compile(r'^msgid "(.*)"$')


def _catalogue() -> dict[str, str]:
    """msgid → msgstr of locale/zh_Hans/LC_MESSAGES/django.po (fuzzy entries count as missing)."""
    path = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    entries, fuzzy, key, field = {}, False, None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            key, field = line[7:-1], "id"
        elif line.startswith("msgid_plural"):
            field = "plural"
        elif line.startswith("msgstr"):
            entries[key] = "" if fuzzy else line.split('"', 1)[1][:-1]
            field = "str"
        elif line.startswith('"') and key is not None:
            if field == "id":
                key += line[1:-1]
            elif field == "str" and not fuzzy:
                entries[key] += line[1:-1]
        elif not line.strip():
            fuzzy, key, field = False, None, None
    return entries


def _template_msgids() -> set[str]:
    ids = set()
    for entry in TEMPLATE_DIRS:
        path = Path(settings.BASE_DIR) / entry
        for template in [path] if path.is_file() else sorted(path.rglob("*.*")):
            source = i18n_template.templatize(template.read_text(encoding="utf-8"), origin=str(template))
            for match in re.finditer(r"\bn?p?gettext\(u?'((?:[^'\\]|\\.)*)'", source):
                ids.add(match.group(1).replace("\\'", "'"))
    return ids


def _python_msgids() -> set[str]:
    ids = set()
    for name in PYTHON_FILES:
        source = (Path(settings.BASE_DIR) / name).read_text(encoding="utf-8")
        ids.update(re.findall(r'\b(?:_|gettext_lazy|gettext)\(\s*"((?:[^"\\]|\\.)+)"', source))
    return ids


def test_zh_hans_catalogue_translates_every_buyer_page_string():
    catalogue = _catalogue()
    wanted = _template_msgids() | _python_msgids()

    missing = sorted(msgid for msgid in wanted if not catalogue.get(msgid.replace('"', '\\"')))

    assert missing == []


def test_catalogue_check_finds_the_strings_of_the_pages():
    wanted = _template_msgids() | _python_msgids()

    assert "Exhibitors" in wanted
    assert "Save my profile" in wanted
    assert "Unknown %(kind)s: %(slugs)s." in wanted
    assert "Until the organiser verifies you, you can request %(counter)s meeting." in wanted
