"""The Content-Security-Policy and the other security headers, on every page; and our templates
hold nothing that the policy would refuse (tests/browser/test_csp.py checks the pages in
Chromium)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
# Rendered for WeasyPrint and for `manage.py bilan --format html`'s standalone file, never
# served by the application: its own <style> is what makes it standalone.
NOT_SERVED = {"reports/bilan_pdf.html"}

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""<[^>]*\sstyle\s*=""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def _name(path: Path) -> str:
    return path.relative_to(ROOT / "templates").as_posix()


def test_templates_are_found():
    assert len(TEMPLATES) > 20
    assert "base.html" in {_name(path) for path in TEMPLATES}


@pytest.mark.parametrize("path", TEMPLATES, ids=_name)
def test_a_template_has_no_inline_script(path):
    text = path.read_text(encoding="utf-8")
    inline = [
        match.group(0)
        for match in SCRIPT_TAG.finditer(text)
        if "src=" not in match.group(1) and 'type="application/json"' not in match.group(1)
    ]
    assert inline == [], (
        "script sans src= : les données passent par json_script, le code par un fichier statique"
    )
    assert EVENT_HANDLER.findall(text) == [], (
        "gestionnaire d'événement en ligne (onclick=…) : addEventListener"
    )
    assert JAVASCRIPT_URL.findall(text) == []


@pytest.mark.parametrize("path", [p for p in TEMPLATES if _name(p) not in NOT_SERVED], ids=_name)
def test_a_served_template_has_no_inline_style(path):
    text = path.read_text(encoding="utf-8")
    assert STYLE_ELEMENT.findall(text) == [], "<style> : une feuille de style statique"
    assert STYLE_ATTRIBUTE.findall(text) == [], "attribut style= : une classe CSS"


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_every_page_sends_the_policy_and_the_security_headers(client):
    response = client.get("/connexion/")

    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["font-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # Only the two style attributes plotly.js writes, by hash.
    assert policy["style-src-attr"][0] == "'unsafe-hashes'" and len(policy["style-src-attr"]) == 3
    assert "script-src-attr" not in policy
    assert not any("'unsafe-inline'" in values or "'unsafe-eval'" in values for values in policy.values())

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_only_the_admin_allows_its_inline_attributes(client):
    site = _directives(client.get("/connexion/")["Content-Security-Policy"])
    admin = _directives(client.get("/admin/login/")["Content-Security-Policy"])

    assert admin["script-src"] == site["script-src"] == ["'self'"]
    assert admin["script-src-attr"] == [
        "'unsafe-hashes'",
        "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",
    ]
    assert set(site["style-src-attr"]) < set(admin["style-src-attr"])


def test_the_session_cookie_is_out_of_reach_of_scripts_and_other_sites():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
