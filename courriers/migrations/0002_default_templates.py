"""The three letters shipped with the application: the notification d'attribution, the lettre de
refus and the convention attributive, each with a first version that the direction adapts in
the browser (/courriers/modeles/). Written here, not imported from the app: a migration keeps
the texts it shipped."""

from django.db import migrations

SIGNATORY_TITLE = "Vice-président délégué à la Politique de la ville"

NOTIFICATION_SUBJECT = "Notification d'attribution de subvention — dossier n° {{ dossier.numero }}"
NOTIFICATION = """Madame, Monsieur,

J'ai le plaisir de vous informer que le comité de programmation du Contrat de Ville, réuni le {{ comite.date }}, a retenu votre demande de financement pour l'action **« {{ dossier.intitule }} »** (dossier n° {{ dossier.numero }}, programmation {{ dossier.annee }}), inscrite au pilier « {{ dossier.pilier }} ».

Les financeurs du Contrat de Ville ont décidé de soutenir cette action à hauteur des montants suivants :

{{ financements.tableau }}

Le montant total des subventions accordées s'élève ainsi à **{{ montant.total }}** ({{ montant.total_en_lettres }}).

Chaque financeur vous fera connaître les modalités de versement de sa participation. La part de l'Agglomération fera l'objet d'une convention précisant les conditions de son versement et vos engagements, notamment la transmission d'un compte rendu financier (CERFA n° 15059) dans les six mois suivant la fin de l'action.

L'action doit bénéficier en priorité aux habitants des quartiers prioritaires ({{ dossier.quartiers }}). Toute modification importante de son contenu, de son calendrier ou de son budget devra être portée à notre connaissance.

Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."""

REFUS_SUBJECT = "Votre demande de subvention — dossier n° {{ dossier.numero }}"
REFUS = """Madame, Monsieur,

Vous avez sollicité le soutien du Contrat de Ville pour l'action **« {{ dossier.intitule }} »** (dossier n° {{ dossier.numero }}, programmation {{ dossier.annee }}).

J'ai le regret de vous informer que le comité de programmation, réuni le {{ comite.date }}, n'a pas retenu votre demande.

Cette décision ne préjuge pas de l'intérêt de votre projet. Le service Politique de la ville reste à votre disposition pour vous en exposer les motifs et pour vous accompagner dans la préparation d'une nouvelle demande lors d'un prochain appel à projets.

Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."""

CONVENTION_SUBJECT = "Convention attributive de subvention — dossier n° {{ dossier.numero }}"
CONVENTION = """## Convention attributive de subvention

**Entre** {{ agglomeration.nom }}, représentée par son {{ signataire.qualite }}, ci-après dénommée « l'Agglomération »,

**et** {{ porteur.nom }}, représenté(e) par {{ porteur.representant }}, {{ porteur.qualite_representant }}, ci-après dénommé(e) « le porteur »,

il est convenu ce qui suit.

### Article 1 — Objet

La présente convention définit les conditions dans lesquelles les financeurs du Contrat de Ville soutiennent l'action « {{ dossier.intitule }} » (dossier n° {{ dossier.numero }}, programmation {{ dossier.annee }}), retenue par le comité de programmation du {{ comite.date }} au titre du pilier « {{ dossier.pilier }} ».

### Article 2 — Montant des subventions

Les financeurs accordent au porteur les montants suivants :

{{ financements.tableau }}

Le montant total accordé est de **{{ montant.total }}** ({{ montant.total_en_lettres }}). Il constitue un plafond et ne peut être révisé à la hausse.

### Article 3 — Versement

La participation de l'Agglomération est versée en deux fois : une avance de 50 % à la signature de la présente convention, puis le solde à la réception du compte rendu financier de l'action. Les autres financeurs versent leur participation selon leurs propres règles.

### Article 4 — Engagements du porteur

Le porteur s'engage à mettre en œuvre l'action au bénéfice des habitants des quartiers concernés ({{ dossier.quartiers }}), à mentionner le soutien des financeurs dans toute communication relative à l'action et à transmettre, dans les six mois suivant la fin de l'action, un compte rendu financier (CERFA n° 15059) accompagné de son bilan qualitatif.

### Article 5 — Contrôle et reversement

Les sommes non utilisées, ou utilisées à d'autres fins que l'action, sont reversées aux financeurs. Le porteur tient à leur disposition toute pièce justificative des dépenses.

### Article 6 — Durée

La présente convention prend effet à sa signature et s'achève à la réception du compte rendu financier de l'action, au plus tard le 30 juin de l'année suivant celle de la programmation.

Fait en deux exemplaires, le {{ courrier.date }}.

**Pour le porteur**, {{ porteur.representant }}, {{ porteur.qualite_representant }}"""

TEMPLATES = [
    ("notification", "Notification d'attribution", "programme", NOTIFICATION_SUBJECT, NOTIFICATION),
    ("refus", "Lettre de refus", "refuse", REFUS_SUBJECT, REFUS),
    ("convention", "Convention attributive", "programme", CONVENTION_SUBJECT, CONVENTION),
]


def ship(apps, schema_editor):
    LetterTemplate = apps.get_model("courriers", "LetterTemplate")
    LetterTemplateVersion = apps.get_model("courriers", "LetterTemplateVersion")
    for kind, name, applies_to, subject, body in TEMPLATES:
        template, created = LetterTemplate.objects.get_or_create(
            kind=kind, defaults={"name": name, "applies_to": applies_to}
        )
        if not template.versions.exists():
            LetterTemplateVersion.objects.create(
                template=template,
                number=1,
                subject=subject,
                body=body,
                signatory_title=SIGNATORY_TITLE,
            )


class Migration(migrations.Migration):
    dependencies = [("courriers", "0001_initial")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
