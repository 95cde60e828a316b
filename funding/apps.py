from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Financements")

    def ready(self):
        from projects.filters.scope import register_dossier_condition
        from projects.models import Status
        from projects.services import register_transition_guard

        from .compte_rendu_services import late_compte_rendu_projects, require_compte_rendu
        from .payment_services import require_payments_complete

        # A dossier is soldé once the agglomeration paid all it granted (its page, the bulk
        # action and the import all move dossiers through the workflow's guards).
        register_transition_guard(Status.SOLDE, require_payments_complete)
        # ... and justifié once its compte-rendu financier is in.
        register_transition_guard(Status.JUSTIFIE, require_compte_rendu)
        # `?compte_rendu=en_retard` on the dossier list, its export, the dashboard: programmed
        # dossiers whose compte-rendu is due and not complete (for who sees the comptes-rendus).
        register_dossier_condition(
            "compte_rendu",
            "en_retard",
            "Compte-rendu en retard",
            late_compte_rendu_projects,
            permission="funding.view_compterendu",
        )
