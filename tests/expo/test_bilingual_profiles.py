"""Bilingual exhibitor profiles: descriptions in English and Chinese with a fallback to the other,
provinces as data in both languages, and the imports that fill them."""

import pytest
from django.urls import reverse
from django.utils import translation

from expo.models import Exhibitor
from expo.provinces import PROVINCES, province_code, province_name
from expo.services.imports import RowError
from tests.expo.test_imports import errors_of, exhibitor, import_exhibitors
from tests.factories.expo import ExhibitorFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Jiangsu", "JS"),
        ("jiangsu province", "JS"),
        ("Jiangsu Sheng", "JS"),
        ("江苏", "JS"),
        ("江苏省", "JS"),
        ("ＪＳ", "JS"),  # full-width, as a Chinese IME types it
        ("CN-ZJ", "ZJ"),
        ("Shanghai", "SH"),
        ("上海市", "SH"),
        ("Inner Mongolia", "NM"),
        ("内蒙古自治区", "NM"),
        ("广西壮族自治区", "GX"),
        ("Xizang", "XZ"),
        ("Shaanxi", "SN"),
        ("Shanxi", "SX"),
        ("Lombardy", None),
        ("", None),
    ],
)
def test_province_code_reads_either_language(text, code):
    assert province_code(text) == code


def test_every_province_has_both_names():
    assert len(PROVINCES) == 31
    assert all(en.isascii() and not zh.isascii() for _code, en, zh, _full in PROVINCES)
    assert (province_name("JS", "en"), province_name("JS", "zh-hans"), province_name("XX", "en")) == (
        "Jiangsu",
        "江苏",
        "",
    )


@pytest.fixture
def mill(expo):
    return ExhibitorFactory(
        expo=expo,
        name_en="Wujiang Silk",
        name_zh="吴江丝绸",
        province="JS",
        description_en="Real silk chiffon.",
        description_zh="真丝雪纺。",
    )


def _page(client, mill, language):
    return client.get(
        reverse("expo:exhibitor", args=[mill.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()


def test_page_shows_the_description_and_province_of_its_language(client, mill):
    english, chinese = _page(client, mill, "en"), _page(client, mill, "zh-hans")
    assert "<p>Real silk chiffon.</p>" in english
    assert "<p>Jiangsu, China</p>" in english
    assert "真丝雪纺" not in english
    assert "<p>真丝雪纺。</p>" in chinese
    assert "<p>中国江苏</p>" in chinese
    assert "Real silk chiffon" not in chinese
    assert "Jiangsu" not in chinese


def test_page_falls_back_to_the_other_description_marked_with_its_language(client, mill):
    Exhibitor.objects.filter(pk=mill.pk).update(description_zh="")
    assert '<p lang="en">Real silk chiffon.</p>' in _page(client, mill, "zh-hans")
    Exhibitor.objects.filter(pk=mill.pk).update(description_en="", description_zh="真丝雪纺。")
    assert '<p lang="zh-Hans">真丝雪纺。</p>' in _page(client, mill, "en")


def test_region_outside_china(client, expo):
    como = ExhibitorFactory(expo=expo, country="IT", province="", region="Como", name_zh="")
    assert "<p>Como, Italy</p>" in _page(client, como, "en")
    assert "<p>意大利</p>" in _page(client, como, "zh-hans")  # no Latin-letter region inside Chinese
    como.region = "科莫"
    como.save()
    assert "<p>意大利科莫</p>" in _page(client, como, "zh-hans")


def test_province_outside_china_is_refused_naming_the_field(expo):
    from django.core.exceptions import ValidationError

    como = ExhibitorFactory.build(expo=expo, country="IT", province="JS")
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            como.full_clean()
        assert excinfo.value.message_dict == {
            "province": ["A province is for companies in China; use the region."]
        }


def test_api_detail_has_both_descriptions_and_the_one_of_the_request(api_client, mill):
    url = f"/api/v1/exhibitors/{mill.pk}/"
    english = api_client.get(url).json()
    chinese = api_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    fields = ("description", "description_en", "description_zh", "province", "province_zh", "province_code")
    assert [english[f] for f in fields] == [
        "Real silk chiffon.",
        "Real silk chiffon.",
        "真丝雪纺。",
        "Jiangsu",
        "江苏",
        "JS",
    ]
    assert [chinese[f] for f in fields] == [
        "真丝雪纺。",
        "Real silk chiffon.",
        "真丝雪纺。",
        "Jiangsu",
        "江苏",
        "JS",
    ]


def test_api_region_outside_china(api_client, expo):
    como = ExhibitorFactory(expo=expo, country="IT", province="", region="Como")
    body = api_client.get(f"/api/v1/exhibitors/{como.pk}/").json()
    assert (body["province"], body["province_zh"], body["province_code"]) == ("Como", "", "")


def test_directory_search_finds_either_description(api_client, mill):
    for word in ("chiffon", "真丝"):
        assert [
            row["id"] for row in api_client.get("/api/v1/exhibitors/", {"search": word}).json()["results"]
        ] == [mill.pk]


def test_import_fills_both_descriptions_and_reads_provinces_in_either_language(expo):
    rows = [
        exhibitor(
            external_id="EX1",
            booth="1A01",
            province="江苏省",
            description="Chiffon.",
            description_zh="雪纺。",
        ),
        exhibitor(external_id="EX2", booth="1A02", province="Zhejiang", description="", description_zh=""),
        exhibitor(external_id="EX3", booth="1A03", province="", description="", description_zh=""),
        exhibitor(
            external_id="EX4", booth="1A04", country="IT", province="Como", description="", description_zh=""
        ),
    ]
    import_exhibitors(expo, rows)
    got = {
        e.external_id: (e.province, e.region, e.description_en, e.description_zh)
        for e in Exhibitor.objects.filter(expo=expo)
    }
    assert got == {
        "EX1": ("JS", "", "Chiffon.", "雪纺。"),
        "EX2": ("ZJ", "", "", ""),
        "EX3": ("", "", "", ""),
        "EX4": ("", "Como", "", ""),
    }


def test_import_names_an_unknown_chinese_province(expo):
    errors = errors_of(import_exhibitors, expo, [exhibitor(province="Atlantis")])
    assert errors == [
        RowError(
            2,
            "province",
            "Unknown province “Atlantis”: give a province of China by its English or Chinese name, "
            "e.g. Jiangsu or 江苏.",
        )
    ]
    assert Exhibitor.objects.count() == 0


def test_numbers_are_grouped_in_both_languages(client, mill):
    english, chinese = _page(client, mill, "en"), _page(client, mill, "zh-hans")
    assert "<dd>200,000 m</dd>" in english  # monthly capacity
    assert "<dd>200,000 米</dd>" in chinese
    assert "200000" not in chinese


def test_number_format_groups_by_three_in_chinese():
    from django.utils import translation
    from django.utils.formats import number_format

    with translation.override("zh-hans"):
        assert number_format(45600, decimal_pos=0, force_grouping=True) == "45,600"
