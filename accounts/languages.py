"""The languages a person may keep (settings.LANGUAGES) and how spreadsheets and defaults name them."""

import unicodedata

from django.conf import settings

CHINESE = "zh-hans"
ENGLISH = "en"

# What organisers type in a `language` cell, folded (NFKC, case-folded, no spaces/underscores).
_NAMES = {
    "en": ENGLISH, "eng": ENGLISH, "english": ENGLISH, "英文": ENGLISH, "英语": ENGLISH, "英語": ENGLISH,
    "zh": CHINESE, "zhhans": CHINESE, "zhcn": CHINESE, "zhs": CHINESE, "cn": CHINESE, "chinese": CHINESE,
    "中文": CHINESE, "简体中文": CHINESE, "汉语": CHINESE, "普通话": CHINESE, "simplifiedchinese": CHINESE,
}  # fmt: skip


def language_code(text: str) -> str | None:
    """The code of a language as typed in a spreadsheet ("zh-Hans", "中文", "English"…); None if unknown."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    folded = "".join(ch for ch in folded if ch not in " -_")
    return _NAMES.get(folded)


def language_default(country: str) -> str:
    """A person's language when nobody said: Chinese for China, English elsewhere."""
    return CHINESE if str(country or "").upper() == "CN" else ENGLISH


def language_valid(code: str) -> bool:
    return code in dict(settings.LANGUAGES)
