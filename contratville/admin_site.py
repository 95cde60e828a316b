"""The Django admin (/admin/) is for administrators only, and its history pages never write.

Who enters. Only an administrator (`contratville.roles.is_administrator`): an active account
that is a superuser or a member of the « Administrateurs » group. `is_staff` grants nothing
here. The chargés de mission and the direction work in the application's own pages, where every
write goes through a service that checks the workflow (a status moves only by an allowed
transition, and only the direction decides), the user's role and the dossier's version (no lost
update), and records who did what. The admin edits a model field by field, outside those
services: opened to agents, it let them programme a refused dossier or write the bilan's focus
texts, which the dossier page and `/bilan/<année>/textes/` refuse them. Making the admin's
fields read-only role by role would have kept two ways to do the same work, one of them
outside the services; the admin is rather the administrator's tool for users, reference data
and funders, and repairs.

What others see. An anonymous visitor is sent to the admin's login page, whose form accepts
administrators only (any other account gets the usual "incorrect login" message, which does
not reveal that the password was right). A signed-in user who is not an administrator gets the
application's 403 page, in French, and a line in the security log (`contratville.auth`), rather
than the admin's login page, which would only ask them to sign in with another account. Agents
manage porteurs at `/porteurs/` and in the dossier form.

What administrators may do there. Even for them, the workflow owns a dossier's status: its
status, decision date, version and the bilan's texts are read-only in the admin, and a dossier
is created by the dossier form or the import, never by the admin (projects/admin.py,
funding/admin.py). The history pages of django-simple-history (`AuditedModelAdmin`) show past
versions but never restore one: a restore would write a past status, decision or bilan text
back without any of those checks. The admin's spreadsheet imports go through the same hardened
reader as the programmation import (contratville/admin_import.py).

`ContratvilleAdminSite` is `django.contrib.admin.site` through `ContratvilleAdminConfig`
(contratville/apps.py), which replaces "django.contrib.admin" in INSTALLED_APPS: every
`@admin.register` of the project and of the libraries lands on it.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from . import roles
from .admin_hardening import hardened


class AdministratorAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form: the administrator's role instead of `is_staff`."""

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if not roles.is_administrator(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class ContratvilleAdminSite(admin.AdminSite):
    site_header = "Contrat de Ville — administration"
    site_title = "Contrat de Ville"
    index_title = "Administration"
    login_form = AdministratorAuthenticationForm

    def has_permission(self, request):
        return roles.is_administrator(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every model admin, the libraries' too: no server error from an address's parameters
        # (contratville/admin_hardening.py).
        admin_class = hardened(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        """Every admin page: anonymous visitors to the login page (Django's own wrapper), signed-in
        non-administrators to the 403 page."""
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def administrators_only(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return guarded(request, *args, **kwargs)

        return administrators_only


class AuditedModelAdmin(SimpleHistoryAdmin):
    """A model admin with the audit trail's "Historique" page, read only.

    django-simple-history's page of one past version is also a form that, posted, saves that
    version over the current one, through `save_model` but with every field of the past version,
    read-only ones included. Here it only shows: the restore button is hidden and a POST refused.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
