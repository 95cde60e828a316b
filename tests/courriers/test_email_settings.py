"""Where the letters' e-mails go: the SMTP server of the environment in production (a process of
its own, as gunicorn would start), the console in development."""

from tests.test_production_settings import production_settings


def test_production_sends_through_the_smtp_server_of_the_environment():
    values = production_settings(
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        EMAIL_HOST="smtp.agglo.example.org",
        EMAIL_PORT="2525",
        EMAIL_HOST_USER="courriers",
        EMAIL_USE_TLS="false",
        DEFAULT_FROM_EMAIL="Politique de la ville <pdv@agglo.example.org>",
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.agglo.example.org",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "courriers",
        "EMAIL_USE_TLS": False,
        "DEFAULT_FROM_EMAIL": "Politique de la ville <pdv@agglo.example.org>",
    }


def test_development_prints_the_emails_on_the_console():
    from contratville.settings import dev

    assert dev.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
