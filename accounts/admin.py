"""The user admin: email sign-in (no username), roles kept in step with groups by `user_set_role`.

Only organisers manage users. Superuser status, groups and single permissions stay with
superusers, and only a superuser may change a superuser, so an organiser cannot raise anyone
(themselves included) above organiser.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from accounts.admin_invitations import invitation_filter, invite_action, invited_column, signed_in_column
from accounts.countries import country_column
from accounts.forms import ThrottledAdminAuthenticationForm, TokenRevokingAdminPasswordChangeForm
from accounts.models import Role, User
from accounts.permissions import OrganiserOnlyMixin
from accounts.services import user_set_role

# Organisers and exhibitor staff sign in here: the same failed-login limits as the site and the API.
admin.site.login_form = ThrottledAdminAuthenticationForm


class _EmailMixin:
    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"].strip())
        others = User.objects.by_email(email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("A user with this email address already exists."))
        return email


class UserCreationForm(_EmailMixin, auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "company", "country", "phone", "preferred_language", "role")


class UserChangeForm(_EmailMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        is_superuser = cleaned.get("is_superuser", self.instance.is_superuser)
        if is_superuser and cleaned.get("role", self.instance.role) != Role.ORGANISER:
            self.add_error("role", _("A superuser is always an organiser."))
        return cleaned


@admin.register(User)
class UserAdmin(OrganiserOnlyMixin, auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = TokenRevokingAdminPasswordChangeForm
    actions = ["send_invitation"]
    send_invitation = invite_action(lambda queryset: queryset.values_list("pk", flat=True))
    invited = invited_column()
    signed_in = signed_in_column()
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name", "company", "country", "phone", "preferred_language")}),
        (
            _("Role and access"),
            {
                "fields": ("role", "is_active", "email_confirmed", "is_staff", "is_superuser"),
                "description": _(
                    "The role decides admin access: organisers and exhibitor staff may sign in, "
                    "buyers may not. Which company a staff member works for is set under Exhibitor staff."
                ),
            },
        ),
        (_("Groups and permissions"), {"fields": ("groups", "user_permissions"), "classes": ("collapse",)}),
        (_("Important dates"), {"fields": ("invited_at", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "name",
                    "company",
                    "country",
                    "phone",
                    "preferred_language",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("email", "name", "company", country_column(), "role", "is_active", "invited", "signed_in")
    show_full_result_count = False  # a second COUNT over every account, for "(N total)" only
    list_filter = (
        "role",
        invitation_filter(),
        "is_staff",
        "is_superuser",
        "is_active",
        "preferred_language",
        "groups",
    )
    search_fields = ("email", "name", "company")
    ordering = ("email",)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["is_staff", "invited_at", "last_login", "date_joined"]  # is_staff follows the role
        if not request.user.is_superuser:
            readonly += ["is_superuser", "groups", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the groups field (if any) is saved, so the role's group and staff flag win.
        user_set_role(user=form.instance, role=form.instance.role)
