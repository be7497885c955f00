"""The demo logins: who to sign in as once the demo data is in."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from expo.models import ExhibitorStaff
from expo.services.demo import data
from expo.services.demo.plan import demo_email_domain


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    note: str = ""


def demo_logins(*, expo_slug: str = "demo") -> list[DemoLogin]:
    """The three demo logins of an expo's demo data, with the staff member's company."""
    domain = demo_email_domain(expo_slug)
    staff = ExhibitorStaff.objects.filter(user__email=f"staff@{domain}").select_related("exhibitor").first()
    return [
        DemoLogin(role="organiser", email=f"organiser@{domain}", note=_("superuser, admin and dashboard")),
        DemoLogin(
            role="exhibitor staff",
            email=f"staff@{domain}",
            note=staff.exhibitor.name_en if staff else "",
        ),
        DemoLogin(role="buyer", email=f"buyer@{domain}", note=data.DEMO_BUYER["company"]),
    ]
