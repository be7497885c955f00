"""The organisers' import page: exhibitors or buyers from a CSV or XLSX file, through the import services."""

import functools
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from expo.admin.scoping import is_organiser
from expo.models import Expo
from expo.services.imports import (
    BUYER_REQUIRED,
    EXHIBITOR_REQUIRED,
    ImportFailed,
    buyers_import,
    deals_import,
    exhibitors_import,
)
from expo.services.imports.columns import chinese_header
from expo.services.imports.templates import TEMPLATE_COLUMNS, TEMPLATE_FORMATS, import_template

IMPORTERS = {"exhibitors": exhibitors_import, "buyers": buyers_import, "deals": deals_import}
PERMISSIONS = {"exhibitors": "expo.add_exhibitor", "buyers": "expo.add_buyer", "deals": "expo.add_deal"}
ALLOWED_SUFFIXES = {".csv", ".xlsx"}


class ImportForm(forms.Form):
    expo = forms.ModelChoiceField(label=_("Expo"), queryset=Expo.objects.all())
    kind = forms.ChoiceField(
        label=_("What the file lists"),
        choices=[("exhibitors", _("Exhibitors")), ("buyers", _("Buyers")), ("deals", _("Intended deals"))],
    )
    file = forms.FileField(label=_("File"), help_text=_("A CSV file with a header row, or an XLSX workbook."))
    dry_run = forms.BooleanField(
        label=_("Check only"), required=False, help_text=_("Check the file and report, without saving.")
    )
    invite = forms.BooleanField(
        label=_("Send invitations"),
        required=False,
        help_text=_(
            "Email each listed person without a password a link to choose one, in their language "
            "(buyers: the email column; exhibitors: the contact_email column, who becomes the "
            "company's staff). Nobody is invited twice."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


def _check_may_import(request, kind: str) -> None:
    permission = PERMISSIONS.get(kind, "expo.add_exhibitor")
    if not is_organiser(request) or not request.user.has_perm(permission):
        raise PermissionDenied


def import_columns() -> dict[str, list[dict]]:
    """Each import's columns for the page: name, Chinese header, required."""
    required = {"exhibitors": EXHIBITOR_REQUIRED, "buyers": BUYER_REQUIRED}
    return {
        kind: [
            {"name": column, "chinese": chinese_header(column), "required": column in required[kind]}
            for column in columns
        ]
        for kind, columns in TEMPLATE_COLUMNS.items()
    }


def import_template_view(request, kind: str, file_format: str):
    """A template to fill in: every column, English headers (Chinese with ?headers=zh), an example row."""
    if kind not in TEMPLATE_COLUMNS or file_format not in TEMPLATE_FORMATS:
        raise Http404
    _check_may_import(request, kind)
    chinese = request.GET.get("headers") == "zh"
    content = import_template(kind=kind, file_format=file_format, chinese=chinese)
    response = HttpResponse(content, content_type=TEMPLATE_FORMATS[file_format])
    filename = f"shuttle-{kind}-template{'-zh' if chinese else ''}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def import_view(request):
    """GET shows the form; POST imports, then redirects to the list, or shows every error (400)."""
    kind = request.POST.get("kind") or request.GET.get("kind") or "exhibitors"
    _check_may_import(request, kind)
    errors = []
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            importer = IMPORTERS[data["kind"]]
            if data["kind"] == "deals":  # deals record who logged them
                importer = functools.partial(deals_import, user=request.user)
            try:
                result = importer(
                    expo=data["expo"],
                    file=data["file"],
                    filename=data["file"].name,
                    dry_run=data["dry_run"],
                    invite=data["invite"],
                    base_url=request.build_absolute_uri("/"),
                )
            except ImportFailed as exc:
                errors = exc.errors
            else:
                params = {"rows": result.rows, "created": result.created, "updated": result.updated}
                if data["dry_run"]:
                    message = ngettext(
                        "The file is valid: %(rows)d row, %(created)d would be created, %(updated)d updated.",
                        "The file is valid: %(rows)d rows, %(created)d would be created, %(updated)d updated.",
                        result.rows,
                    )
                    messages.info(request, message % params)
                    return redirect(f"{reverse('admin:expo_import')}?kind={data['kind']}")
                message = ngettext(
                    "Imported %(rows)d row: %(created)d created, %(updated)d updated.",
                    "Imported %(rows)d rows: %(created)d created, %(updated)d updated.",
                    result.rows,
                )
                messages.success(request, message % params)
                if data["invite"]:
                    messages.info(
                        request,
                        ngettext(
                            "%(count)d invitation is on its way.",
                            "%(count)d invitations are on their way.",
                            result.invited,
                        )
                        % {"count": result.invited},
                    )
                model = {"buyers": "buyer", "deals": "deal"}.get(data["kind"], "exhibitor")
                return redirect(reverse(f"admin:expo_{model}_changelist"))
        status = 400
    else:
        form = ImportForm(initial={"kind": kind, "expo": Expo.objects.current()})
    context = {
        **admin.site.each_context(request),
        "title": _("Import exhibitors, buyers or deals"),
        "form": form,
        "errors": errors,
        "columns": import_columns(),
        "opts": Expo._meta,
    }
    return TemplateResponse(request, "admin/expo/import.html", context, status=status)
