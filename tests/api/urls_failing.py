"""The real URLconf plus two routes that fail with an unexpected exception, to test the 500 handlers."""

from django.urls import path

from config.urls import handler400, handler404, handler500
from config.urls import urlpatterns as real_urlpatterns


def fail(request):
    raise RuntimeError("an unexpected failure")


urlpatterns = [path("api/v1/fail/", fail), path("fail/", fail), *real_urlpatterns]

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
