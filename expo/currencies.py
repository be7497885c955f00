"""Names of the currencies deals are commonly logged in at a textile expo, in English and Chinese.

The code (ISO 4217) is what is stored and exchanged; the name only helps a person pick it. A
currency not listed here is shown by its code alone.
"""

from django.utils.translation import gettext_lazy as _

CURRENCY_NAMES = {
    "CNY": _("Chinese yuan"),
    "USD": _("US dollar"),
    "EUR": _("Euro"),
    "GBP": _("Pound sterling"),
    "JPY": _("Japanese yen"),
    "KRW": _("South Korean won"),
    "HKD": _("Hong Kong dollar"),
    "TWD": _("New Taiwan dollar"),
    "SGD": _("Singapore dollar"),
    "AUD": _("Australian dollar"),
    "CAD": _("Canadian dollar"),
    "CHF": _("Swiss franc"),
    "INR": _("Indian rupee"),
    "PKR": _("Pakistani rupee"),
    "BDT": _("Bangladeshi taka"),
    "VND": _("Vietnamese dong"),
    "THB": _("Thai baht"),
    "IDR": _("Indonesian rupiah"),
    "MYR": _("Malaysian ringgit"),
    "TRY": _("Turkish lira"),
    "AED": _("UAE dirham"),
    "RUB": _("Russian rouble"),
    "BRL": _("Brazilian real"),
}


def currency_label(code: str) -> str:
    """'USD · US dollar' (in the active language), or the code alone for an unlisted currency."""
    name = CURRENCY_NAMES.get(code)
    return f"{code} · {name}" if name else code
