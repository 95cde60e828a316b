from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Financements")

    def ready(self):
        from projects.models import Status
        from projects.services import register_transition_guard

        from .compte_rendu_services import require_compte_rendu
        from .payment_services import require_payments_complete

        # A dossier is soldé once the agglomeration paid all it granted (its page, the bulk
        # action and the import all move dossiers through the workflow's guards).
        register_transition_guard(Status.SOLDE, require_payments_complete)
        # ... and justifié once its compte-rendu financier is in.
        register_transition_guard(Status.JUSTIFIE, require_compte_rendu)
