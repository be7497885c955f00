import factory

from accounts.models import Role, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    company = "Example Garments Ltd"
    country = "DE"
    role = Role.BUYER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganiserFactory(UserFactory):
    role = Role.ORGANISER
    is_staff = True
    is_superuser = True


class StaffUserFactory(UserFactory):
    role = Role.EXHIBITOR_STAFF
    is_staff = True
