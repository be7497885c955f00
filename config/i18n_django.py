"""Strings Django 5.2 shows to our users but its own Simplified Chinese catalogue lacks, or
translates in a voice the project does not use (你 where the project writes 您 throughout).

Never imported: listing them here lets `makemessages` carry them into our catalogue, which
Django reads before its own (LOCALE_PATHS comes first), so they appear in Chinese too.
Drop an entry once Django's catalogue translates it.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_STRINGS = (
    # django.contrib.auth.password_validation.MinimumLengthValidator (wording changed in 5.2)
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    ),
    # django.contrib.auth password validators' help texts and the password change form: Django's
    # Chinese says 你; ours says 您
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        8,
    ),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    # django.db.models.fields.related.ForeignKey.validate
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    # Admin templates
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)
