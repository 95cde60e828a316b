"""A stored piece, written straight to the storage (no upload, no scan): for tests of reads,
downloads and permissions."""

import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from documents.models import Document, PieceType, ScanStatus
from tests.documents.samples import PDF
from tests.factories import ProjectFactory


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = Document

    class Params:
        content = PDF

    project = factory.SubFactory(ProjectFactory)
    piece_type = PieceType.STATUTS
    original_name = "statuts.pdf"
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_name))
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    content_type = "application/pdf"
    scan_status = ScanStatus.CLEAN
    scanned_at = factory.LazyFunction(timezone.now)
    scan_engine = "ClamAV (fabrique de test)"
