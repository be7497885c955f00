"""API routes of the matching app (included under /api/v1/); pages are in `page_urlpatterns`."""

app_name = "matching"

urlpatterns: list = []

page_urlpatterns: list = []
