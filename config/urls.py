from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import accounts.urls
import accounts.views
import expo.urls
import matching.urls
from config.views import HealthApi, favicon

api_v1 = [
    path("health/", HealthApi.as_view(), name="health"),
    path("", include("accounts.urls")),
    path("", include("expo.urls")),
    path("", include("matching.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"))),
    path("favicon.ico", favicon, name="favicon"),
    # Django's switcher, saving the choice on the account (accounts.views.language_set).
    path("i18n/setlang/", accounts.views.language_set, name="set_language"),
    path("admin/", admin.site.urls),
    # Server-rendered pages, namespaced by app ("expo:directory", "accounts:login", …).
    path("", include((accounts.urls.page_urlpatterns, "accounts"))),
    path("", include((matching.urls.page_urlpatterns, "matching"))),
    path("", include((expo.urls.page_urlpatterns, "expo"))),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
