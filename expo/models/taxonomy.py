"""The controlled, bilingual textile taxonomy and the facet fields each profile takes from it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TermKind(models.TextChoices):
    FABRIC = "fabric", _("Fabric")
    PROCESS = "process", _("Process")
    FIBRE = "fibre", _("Fibre")
    END_USE = "end_use", _("End use")
    CERTIFICATION = "certification", _("Certification")


# Facet fields of each profile and the taxonomy kind each one takes.
EXHIBITOR_FACETS: dict[str, str] = {
    "fabrics": TermKind.FABRIC,
    "processes": TermKind.PROCESS,
    "fibres": TermKind.FIBRE,
    "end_uses": TermKind.END_USE,
    "certifications": TermKind.CERTIFICATION,
}
BUYER_FACETS: dict[str, str] = {
    "fabrics": TermKind.FABRIC,
    "processes": TermKind.PROCESS,
    "fibres": TermKind.FIBRE,
    "end_uses": TermKind.END_USE,
    "certifications_required": TermKind.CERTIFICATION,
}


class TermQuerySet(models.QuerySet):
    def of_kind(self, kind: str) -> "TermQuerySet":
        return self.filter(kind=kind)


class Term(models.Model):
    """A controlled, bilingual taxonomy value (a fabric, process, fibre, end use or certification)."""

    kind = models.CharField(_("kind"), max_length=20, choices=TermKind.choices)
    slug = models.SlugField(_("slug"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["kind", "position", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "slug"],
                name="term_unique_slug_per_kind",
                violation_error_message=_("A term with this slug already exists for this kind."),
            ),
            models.CheckConstraint(
                name="term_kind_valid",
                condition=Q(kind__in=TermKind.values),
                violation_error_message=_("Unknown taxonomy kind."),
            ),
            models.CheckConstraint(
                name="term_not_own_parent",
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")),
                violation_error_message=_("A term cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        """The name in the active language: what admin filters, choices and links show."""
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    def clean(self) -> None:
        if self.parent_id and self.parent.kind != self.kind:
            raise ValidationError({"parent": _("The parent must be a term of the same kind.")})
