from django.urls import path

from expo import views

app_name = "expo"

urlpatterns = [
    path("taxonomy/", views.TaxonomyListApi.as_view(), name="taxonomy"),
]

page_urlpatterns: list = []
