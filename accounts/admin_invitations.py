"""Invitations in the admin, shared by the user, buyer and exhibitor staff lists: the invited and
signed-in columns, a filter on them, and the "Send invitation" action (which also resends)."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.services import invitations_queue


def invitation_filter(user_path: str = "") -> type[admin.SimpleListFilter]:
    """A list filter on the invitation state of the user at `user_path` ("" or "user__")."""

    class InvitationFilter(admin.SimpleListFilter):
        title = _("invitation")
        parameter_name = "invitation"

        def lookups(self, request, model_admin):
            return [
                ("not_invited", _("Not invited, never signed in")),
                ("invited", _("Invited, not signed in yet")),
                ("signed_in", _("Signed in")),
            ]

        def queryset(self, request, queryset):
            invited = Q(**{f"{user_path}invited_at__isnull": False})
            signed_in = Q(**{f"{user_path}last_login__isnull": False})
            if self.value() == "not_invited":
                return queryset.filter(~invited & ~signed_in)
            if self.value() == "invited":
                return queryset.filter(invited & ~signed_in)
            if self.value() == "signed_in":
                return queryset.filter(signed_in)
            return queryset

    return InvitationFilter


def invited_column(user_path: str = ""):
    field = f"{user_path}invited_at"

    @admin.display(description=_("invited"), ordering=field)
    def invited(self, obj):
        user = obj.user if user_path else obj
        return user.invited_at

    return invited


def signed_in_column(user_path: str = ""):
    field = f"{user_path}last_login"

    @admin.display(description=_("last signed in"), ordering=field)
    def signed_in(self, obj):
        user = obj.user if user_path else obj
        return user.last_login

    return signed_in


def invite_action(user_ids_of):
    """The "Send invitation" action; `user_ids_of(queryset)` lists the selected rows' user ids."""

    @admin.action(description=_("Send invitation (again)"), permissions=["change"])
    def send_invitation(self, request, queryset):
        ids = list(user_ids_of(queryset))
        sent = invitations_queue(user_ids=ids, base_url=request.build_absolute_uri("/"), resend=True)
        self.message_user(
            request,
            ngettext("%(count)d invitation is on its way.", "%(count)d invitations are on their way.", sent)
            % {"count": sent},
            messages.SUCCESS,
        )
        skipped = len(set(ids)) - sent
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d person already has a password or is inactive: not invited "
                    "(they can use “Forgot your password?”).",
                    "%(count)d people already have a password or are inactive: not invited "
                    "(they can use “Forgot your password?”).",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    return send_invitation
