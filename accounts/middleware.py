"""Pages, the admin and their messages in the signed-in person's saved language."""

from django.conf import settings
from django.utils import translation

from accounts.languages import language_valid


class UserLanguageMiddleware:
    """After LocaleMiddleware and authentication: a signed-in person's saved `preferred_language`
    wins over what the browser says (Accept-Language), on any device.

    The language cookie is set only by a choice (the header switcher, the account page, which both
    save it on the account too) and at sign-in (from the account), so where there is one it is
    this person's choice and LocaleMiddleware has already applied it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        saved_language_apply(request, getattr(request, "user", None))
        return self.get_response(request)


def saved_language_apply(request, user) -> None:
    """Answer `request` in `user`'s saved language, unless a language cookie (a choice) says otherwise.

    Called here for session sign-in, and by `accounts.authentication` for API tokens, which DRF
    checks only inside the view, after every middleware has run.
    """
    if (
        settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        and user is not None
        and user.is_authenticated
        and language_valid(user.preferred_language)
    ):
        translation.activate(user.preferred_language)
        request.LANGUAGE_CODE = user.preferred_language
