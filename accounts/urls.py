"""API routes of the accounts app (included under /api/v1/); pages are in `page_urlpatterns`."""

app_name = "accounts"

urlpatterns: list = []

page_urlpatterns: list = []
