"""Time of a 10 MB piece's upload, scanned by clamd and stored (target: 2 s at most).

    .venv/bin/python bench/upload.py [--size-mb 10] [--repeat 5] [--kind pdf|docx]

A throw-away SQLite database and storage folder are created and migrated. The antivirus is the
clamd of CLAMD_SOCKET when that variable is set, otherwise a clamd started here with the tests'
signatures (tests/clamav.py; Debian package clamav-daemon): name a clamd loaded with the official
signatures (CLAMD_SOCKET=/var/run/clamav/clamd.ctl) to measure what production scans. Each run posts the file through
Django's test client, signed in as an agent, to `/projets/<id>/documents/`: the multipart
parsing, the size and name checks, the scan over clamd's socket, the content check and the
write through the storage, i.e. all an upload costs on the server. The file is a PDF (or a Word
document) of incompressible content, as a scanned piece is. Printed: each run, the median and
the worst, and the scan's own share; exit status 1 when the median is over the target.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 2.0


def pdf_of(size: int) -> bytes:
    head = b"%PDF-1.7\n1 0 obj<</Type/XObject/Subtype/Image/Length " + str(size).encode() + b">>stream\n"
    tail = b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def docx_of(size: int) -> bytes:
    buffer = io.BytesIO()
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
        )
        archive.writestr(
            "word/document.xml", "<w:document>" + "Texte du rapport d'activité. " * 20000 + "</w:document>"
        )
        archive.writestr(
            zipfile.ZipInfo("word/media/image1.jpeg"), b"\xff\xd8\xff" + os.urandom(size - 60_000)
        )
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--kind", choices=["pdf", "docx"], default="pdf")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="bench-upload-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{workdir.name}/media"
    os.environ["ANTIVIRUS"] = "on"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contratville.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    clamd = None
    if not os.environ.get("CLAMD_SOCKET"):
        from tests.clamav import start_clamd

        clamd = start_clamd()
        os.environ["CLAMD_SOCKET"] = clamd.socket

    try:
        import django

        django.setup()
        from django.contrib.auth.models import Group
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.test import Client

        from contratville import roles
        from documents import antivirus
        from documents.models import Document
        from projects.models import Operator, OperatorKind, Pillar, ProgrammeYear, Project, Theme

        with open(os.devnull, "w") as devnull:
            call_command("migrate", verbosity=0, stdout=devnull)
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user("banc-agent", password="x")
        user.groups.add(Group.objects.get(name=roles.AGENT))
        project = Project.objects.create(
            year=ProgrammeYear.objects.get_or_create(year=2024)[0],
            reference="BANC-1",
            title="Banc d'essai des pièces",
            operator=Operator.objects.create(name="Association du banc", kind=OperatorKind.ASSOCIATION),
            pillar=Pillar.objects.get(code="cohesion_sociale"),
            theme=Theme.objects.get(code="1.1"),
        )
        client = Client()
        client.force_login(user)

        size = int(args.size_mb * 1024 * 1024)
        content = pdf_of(size) if args.kind == "pdf" else docx_of(size)
        name = f"piece.{args.kind}"
        print(f"Fichier : {name}, {len(content) / 1024 / 1024:.1f} Mo ; antivirus : {antivirus.version()}")

        # Warm-up: the first scan loads clamd's engine state, the first request Django's
        # (templates, URL resolver): a server answers many uploads per process.
        antivirus.scan_bytes(content)
        client.post(
            f"/projets/{project.pk}/documents/",
            {"type_piece": "autre", "fichier": SimpleUploadedFile(name, content)},
        )
        times, scans = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            antivirus.scan_bytes(content)
            scans.append(time.perf_counter() - start)

            start = time.perf_counter()
            response = client.post(
                f"/projets/{project.pk}/documents/",
                {"type_piece": "rapport_activite", "fichier": SimpleUploadedFile(name, content)},
            )
            elapsed = time.perf_counter() - start
            if response.status_code != 302:
                errors = response.context["form"].errors if response.context else response.content[:300]
                print(f"Dépôt refusé ({response.status_code}) : {errors}")
                return 2
            times.append(elapsed)
            print(f"  dépôt : {elapsed:5.2f} s")
        stored = Document.objects.filter(project=project, piece_type="rapport_activite").count()
        median = statistics.median(times)
        print(
            f"Dépôt d'un fichier de {args.size_mb:g} Mo analysé et enregistré : médiane {median:.2f} s, "
            f"pire {max(times):.2f} s (cible ≤ {TARGET_SECONDS:.0f} s) ; dont analyse seule "
            f"{statistics.median(scans):.2f} s ; {stored} pièces enregistrées."
        )
        return 0 if median <= TARGET_SECONDS else 1
    finally:
        if clamd is not None:
            clamd.stop()
        workdir.cleanup()


if __name__ == "__main__":
    sys.exit(main())
