"""Strings Django 5.2 shows to our users but its own Simplified Chinese catalogue lacks.

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
