from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from accounts.validators import PASSWORD_MAX_LENGTH


class UserSerializer(serializers.ModelSerializer):
    """The signed-in user's own account (never used in lists)."""

    country = CountryField(required=False, allow_blank=True)

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "email",
            "name",
            "company",
            "country",
            "preferred_language",
            "role",
            "email_confirmed",
        ]
        read_only_fields = fields


class TokenInputSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("Email address"))
    password = serializers.CharField(
        label=_("Password"),
        trim_whitespace=False,
        max_length=PASSWORD_MAX_LENGTH,
        style={"input_type": "password"},
    )


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class RegisterInputSerializer(serializers.Serializer):
    """Shape only; the registration service checks uniqueness, password strength and the country."""

    email = serializers.CharField(label=_("Email address"), max_length=254)
    password = serializers.CharField(
        label=_("Password"),
        trim_whitespace=False,
        max_length=PASSWORD_MAX_LENGTH,
        style={"input_type": "password"},
    )
    name = serializers.CharField(label=_("Name"), max_length=150)
    company = serializers.CharField(label=_("Company"), max_length=200)
    country = serializers.CharField(label=_("Country"), max_length=2)
    preferred_language = serializers.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES, required=False
    )


class RegisterOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    user = UserSerializer()


class EmailConfirmInputSerializer(serializers.Serializer):
    token = serializers.CharField()
