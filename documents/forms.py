"""The upload form of a dossier's page (`fichier`, `type_piece`, optionally `remplace`)."""

from django import forms

from .models import Document, PieceType
from .services import max_upload_size, too_large_message
from .sniffing import ACCEPTED_EXTENSIONS, ACCEPTED_TEXT


class DocumentUploadForm(forms.Form):
    type_piece = forms.ChoiceField(
        label="Type de pièce",
        choices=[("", "— Choisir —"), *PieceType.choices],
        error_messages={
            "required": "Choisissez le type de la pièce.",
            "invalid_choice": "Type de pièce inconnu : choisissez-le dans la liste.",
        },
    )
    fichier = forms.FileField(
        label="Fichier",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
        error_messages={
            "required": "Choisissez un fichier à déposer.",
            "empty": "Le fichier est vide.",
            "invalid": "Aucun fichier reçu : choisissez un fichier à déposer.",
        },
    )
    remplace = forms.ModelChoiceField(
        label="Remplace la pièce",
        queryset=Document.objects.none(),
        required=False,
        empty_label="— Aucune (pièce supplémentaire) —",
        error_messages={
            "invalid_choice": "La pièce à remplacer n'est plus dans ce dossier : rechargez la page."
        },
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remplace"].queryset = (
            Document.objects.current().filter(project=project).order_by("piece_type")
        )
        self.fields["remplace"].label_from_instance = lambda document: (
            f"{document.get_piece_type_display()} : {document.original_name}"
        )
        self.fields["fichier"].help_text = (
            f"{ACCEPTED_TEXT} ; {max_upload_size() // (1024 * 1024)} Mo au plus. L'extension doit correspondre "
            "au contenu. Chaque fichier est analysé par l'antivirus avant d'être enregistré."
        )
        self.fields["fichier"].widget.attrs["data-max-size"] = str(max_upload_size())
        self.fields["fichier"].widget.attrs["data-too-large"] = too_large_message()

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        if upload.size > max_upload_size():
            raise forms.ValidationError(too_large_message())
        return upload
