"""Exhibitor staff services: who may manage a company in the admin."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from expo.models import ExhibitorStaff
from expo.selectors import exhibitor_for_user
from expo.services.profiles import staff_member_add, staff_member_remove
from tests.factories.accounts import OrganiserFactory, UserFactory
from tests.factories.expo import ExhibitorFactory

pytestmark = pytest.mark.django_db


def test_staff_member_add_creates_an_account_without_password(exhibitor):
    link = staff_member_add(exhibitor=exhibitor, email=" Chen.Li@Mill.Example ", name="Chen Li")

    user = User.objects.get(pk=link.user_id)
    assert (user.email, user.name, user.company, user.role, user.is_staff) == (
        "Chen.Li@mill.example",  # as typed (the domain lower-cased); email_key compares
        "Chen Li",
        exhibitor.name_en,
        Role.EXHIBITOR_STAFF,
        True,
    )
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Exhibitor staff"]
    assert exhibitor_for_user(user=user) == exhibitor


def test_staff_member_add_turns_an_existing_buyer_into_staff(exhibitor, buyer_user):
    link = staff_member_add(exhibitor=exhibitor, email=buyer_user.email.upper())

    assert link.user == buyer_user
    buyer_user.refresh_from_db()
    assert (buyer_user.role, buyer_user.is_staff) == (Role.EXHIBITOR_STAFF, True)
    assert buyer_user.has_usable_password()


def test_staff_member_add_twice_for_the_same_company_changes_nothing(exhibitor):
    first = staff_member_add(exhibitor=exhibitor, email="a@mill.example")

    second = staff_member_add(exhibitor=exhibitor, email="A@mill.example")

    assert second.pk == first.pk
    assert ExhibitorStaff.objects.count() == 1


def test_staff_member_add_refuses_staff_of_another_company(expo, exhibitor):
    other = ExhibitorFactory(expo=expo)
    staff_member_add(exhibitor=other, email="a@mill.example")

    with pytest.raises(ValidationError) as excinfo:
        staff_member_add(exhibitor=exhibitor, email="a@mill.example")

    assert list(excinfo.value.message_dict) == ["email"]
    assert ExhibitorStaff.objects.get().exhibitor == other


def test_staff_member_add_refuses_organisers(exhibitor):
    organiser = OrganiserFactory()

    with pytest.raises(ValidationError) as excinfo:
        staff_member_add(exhibitor=exhibitor, email=organiser.email)

    assert list(excinfo.value.message_dict) == ["email"]
    assert ExhibitorStaff.objects.count() == 0


def test_staff_member_add_refuses_a_bad_email_and_writes_nothing(exhibitor):
    with pytest.raises(ValidationError) as excinfo:
        staff_member_add(exhibitor=exhibitor, email="not-an-email")

    assert list(excinfo.value.message_dict) == ["email"]
    assert (User.objects.count(), ExhibitorStaff.objects.count()) == (0, 0)


def test_staff_member_remove_leaves_a_buyer_without_admin_access(exhibitor):
    link = staff_member_add(exhibitor=exhibitor, email="a@mill.example")
    user = link.user

    staff_member_remove(staff=link)

    user.refresh_from_db()
    assert (user.role, user.is_staff, user.groups.count()) == (Role.BUYER, False, 0)
    assert exhibitor_for_user(user=user) is None


def test_exhibitor_for_user_is_none_for_organisers_buyers_and_anonymous(exhibitor):
    organiser = OrganiserFactory()
    ExhibitorStaff.objects.create(user=organiser, exhibitor=exhibitor)  # a stray link grants nothing

    assert exhibitor_for_user(user=organiser) is None
    assert exhibitor_for_user(user=UserFactory()) is None
    assert exhibitor_for_user(user=AnonymousUser()) is None
