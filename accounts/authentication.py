"""API sign-in by token, answering in the person's saved language unless the client asks for one."""

from rest_framework.authentication import TokenAuthentication

from accounts.middleware import saved_language_apply


class LanguageTokenAuthentication(TokenAuthentication):
    """DRF's token sign-in; a request that names no language (no Accept-Language header) is answered
    in the person's `preferred_language`, as their pages and emails are.

    A browser sends Accept-Language on every request whether or not anyone chose it, so for pages
    the saved language wins over it (`UserLanguageMiddleware`). An API client sends the header only
    when it means it, so there the header is the client's choice and wins. A token is read only
    inside the view, after every middleware has run, hence this hook.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and not request._request.headers.get("Accept-Language"):
            saved_language_apply(request._request, result[0])
        return result
