"""The Simplified Chinese catalogue: complete, faithful to its placeholders, in step with the code.

The catalogue is read from locale/zh_Hans/LC_MESSAGES/django.po, the file under version control;
the compiled .mo is a build product, so the tests that translate compile their own copy.
"""

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from expo.models import Exhibitor, TermKind
from tests.factories.accounts import OrganiserFactory
from tests.factories.expo import BoothFactory, BuyerFactory, ExpoFactory

PO_PATH = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# The very command the Makefile's `makemessages` target runs.
MAKEMESSAGES_IGNORE = [".venv", "staticfiles", "bench"]


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _active(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def _label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def _msgstrs(entry: polib.POEntry) -> list[str]:
    return (
        [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
        if entry.msgid_plural
        else [entry.msgstr]
    )


# --- Complete -------------------------------------------------------------------------------------


def test_catalogue_header_declares_simplified_chinese(catalogue):
    meta = catalogue.metadata

    assert (meta["Language"], meta["Plural-Forms"], meta["Content-Type"]) == (
        "zh_Hans",
        "nplurals=1; plural=0;",
        "text/plain; charset=UTF-8",
    )
    assert not catalogue.metadata_is_fuzzy


def test_catalogue_has_no_untranslated_entries(catalogue):
    untranslated = [_label(e) for e in _active(catalogue) if not all(_msgstrs(e))]

    assert untranslated == []


def test_catalogue_has_no_fuzzy_entries(catalogue):
    fuzzy = [_label(e) for e in _active(catalogue) if "fuzzy" in e.flags]

    assert fuzzy == []


def test_catalogue_plurals_fill_the_single_chinese_form(catalogue):
    wrong = [_label(e) for e in _active(catalogue) if e.msgid_plural and sorted(e.msgstr_plural) != [0]]

    assert wrong == []


# --- Placeholders ---------------------------------------------------------------------------------

# %(name)s, %s, %d, %.2f …; "%%" is a literal percent sign, not a placeholder.
_PERCENT = re.compile(r"%(?:\((?P<name>[^)]+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?(?P<conv>[diouxXeEfFgGcrsa%])")
_BRACE = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}(?!\})")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def _percent_placeholders(text: str) -> list[str]:
    found = [m.group(0) for m in _PERCENT.finditer(text) if m.group("conv") != "%"]
    # Named placeholders may move (Chinese word order); positional ones must keep their order.
    return sorted(found) if all("(" in p for p in found) else found


def _placeholders(text: str, python_format: bool) -> tuple[list[str], list[str], list[str]]:
    percent = _percent_placeholders(text) if python_format else []
    return percent, sorted(_BRACE.findall(text)), sorted(_TAG.findall(text))


def test_every_translation_keeps_the_placeholders_and_tags_of_its_source(catalogue):
    mismatched = []
    for entry in _active(catalogue):
        python_format = "python-format" in entry.flags
        # Chinese has one plural form: it stands for every count, so it follows the plural source.
        source = entry.msgid_plural or entry.msgid
        wanted = _placeholders(source, python_format)
        for text in _msgstrs(entry):
            if _placeholders(text, python_format) != wanted:
                mismatched.append(_label(entry))

    assert mismatched == []


def test_placeholder_check_sees_named_positional_brace_and_tag_placeholders():
    text = '<a href="%(url)s">%s</a> {count} %d%% {{literal}}'

    assert _placeholders(text, python_format=True) == (
        ["%(url)s", "%s", "%d"],
        ["{count}"],
        ["</a>", '<a href="%(url)s">'],
    )


def test_placeholder_check_rejects_a_dropped_placeholder():
    source = _placeholders("%(expo)s: %(count)d slots.", python_format=True)

    assert _placeholders("%(expo)s：个时段。", python_format=True) != source
    assert _placeholders("%(expo)s：%(count)d 个时段。", python_format=True) == source


# --- In step with the code ------------------------------------------------------------------------


def _fresh_template(tmp_path: Path) -> polib.POFile:
    """The .pot that makemessages extracts from the code now, run on a copy of the project.

    A copy, because makemessages writes into the project's locale/ directory; the copy's own
    config/ puts LOCALE_PATHS inside the copy, so the real catalogue is never touched.
    """
    project = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        project,
        ignore=shutil.ignore_patterns(
            *MAKEMESSAGES_IGNORE,
            ".git",
            "locale",
            "media",
            "node_modules",
            "__pycache__",
            "*.pyc",
            "db.sqlite3*",
            ".*_cache",
            ".hypothesis",
            ".env",
        ),
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--keep-pot", "-v0"]
    command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORE]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return polib.pofile(str(project / "locale" / "django.pot"))


def test_catalogue_holds_exactly_the_strings_of_the_code(catalogue, tmp_path):
    fresh = {(e.msgctxt, e.msgid, e.msgid_plural) for e in _active(_fresh_template(tmp_path))}
    committed = {(e.msgctxt, e.msgid, e.msgid_plural) for e in _active(catalogue)}

    # Fix by running `make makemessages` and translating what it adds (or marks fuzzy).
    assert (sorted(fresh - committed, key=str), sorted(committed - fresh, key=str)) == ([], [])


# --- Translating at run time ----------------------------------------------------------------------


