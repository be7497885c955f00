"""The buyer pages: home, registration, sourcing profile, exhibitor directory and detail."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.forms import RegistrationForm
from accounts.ratelimits import REGISTER_PER_ADDRESS, rate_limit_hit
from accounts.throttles import client_address
from expo.filters import ExhibitorFilter, SlugListField
from expo.forms import BuyerProfileForm
from expo.models import BUYER_FACETS, EXHIBITOR_FACETS, ExhibitorStaff, Term, TermKind
from expo.selectors import (
    DIRECTORY_FACETS,
    buyer_for_user,
    buyer_meeting_request_allowance,
    buyer_profile_complete,
    exhibitor_contacts_visible,
    exhibitor_facet_counts,
    exhibitor_get,
    exhibitor_list,
    expo_current,
    hall_list,
)
from expo.services.profiles import (
    BUYER_PROFILE_FIELDS,
    buyer_profile_new,
    buyer_profile_update,
    buyer_register,
    buyer_registration_check,
)
from expo.views.pages.meetings import booking_context, refuses_bad_day


def _terms_by_kind(terms: list[Term] | None = None) -> dict[str, list[tuple[Term, int]]]:
    """Every term of every kind as (term, depth), each parent followed by its children."""
    if terms is None:
        terms = list(Term.objects.order_by("position", "slug"))
    children: dict[int, list[Term]] = {}
    for term in terms:
        if term.parent_id:
            children.setdefault(term.parent_id, []).append(term)
    tree: dict[str, list[tuple[Term, int]]] = {kind: [] for kind in TermKind.values}

    def walk(term: Term, depth: int) -> None:
        tree[term.kind].append((term, depth))
        for child in children.get(term.pk, []):
            walk(child, depth + 1)

    for term in terms:
        if not term.parent_id:
            walk(term, 0)
    return tree


def home_page(request):
    expo = expo_current()
    buyer = buyer_for_user(user=request.user, expo=expo) if request.user.is_authenticated else None
    return render(request, "expo/home.html", {"expo": expo, "buyer": buyer})


def register_page(request):
    if request.user.is_authenticated:
        return redirect("expo:profile")
    form = RegistrationForm(request.POST or None, initial={"preferred_language": get_language()})
    if request.method == "POST" and rate_limit_hit(REGISTER_PER_ADDRESS, client_address(request)):
        form.is_valid()
        form.add_error(
            None,
            _("Too many registrations from your network. Please try again in %(minutes)s minutes.")
            % {"minutes": REGISTER_PER_ADDRESS.minutes},
        )
        return render(request, "expo/register.html", {"form": form}, status=429)
    if request.method == "POST" and not form.is_valid():
        # Also name the service's findings (address taken, weak password) in the same round.
        fields = ("email", "password", "name", "company", "country", "preferred_language")
        try:
            buyer_registration_check(**{f: form.cleaned_data.get(f) or "" for f in fields})
        except ValidationError as exc:
            for field, messages_ in exc.message_dict.items():
                if field in form.fields and field not in form.errors:
                    form.add_error(field, messages_)
    elif request.method == "POST":
        try:
            user, _buyer = buyer_register(
                **form.cleaned_data, expo=expo_current(), base_url=request.build_absolute_uri("/")
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome! We sent a confirmation link to %(email)s. Now tell exhibitors what you source.")
                % {"email": user.email},
            )
            return redirect("expo:profile")
    return render(request, "expo/register.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def start_page(request):
    """Where a person's role starts, after an invitation: buyers their recommendations (their
    profile while it says nothing to match on), exhibitor staff their company in the admin,
    organisers the admin."""
    user = request.user
    if user.is_organiser:
        return redirect("admin:index")
    if user.is_exhibitor_staff:
        link = ExhibitorStaff.objects.filter(user=user).first()
        if link is not None:
            return redirect("admin:expo_exhibitor_change", link.exhibitor_id)
        return redirect("admin:index")
    buyer = buyer_for_user(user=user, expo=expo_current())
    if buyer_profile_complete(buyer=buyer):
        return redirect("matching:recommendations")
    return redirect("expo:profile")


@login_required
def profile_page(request):
    if not request.user.is_buyer:
        raise PermissionDenied(_("Only buyers have a sourcing profile."))
    expo = expo_current()
    if expo is None:
        return render(request, "expo/no_expo.html", status=404)
    buyer = buyer_for_user(user=request.user, expo=expo) or buyer_profile_new(user=request.user, expo=expo)
    initial = {field: getattr(buyer, field) for field in BUYER_PROFILE_FIELDS}
    initial["country"] = buyer.country.code if buyer.country else ""
    if buyer.pk:
        initial.update({facet: list(getattr(buyer, facet).all()) for facet in BUYER_FACETS})
    form = BuyerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            buyer_profile_update(buyer=buyer, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your sourcing profile is saved. Recommendations follow it."))
            return redirect("expo:profile")
    selected = {
        facet: {t.slug if isinstance(t, Term) else str(t) for t in (form[facet].value() or [])}
        for facet in BUYER_FACETS
    }
    tree = _terms_by_kind()
    facets = [
        {
            "field": form[facet],
            "kind": kind,
            "terms": [(term, depth, term.slug in selected[facet]) for term, depth in tree[kind]],
            "count": len(selected[facet]),
        }
        for facet, kind in BUYER_FACETS.items()
    ]
    context = {
        "form": form,
        "facets": facets,
        "buyer": buyer,
        "expo": expo,
        "allowance": buyer_meeting_request_allowance(buyer=buyer),
    }
    return render(request, "expo/profile.html", context, status=400 if form.errors else 200)


PAGE_SIZE = 20


def directory_page(request):
    expo = expo_current()
    if expo is None:
        return render(request, "expo/no_expo.html", status=404)
    base = exhibitor_list(expo=expo)
    all_terms = list(Term.objects.order_by("position", "slug"))
    index = {(term.kind, term.slug): term for term in all_terms}
    filterset = ExhibitorFilter(request.GET, queryset=base, expo=expo, terms=index)
    error = None
    try:
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        exhibitors = filterset.qs
        per_facet = {}
        for param, facet in DIRECTORY_FACETS.items():
            others = request.GET.copy()
            others.pop(param, None)
            per_facet[facet] = ExhibitorFilter(others, queryset=base, expo=expo, terms=index).qs
        counts = exhibitor_facet_counts(querysets=per_facet)
    except ValidationError as exc:
        error = "; ".join(message for messages_ in exc.message_dict.values() for message in messages_)
        exhibitors, counts = base.none(), {facet: {} for facet in DIRECTORY_FACETS.values()}
    page = Paginator(exhibitors, PAGE_SIZE).get_page(request.GET.get("page"))
    tree = _terms_by_kind(all_terms)
    facets = []
    for param, facet in DIRECTORY_FACETS.items():
        chosen = set(SlugListField().to_python(request.GET.getlist(param)))
        kind = filterset.filters[param].kind
        terms = [
            (term, depth, counts[facet].get(term.pk, 0), term.slug in chosen)
            for term, depth in tree[kind]
            if counts[facet].get(term.pk) or term.slug in chosen
        ]
        facets.append({"param": param, "label": TermKind(kind).label, "terms": terms, "chosen": len(chosen)})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "expo": expo,
        "page": page,
        "facets": facets,
        "halls": hall_list(expo=expo),
        "hall": request.GET.getlist("hall"),
        "search": request.GET.get("search", ""),
        "ordering": request.GET.get("ordering", ""),
        "query": query.urlencode(),
        "error": error,
        "filtered": any(k in request.GET for k in ("search", "hall", *DIRECTORY_FACETS)),
    }
    return render(request, "expo/directory.html", context, status=400 if error else 200)


@refuses_bad_day
def exhibitor_page(request, pk: int):
    expo = expo_current()
    exhibitor = exhibitor_get(expo=expo, pk=pk) if expo else None
    if exhibitor is None:
        raise Http404(_("No such exhibitor."))
    capabilities = [
        (TermKind(kind).label, list(getattr(exhibitor, facet).all()))
        for facet, kind in EXHIBITOR_FACETS.items()
    ]
    context = {
        "expo": expo,
        "exhibitor": exhibitor,
        "capabilities": capabilities,
        "booths": exhibitor.booths.all(),
        "show_contacts": exhibitor_contacts_visible(user=request.user),
    }
    if request.user.is_authenticated and request.user.is_buyer:
        # Buyers book from here: the free slots of a day, through the booking page's form.
        context["can_book"] = buyer_for_user(user=request.user, expo=expo) is not None
        context.update(
            booking_context(
                request, exhibitor=exhibitor, action=reverse("expo:meeting-book", args=[exhibitor.pk])
            )
        )
    return render(request, "expo/exhibitor_detail.html", context)
