"""A piece's stored file goes when its row goes (a dossier deleted with its pieces), once the
deletion is committed: a rolled-back deletion keeps its file."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Document


@receiver(post_delete, sender=Document, dispatch_uid="documents_delete_stored_file")
def delete_stored_file(sender, instance: Document, **kwargs):
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
