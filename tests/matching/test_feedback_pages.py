"""Feedback on recommendations: the page stays in place, "interested" can be taken back, and the
exhibitors marked "not interested" are listed and can be restored."""

import pytest
from django.urls import reverse

from expo.models import Buyer
from matching.models import Match, MatchFeedback
from matching.services import runs
from tests.factories.matching import buyer_with, exhibitor_with

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def scene(expo, buyer_user, client, django_capture_on_commit_callbacks):
    mills = [
        exhibitor_with(expo=expo, name_en=name, name_zh=zh, fabrics=["chiffon"], processes=processes)
        for name, zh, processes in [
            ("Alpha Chiffon", "阿尔法雪纺", ["coating"]),
            ("Beta Chiffon", "贝塔雪纺", []),
        ]
    ]
    buyer = buyer_with(expo=expo, user=buyer_user, fabrics=["chiffon"], processes=["coating"])
    runs.match_run_execute(run=runs.match_run_start(expo=expo, dispatch=False))
    client.force_login(buyer_user)
    matches = list(Match.objects.filter(buyer=buyer).order_by("rank"))
    assert [m.exhibitor_id for m in matches] == [mills[0].pk, mills[1].pk]
    return {"buyer": buyer, "mills": mills, "matches": matches}


def _feedback(client, match, value, **extra):
    return client.post(
        reverse("matching:recommendation-feedback", args=[match.pk]), {"value": value}, **extra
    )


def test_interested_without_htmx_returns_to_the_same_card(client, scene):
    first = scene["matches"][0]
    response = _feedback(client, first, "interested")
    assert (response.status_code, response["Location"]) == (302, f"/recommendations/#match-{first.pk}")
    assert list(MatchFeedback.objects.values_list("exhibitor_id", "value")) == [
        (first.exhibitor_id, "interested")
    ]


def test_not_interested_without_htmx_returns_to_the_next_card(
    client, scene, django_capture_on_commit_callbacks
):
    first, second = scene["matches"]
    with django_capture_on_commit_callbacks(execute=True):
        response = _feedback(client, first, "not_interested")
    assert (response.status_code, response["Location"]) == (302, f"/recommendations/#match-{second.pk}")


def test_interested_with_htmx_answers_the_card_alone_with_a_take_back_button(client, scene):
    first = scene["matches"][0]
    response = _feedback(client, first, "interested", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<article class="match" id="match-{first.pk}">')
    assert "<html" not in html
    assert "Noted: you are interested in Alpha Chiffon." in html
    assert 'name="value" value="none"' in html
    assert 'value="interested"' not in html


def test_interested_can_be_taken_back(client, scene):
    first = scene["matches"][0]
    _feedback(client, first, "interested")
    response = _feedback(client, first, "none", **HTMX)
    assert MatchFeedback.objects.count() == 0
    html = response.content.decode()
    assert "You took back “interested” for Alpha Chiffon." in html
    assert 'name="value" value="interested"' in html


def test_taking_back_through_the_api(client_for, buyer_user, scene):
    first = scene["matches"][0]
    api = client_for(buyer_user)
    assert (
        api.post(f"/api/v1/matches/{first.pk}/feedback/", {"value": "interested"}, format="json").status_code
        == 200
    )
    response = api.delete(f"/api/v1/matches/{first.pk}/feedback/")
    assert (response.status_code, MatchFeedback.objects.count()) == (204, 0)
    assert api.delete("/api/v1/matches/999999/feedback/").status_code == 404


def test_not_interested_with_htmx_answers_an_undo_card(client, scene, django_capture_on_commit_callbacks):
    first = scene["matches"][0]
    with django_capture_on_commit_callbacks(execute=True):
        response = _feedback(client, first, "not_interested", **HTMX)
    html = response.content.decode()
    assert html.startswith(f'<article class="match removed" id="match-{first.pk}">')
    assert "Alpha Chiffon will not be recommended to you again." in html
    assert f'hx-post="/recommendations/not-interested/{first.exhibitor_id}/restore/"' in html


def test_not_interested_list_and_restore(client, scene, django_capture_on_commit_callbacks):
    first = scene["matches"][0]
    alpha = scene["mills"][0]
    with django_capture_on_commit_callbacks(execute=True):
        _feedback(client, first, "not_interested")
    page = client.get(reverse("matching:recommendations")).content.decode()
    assert '<a href="/recommendations/not-interested/">1 exhibitor you marked not interested</a>' in page
    assert f'id="match-{first.pk}"' not in page
    listing = client.get(reverse("matching:not-interested")).content.decode()
    assert "Alpha Chiffon" in listing
    assert "Beta Chiffon" not in listing
    stamped = Buyer.objects.get(pk=scene["buyer"].pk).updated_at
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:not-interested-restore", args=[alpha.pk]))
    # The buyer is stamped, so a full run computing meanwhile catches this buyer up when it ends.
    assert Buyer.objects.get(pk=scene["buyer"].pk).updated_at > stamped
    assert (response.status_code, response["Location"]) == (302, "/recommendations/not-interested/")
    assert MatchFeedback.objects.count() == 0
    listing = client.get(reverse("matching:not-interested")).content.decode()
    assert "Alpha Chiffon is back: it can be recommended to you again." in listing
    assert "You have not marked any exhibitor as not interested." in listing
    # Rescored on commit: the restored exhibitor is recommended again, first as before.
    ranked = list(
        Match.objects.filter(buyer=scene["buyer"]).order_by("rank").values_list("exhibitor_id", flat=True)
    )
    assert ranked == [alpha.pk, scene["mills"][1].pk]


def test_restore_of_an_exhibitor_not_marked_is_404(client, scene):
    assert (
        client.post(reverse("matching:not-interested-restore", args=[scene["mills"][1].pk])).status_code
        == 404
    )


def test_not_interested_list_in_chinese(client, scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _feedback(client, scene["matches"][0], "not_interested", **HTMX)
    scene["buyer"].user.preferred_language = "zh-hans"  # a signed-in person's pages speak their language
    scene["buyer"].user.save()
    html = client.get(reverse("matching:not-interested")).content.decode()
    assert "阿尔法雪纺" in html
    assert "Alpha Chiffon" not in html


def test_not_interested_pages_are_for_buyers(client, exhibitor_staff, scene):
    client.force_login(exhibitor_staff)
    assert client.get(reverse("matching:not-interested")).status_code == 403
    assert (
        client.post(reverse("matching:not-interested-restore", args=[scene["mills"][0].pk])).status_code
        == 403
    )
