"""China's provinces (and province-level cities and regions) as bilingual data.

An exhibitor in China names its province by code (ISO 3166-2:CN without the "CN-" prefix);
pages show the name in the page's language. Imports accept the code, the English or the Chinese
name, with or without "Province", "省", "市" or "自治区". Outside China the place is free text
(`Exhibitor.region`).
"""

import re
import unicodedata
from functools import lru_cache

from django.utils.functional import lazy
from django.utils.translation import get_language

# (code, English, Chinese, full Chinese name)
PROVINCES = (
    ("AH", "Anhui", "安徽", "安徽省"),
    ("BJ", "Beijing", "北京", "北京市"),
    ("CQ", "Chongqing", "重庆", "重庆市"),
    ("FJ", "Fujian", "福建", "福建省"),
    ("GD", "Guangdong", "广东", "广东省"),
    ("GS", "Gansu", "甘肃", "甘肃省"),
    ("GX", "Guangxi", "广西", "广西壮族自治区"),
    ("GZ", "Guizhou", "贵州", "贵州省"),
    ("HA", "Henan", "河南", "河南省"),
    ("HB", "Hubei", "湖北", "湖北省"),
    ("HE", "Hebei", "河北", "河北省"),
    ("HI", "Hainan", "海南", "海南省"),
    ("HL", "Heilongjiang", "黑龙江", "黑龙江省"),
    ("HN", "Hunan", "湖南", "湖南省"),
    ("JL", "Jilin", "吉林", "吉林省"),
    ("JS", "Jiangsu", "江苏", "江苏省"),
    ("JX", "Jiangxi", "江西", "江西省"),
    ("LN", "Liaoning", "辽宁", "辽宁省"),
    ("NM", "Inner Mongolia", "内蒙古", "内蒙古自治区"),
    ("NX", "Ningxia", "宁夏", "宁夏回族自治区"),
    ("QH", "Qinghai", "青海", "青海省"),
    ("SC", "Sichuan", "四川", "四川省"),
    ("SD", "Shandong", "山东", "山东省"),
    ("SH", "Shanghai", "上海", "上海市"),
    ("SN", "Shaanxi", "陕西", "陕西省"),
    ("SX", "Shanxi", "山西", "山西省"),
    ("TJ", "Tianjin", "天津", "天津市"),
    ("XJ", "Xinjiang", "新疆", "新疆维吾尔自治区"),
    ("XZ", "Tibet", "西藏", "西藏自治区"),
    ("YN", "Yunnan", "云南", "云南省"),
    ("ZJ", "Zhejiang", "浙江", "浙江省"),
)
_NAMES = {code: (en, zh) for code, en, zh, _full in PROVINCES}
# Other spellings met in spreadsheets.
_ALIASES = {
    "nei mongol": "NM",
    "nei menggu": "NM",
    "inner mongolia autonomous region": "NM",
    "xizang": "XZ",
    "guangxi zhuang": "GX",
    "ningxia hui": "NX",
    "xinjiang uygur": "XJ",
    "xinjiang uyghur": "XJ",
    "shensi": "SN",
}
_SUFFIX = re.compile(r"(\s+(province|sheng|shi|municipality|autonomous region)|省|市|自治区)$")


def province_name(code: str, language: str | None = None) -> str:
    """The province's name in `language` (the active one by default); "" for an unknown code."""
    names = _NAMES.get(code)
    if names is None:
        return ""
    return names[1] if (language or get_language() or "").startswith("zh") else names[0]


province_label = lazy(province_name, str)
PROVINCE_CHOICES = [(code, province_label(code)) for code, *_names in PROVINCES]


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("-", " ").split())


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    found: dict[str, str] = {}
    for code, en, zh, full in PROVINCES:
        for name in (code, f"cn {code}", en, zh, full):
            found[_key(name)] = code
    return {**found, **_ALIASES}


def province_code(text: str) -> str | None:
    """The code of the province `text` names (code, English or Chinese name, any usual suffix)."""
    key = _key(text)
    if not key:
        return None
    found = _lookup()
    if key in found:
        return found[key]
    return found.get(_SUFFIX.sub("", key).strip())
