"""The codes of the domain (the vocabulary of docs/domain.md): statuses, kinds,
natures. The import format, the filters and the managers read them here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """A dossier's status, in workflow order (docs/domain.md §2)."""

    BROUILLON = "brouillon", _("Brouillon")
    DEPOSE = "depose", _("Déposé")
    EN_INSTRUCTION = "en_instruction", _("En instruction")
    PROGRAMME = "programme", _("Programmé")
    REFUSE = "refuse", _("Refusé")
    ABANDONNE = "abandonne", _("Abandonné")
    JUSTIFIE = "justifie", _("Justifié")
    SOLDE = "solde", _("Soldé")

    @classmethod
    def programmed(cls) -> list[str]:
        return [cls.PROGRAMME, cls.JUSTIFIE, cls.SOLDE]

    @classmethod
    def filed(cls) -> list[str]:
        return [value for value in cls.values if value != cls.BROUILLON]


class FcsAxis(models.TextChoices):
    """The five axes of the Fonds de cohésion sociale."""

    CONSEILS_CITOYENS = "conseils_citoyens", _("Soutien aux actions des conseils citoyens")
    ACTION_INTERCOMMUNALE = (
        "action_intercommunale",
        _("Déploiement d'une action locale à l'échelle intercommunale"),
    )
    PETITES_ASSOCIATIONS = "petites_associations", _("Appui aux petites associations de quartier")
    QUALIFICATION = "qualification", _("Qualification des acteurs des quartiers")
    INCLUSION_NUMERIQUE = "inclusion_numerique", _("Inclusion numérique")


class QuartierKind(models.TextChoices):
    QPV = "qpv", _("Quartier prioritaire (QPV)")
    VEILLE = "veille", _("Quartier de veille active")


class OperatorKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("EPCI")
    BAILLEUR = "bailleur", _("Bailleur social")
    ETABLISSEMENT_PUBLIC = "etablissement_public", _("Établissement public")
    ENTREPRISE = "entreprise", _("Entreprise")
    AUTRE = "autre", _("Autre")


class Nature(models.TextChoices):
    DROIT_COMMUN = "droit_commun", _("Droit commun")
    SPECIFIQUE = "specifique", _("Crédits spécifiques")
