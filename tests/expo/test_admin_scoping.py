"""The object-level and form-field guards of the admin's exhibitor scoping, tested directly.

The admin client tests (test_admin.py) mostly stop at `get_queryset`; these check the layers
behind it, so that each guard fails a test on its own when removed.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from accounts.models import Role
from accounts.services import user_set_role
from expo.models import Booth, Exhibitor, ExhibitorStaff, Table
from expo.services.floor import booth_tables_sync
from tests.factories.accounts import UserFactory
from tests.factories.expo import BoothFactory, ExhibitorFactory

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.fixture
def two_companies(expo):
    a = ExhibitorFactory(expo=expo, name_en="Alpha Weaving")
    b = ExhibitorFactory(expo=expo, name_en="Beta Dyeing")
    booth_a = BoothFactory(expo=expo, exhibitor=a, code="A101", tables=2)
    booth_b = BoothFactory(expo=expo, exhibitor=b, code="B202", tables=2)
    booth_tables_sync(booth=booth_a)
    booth_tables_sync(booth=booth_b)
    user = UserFactory(role=Role.BUYER)
    ExhibitorStaff.objects.create(user=user, exhibitor=a)
    staff = user_set_role(user=user, role=Role.EXHIBITOR_STAFF)
    return staff, a, b, booth_a, booth_b


@pytest.mark.parametrize("permission", ["has_view_permission", "has_change_permission"])
def test_staff_object_permissions_cover_only_own_exhibitor(two_companies, permission):
    staff, a, b, _, _ = two_companies
    model_admin = admin.site._registry[Exhibitor]
    check = getattr(model_admin, permission)

    assert check(_request(staff), a) is True
    assert check(_request(staff), b) is False


@pytest.mark.parametrize("permission", ["has_view_permission", "has_change_permission"])
def test_staff_object_permissions_cover_only_own_booths(two_companies, permission):
    staff, _, _, booth_a, booth_b = two_companies
    check = getattr(admin.site._registry[Booth], permission)

    assert check(_request(staff), booth_a) is True
    assert check(_request(staff), booth_b) is False


def test_staff_cannot_delete_even_own_exhibitor(two_companies):
    staff, a, _, _, _ = two_companies

    assert admin.site._registry[Exhibitor].has_delete_permission(_request(staff), a) is False


def test_organiser_object_permissions_cover_every_company(two_companies, organiser):
    _, a, b, _, booth_b = two_companies

    assert admin.site._registry[Exhibitor].has_change_permission(_request(organiser), b) is True
    assert admin.site._registry[Booth].has_change_permission(_request(organiser), booth_b) is True
    assert admin.site._registry[Exhibitor].has_change_permission(_request(organiser), a) is True


def test_staff_foreign_key_choices_are_own_company_only(two_companies):
    staff, a, _, booth_a, _ = two_companies
    booth_admin = admin.site._registry[Booth]

    exhibitor_field = booth_admin.formfield_for_foreignkey(
        Booth._meta.get_field("exhibitor"), _request(staff)
    )
    booth_field = booth_admin.formfield_for_foreignkey(Table._meta.get_field("booth"), _request(staff))

    assert list(exhibitor_field.queryset) == [a]
    assert list(booth_field.queryset) == [booth_a]


def test_organiser_foreign_key_choices_are_unrestricted(two_companies, organiser):
    _, a, b, _, _ = two_companies
    booth_admin = admin.site._registry[Booth]

    field = booth_admin.formfield_for_foreignkey(Booth._meta.get_field("exhibitor"), _request(organiser))

    assert set(field.queryset) == {a, b}


def test_staff_without_a_company_sees_nothing(expo):
    ExhibitorFactory(expo=expo)
    loose = user_set_role(user=UserFactory(role=Role.BUYER), role=Role.EXHIBITOR_STAFF)
    model_admin = admin.site._registry[Exhibitor]

    assert list(model_admin.get_queryset(_request(loose))) == []
    field = admin.site._registry[Booth].formfield_for_foreignkey(
        Booth._meta.get_field("exhibitor"), _request(loose)
    )
    assert list(field.queryset) == []
