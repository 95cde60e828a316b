from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComitesConfig(AppConfig):
    name = "comites"
    verbose_name = _("Comités de programmation")
