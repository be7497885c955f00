"""API sign-in by token, answering in the person's saved language as pages and emails do."""

from rest_framework.authentication import TokenAuthentication

from accounts.middleware import saved_language_apply


class LanguageTokenAuthentication(TokenAuthentication):
    """DRF's token sign-in; the person's `preferred_language` then wins over Accept-Language.

    Session sign-in gets this from `UserLanguageMiddleware`; a token is only read inside the view,
    so the language is applied here, before the view renders anything (errors included).
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            saved_language_apply(request._request, result[0])
        return result
