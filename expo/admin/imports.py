"""The organisers' import page: exhibitors or buyers from a CSV or XLSX file, through the import services."""

from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from expo.admin.scoping import is_organiser
from expo.models import Expo
from expo.services.imports import ImportFailed, buyers_import, exhibitors_import

IMPORTERS = {"exhibitors": exhibitors_import, "buyers": buyers_import}
ALLOWED_SUFFIXES = {".csv", ".xlsx"}


class ImportForm(forms.Form):
    expo = forms.ModelChoiceField(label=_("Expo"), queryset=Expo.objects.all())
    kind = forms.ChoiceField(
        label=_("What the file lists"),
        choices=[("exhibitors", _("Exhibitors")), ("buyers", _("Buyers"))],
    )
    file = forms.FileField(label=_("File"), help_text=_("A CSV file with a header row, or an XLSX workbook."))
    dry_run = forms.BooleanField(
        label=_("Check only"), required=False, help_text=_("Check the file and report, without saving.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


def import_view(request):
    """GET shows the form; POST imports, then redirects to the list, or shows every error (400)."""
    kind = request.POST.get("kind") or request.GET.get("kind") or "exhibitors"
    permission = "expo.add_buyer" if kind == "buyers" else "expo.add_exhibitor"
    if not is_organiser(request) or not request.user.has_perm(permission):
        raise PermissionDenied
    errors = []
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            importer = IMPORTERS[data["kind"]]
            try:
                result = importer(
                    expo=data["expo"], file=data["file"], filename=data["file"].name, dry_run=data["dry_run"]
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
                model = "buyer" if data["kind"] == "buyers" else "exhibitor"
                return redirect(reverse(f"admin:expo_{model}_changelist"))
        status = 400
    else:
        form = ImportForm(initial={"kind": kind, "expo": Expo.objects.current()})
    context = {
        **admin.site.each_context(request),
        "title": _("Import exhibitors or buyers"),
        "form": form,
        "errors": errors,
        "opts": Expo._meta,
    }
    return TemplateResponse(request, "admin/expo/import.html", context, status=status)
