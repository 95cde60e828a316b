"""What the admin's own code lets through from an address: a 404 or the change list's error page,
never a server error (tests/test_no_server_error.py walks every admin address).

`ContratvilleAdminSite.register` (contratville/admin_site.py) puts `HardenedAdminMixin` in front
of every model admin, the libraries' included (django-axes, django.contrib.auth):

- Django's date hierarchy turns `?<field>__year=…` into dates and catches only ValueError:
  `__year=99999999999999999999` (OverflowError) or `__year=9999` (the year after 9999, raised
  outside its `try`) answered 500. The change list now treats any such error as Django does an
  invalid filter: the page again with `?e=1`.
- A NUL character in a change list's filter (`?status__exact=%00`) reached the query, which
  PostgreSQL refuses (500). It is an invalid filter too.
- django-simple-history's history pages query the history with the address's id as it is:
  `/admin/…/abc/history/` (ValueError) answered 500. A malformed id or version is now a 404.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404


class SafeFiltersMixin:
    """A ChangeList whose filters' own errors (dates out of range...) are invalid filters, and so
    is a NUL character (PostgreSQL refuses it in a query: `?status__exact=%00` answered 500)."""

    def get_filters(self, request):
        if any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise IncorrectLookupParameters("Caractère nul dans les filtres.")
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


def _valid(field, raw: str) -> bool:
    if "\x00" in raw:
        return False
    try:
        field.to_python(raw)
    except (ValidationError, ValueError, OverflowError):
        return False
    return True


class HardenedAdminMixin:
    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        return type(f"Safe{changelist.__name__}", (SafeFiltersMixin, changelist), {})

    def history_view(self, request, object_id, extra_context=None):
        if not _valid(self.model._meta.pk, unquote(object_id)):
            raise Http404("Identifiant invalide.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        manager = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        history = manager.model._meta.pk
        if not (_valid(self.model._meta.pk, unquote(object_id)) and _valid(history, unquote(version_id))):
            raise Http404("Identifiant invalide.")
        return super().history_form_view(request, object_id, version_id, extra_context)


def hardened(admin_class):
    """`admin_class` with HardenedAdminMixin first (same name, same module)."""
    if issubclass(admin_class, HardenedAdminMixin):
        return admin_class
    return type(
        admin_class.__name__, (HardenedAdminMixin, admin_class), {"__module__": admin_class.__module__}
    )