@pytest.fixture
def compiled_catalogue(settings, tmp_path):
    """The committed .po compiled into a temporary LOCALE_PATHS (a stale or missing .mo cannot interfere)."""
    messages = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    polib.pofile(str(PO_PATH)).save_as_mofile(str(messages / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]  # the setting_changed signal empties Django's cache


def test_gettext_speaks_the_trade_fair_vocabulary(compiled_catalogue):
    with translation.override("zh-hans"):
        words = [
            translation.gettext(word)
            for word in ("Buyers", "Exhibitors", "Organiser", "Booth", "Hall", "Lead time", "Minimum order")
        ]
        sign = (
            translation.gettext("Sign in"),
            translation.gettext("Register"),
            translation.gettext("Sign out"),
        )

    assert words == ["采购商", "展商", "主办方", "展位", "展馆", "交期", "起订量"]
    assert sign == ("登录", "注册", "退出登录")


def test_gettext_translates_plurals_context_and_lazy_labels(compiled_catalogue):
    with translation.override("zh-hans"):
        slots = translation.ngettext("%(expo)s: %(count)d slot.", "%(expo)s: %(count)d slots.", 1) % {
            "expo": "盛泽展",
            "count": 1,
        }
        separator = translation.pgettext("separator between items of a list", ", ")
        labels = (str(Exhibitor._meta.verbose_name), str(TermKind.FABRIC.label), str(TermKind.END_USE.label))
        reason = translation.gettext("Makes the fabrics you want: %(terms)s") % {"terms": "雪纺、乔其纱"}

    assert slots == "盛泽展：1 个时段。"
    assert separator == "、"
    assert labels == ("展商", "面料", "终端用途")
    assert reason == "生产您需要的面料：雪纺、乔其纱"


def test_english_stays_english(compiled_catalogue):
    with translation.override("en"):
        assert translation.gettext("Exhibitors") == "Exhibitors"


# --- Pages in zh-hans leave no catalogue string in English ---------------------------------------


class _VisibleText(HTMLParser):
    """Text nodes and human-facing attributes of a page.

    Scripts and styles are skipped, and so is text marked as English (lang="en"): the language
    switch names English in English on purpose.
    """

    ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skipped: list[str] = []  # open elements whose text is not the page's own

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # <html lang> is the page's language: a page left in English must not pass as "marked English".
        marked_english = tag != "html" and (attributes.get("lang") or "").startswith("en")
        if tag in {"script", "style"} or marked_english:
            self._skipped.append(tag)
        elif not self._skipped:
            self.texts += [value.strip() for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if self._skipped and self._skipped[-1] == tag:
            self._skipped.pop()

    def handle_data(self, data):
        if not self._skipped and data.strip():
            self.texts.append(" ".join(data.split()))


def _untranslated_on(html: str, catalogue: polib.POFile) -> list[str]:
    """Texts of the page that are, word for word, an English msgid the catalogue translates differently."""
    english = {e.msgid for e in _active(catalogue) if e.msgstr and e.msgstr != e.msgid and "%" not in e.msgid}
    # Language pickers name each language in itself ("English" on a Chinese page) on purpose.
    english -= {translation.get_language_info(code)["name_local"] for code, _name in settings.LANGUAGES}
    parser = _VisibleText()
    parser.feed(html)
    return sorted({text for text in parser.texts if text in english})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/exhibitors/", "/accounts/login/", "/accounts/register/", "/admin/login/"]
)
def test_pages_in_chinese_leave_no_catalogue_string_in_english(client, catalogue, compiled_catalogue, url):
    expo = ExpoFactory(is_current=True)
    BoothFactory(expo=expo)
    client.cookies["django_language"] = "zh-hans"

    response = client.get(url)

    assert response.status_code == 200
    assert _untranslated_on(response.content.decode(), catalogue) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("buyer", "/"),
        ("buyer", "/profile/"),
        ("buyer", "/recommendations/"),
        ("organiser", "/organiser/matching/"),
        ("organiser", "/admin/"),
        ("organiser", "/admin/expo/exhibitor/import/"),
    ],
)
def test_signed_in_pages_in_chinese_leave_no_catalogue_string_in_english(
    client, catalogue, compiled_catalogue, role, url
):
    expo = ExpoFactory(is_current=True)
    BoothFactory(expo=expo)
    user = BuyerFactory(expo=expo).user if role == "buyer" else OrganiserFactory()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"

    response = client.get(url)

    assert response.status_code == 200
    assert _untranslated_on(response.content.decode(), catalogue) == []


@pytest.mark.django_db
def test_sign_in_page_is_chinese(client, compiled_catalogue):
    ExpoFactory(is_current=True)

    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert '<html lang="zh-hans"' in html
    assert "<h1>登录</h1>" in html
    assert '<a href="/accounts/password-reset/">忘记密码？</a>' in html


def test_untranslated_check_finds_english_left_in_a_page(catalogue):
    html = (
        '<html lang="en"><h1>登录</h1><button title="Switch language">Sign in</button>'
        '<script>"Exhibitors"</script><button lang="en">Exhibitors</button><p>English</p></html>'
    )

    assert _untranslated_on(html, catalogue) == ["Sign in", "Switch language"]


@pytest.mark.django_db
def test_django_strings_missing_from_djangos_catalogue_are_chinese_through_ours(api_client, expo):
    """config/i18n_django.py carries them; the password rule is the one buyers meet when registering."""
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "li@brand.example", "password": "Ab1!", "company": "Li", "country": "CN", "name": "Li"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 400
    assert response.json()["password"] == ["密码太短，至少需要 8 个字符。"]


def test_djangos_password_help_texts_say_nin_as_the_project_does():
    """Django's own Chinese says 你; ours (config/i18n_django.py) overrides it with 您."""
    from django.contrib.auth.password_validation import password_validators_help_texts

    with translation.override("zh-hans"):
        texts = password_validators_help_texts()

    assert texts[:4] == [
        "您的密码不能与您的其他个人信息太相似。",
        "您的密码必须包含至少 8 个字符。",
        "您的密码不能是常见密码。",
        "您的密码不能全是数字。",
    ]
    assert not [text for text in texts if "你" in text]
