"""A real SMTP server for the tests (aiosmtpd, on a free local port), and the settings that send
Django's e-mail to it: the letters' tests read what the server received, as a porteur's mail
server would, rather than Django's in-memory outbox.

    def test_…(smtp_server): …; smtp_server.messages → [email.message.EmailMessage]

`smtp_server.refuse(n, code)` makes the server answer the next n messages with an error
(e.g. "451 4.3.0 Service momentanément indisponible", a temporary failure)."""

import email
import email.policy
import socket
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    def pdf_attachments(self) -> list[tuple[str, bytes]]:
        return [
            (part.get_filename(), part.get_content())
            for part in self.message.iter_attachments()
            if part.get_content_type() == "application/pdf"
        ]


@dataclass
class SMTPHandler:
    received: list[Received] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refusals:
                return self.refusals.pop(0)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, handler: SMTPHandler, port: int):
        self.handler, self.port = handler, port

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def refuse(self, count: int, reply: str = "451 4.3.0 Service momentanément indisponible") -> None:
        with self.handler.lock:
            self.handler.refusals.extend([reply] * count)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(settings):
    """A server on a free local port, and Django's e-mail sent to it, for the `with` block."""
    from aiosmtpd.controller import Controller

    handler = SMTPHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield SMTPServer(handler, port)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(settings):
    with serving(settings) as server:
        yield server


def pdf_text(pdf: bytes) -> str:
    """The PDF's text (pdftotext), every run of spaces — no-break ones too — as one space."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    text = result.stdout.decode("utf-8").replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")
    return " ".join(text.split())
