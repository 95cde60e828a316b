"""Sign-in protection (django-axes keyed on username and address together), password rules,
session expiry after inactivity, and the security log.

The general suite runs with AXES_ENABLED = False (tests sign in with force_login); here it is on."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone

from contratville import roles
from contratville.auth import ACTIVITY_KEY, client_ip_address

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test"
OFFICE = "192.0.2.10"  # one office behind one NAT
HOME = "198.51.100.7"


@pytest.fixture(autouse=True)
def axes_enabled(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def agents(user_in):
    return [user_in(roles.AGENT, username=name, password=PASSWORD) for name in ("camille", "dominique")]


def sign_in(username, password, address=OFFICE, client=None, **headers):
    client = client or Client()
    response = client.post(
        "/connexion/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )
    return client, response


def fail(username, times, address=OFFICE):
    responses = [sign_in(username, "pas-le-bon-mot-de-passe", address)[1] for _ in range(times)]
    return responses[-1]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_four_wrong_passwords_only_say_the_password_is_wrong(agents):
    response = fail("camille", 4)
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()


def test_the_fifth_wrong_password_locks_that_username_from_that_address(agents):
    response = fail("camille", 5)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop de tentatives de connexion" in page
    assert "Réessayez dans 15 minutes" in page
    assert "vos collègues peuvent continuer à se connecter" in page
    # Locked: even the right password is refused now.
    client, response = sign_in("camille", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_a_colleague_behind_the_same_address_still_signs_in(agents):
    fail("camille", 5)

    client, response = sign_in("dominique", PASSWORD, OFFICE)

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)


def test_the_same_person_from_another_address_still_signs_in(agents):
    fail("camille", 5, OFFICE)

    client, response = sign_in("camille", PASSWORD, HOME)

    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_ends_after_fifteen_minutes(agents):
    fail("camille", 5)
    assert django_settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))

    client, response = sign_in("camille", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_clears_the_count(agents):
    fail("camille", 4)
    assert sign_in("camille", PASSWORD)[1].status_code == 302

    assert fail("camille", 4).status_code == 200
    assert sign_in("camille", PASSWORD)[1].status_code == 302


def test_the_admin_login_is_protected_the_same_way(agents):
    for _ in range(5):
        response = Client().post(
            "/admin/login/", {"username": "camille", "password": "faux"}, REMOTE_ADDR=OFFICE
        )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


# --- The client's address behind a reverse proxy ---


def _request(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/connexion/", **headers)


def test_without_a_proxy_x_forwarded_for_is_ignored(settings):
    settings.AXES_IPWARE_PROXY_COUNT = None
    assert client_ip_address(_request("203.0.113.9", forwarded="10.0.0.1")) == "203.0.113.9"


def test_behind_one_proxy_the_address_is_the_one_it_appended(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    # Whatever the client wrote itself comes first and is not believed.
    assert client_ip_address(_request("127.0.0.1", forwarded="10.9.9.9, 203.0.113.9")) == "203.0.113.9"
    assert client_ip_address(_request("127.0.0.1", forwarded="203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_address_is_the_one_the_outer_proxy_appended(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 2
    request = _request("127.0.0.1", forwarded="10.9.9.9, 203.0.113.9, 192.168.1.2")
    assert client_ip_address(request) == "203.0.113.9"


def test_a_missing_or_malformed_forwarded_address_falls_back_to_the_connection(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip_address(_request("127.0.0.1")) == "127.0.0.1"
    assert client_ip_address(_request("127.0.0.1", forwarded="pas-une-adresse")) == "127.0.0.1"


def test_behind_a_proxy_two_offices_are_told_apart(agents, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    for _ in range(5):
        response = sign_in("camille", "faux", "127.0.0.1", HTTP_X_FORWARDED_FOR=OFFICE)[1]
    assert response.status_code == 429

    client, response = sign_in("camille", PASSWORD, "127.0.0.1", HTTP_X_FORWARDED_FOR=HOME)
    assert response.status_code == 302


# --- Passwords ---


@pytest.mark.parametrize("password", ["Court-2024", "azertyuiop", "123456789012345"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_password_under_twelve_characters_is_refused_with_the_reason():
    with pytest.raises(ValidationError) as refused:
        validate_password("Bruay-62700")  # 11 characters
    assert any("12" in message for message in refused.value.messages)


def test_a_long_password_is_accepted():
    validate_password("Terrils-et-corons-2024")


# --- Sessions end after inactivity ---


def test_sessions_last_eight_hours_without_a_request_by_default():
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600
    assert django_settings.SESSION_REFRESH_INTERVAL == 60


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _last_saved(client, seconds_ago):
    """As if the session had last been saved `seconds_ago`, and expired 8 hours after that."""
    session = client.session
    session[ACTIVITY_KEY] -= seconds_ago
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(hours=8) - timedelta(seconds=seconds_ago)
    )


def test_an_idle_session_has_expired(agents, client):
    client.force_login(agents[0])
    assert client.get("/projets/").status_code == 200
    _last_saved(client, 8 * 3600 + 1)

    response = client.get("/projets/")

    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_a_request_pushes_the_expiry_back(agents, client):
    client.force_login(agents[0])
    _last_saved(client, 7 * 3600)

    assert client.get("/projets/").status_code == 200

    remaining = _session(client).expire_date - timezone.now()
    assert timedelta(hours=8) - timedelta(minutes=1) < remaining <= timedelta(hours=8)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 8 * 3600


def test_requests_within_a_minute_do_not_write_the_session(agents, client):
    client.force_login(agents[0])
    _last_saved(client, 30)
    expiry = _session(client).expire_date

    client.get("/projets/")

    assert _session(client).expire_date == expiry
    assert django_settings.SESSION_COOKIE_NAME not in client.get("/projets/").cookies


def test_a_session_used_all_day_stays_open(agents, client):
    client.force_login(agents[0])
    for _ in range(3):  # a request every three hours: never eight hours idle
        _last_saved(client, 3 * 3600)
        assert client.get("/projets/").status_code == 200


# --- The security log ---


def _security_records(caplog):
    return [record for record in caplog.records if record.name == "contratville.security"]


def test_a_wrong_password_is_logged_without_the_password(agents, caplog):
    caplog.set_level(logging.INFO, logger="contratville.security")
    sign_in("camille", "Secret-du-Lundi-42")

    (record,) = _security_records(caplog)
    assert record.levelname == "WARNING"
    assert record.username == "camille" and record.ip_address == OFFICE
    assert "Échec de connexion" in record.getMessage()
    assert "Secret-du-Lundi-42" not in caplog.text


def test_a_lockout_is_logged(agents, caplog):
    fail("camille", 5)

    lockouts = [r for r in _security_records(caplog) if "bloquée" in r.getMessage()]
    assert len(lockouts) == 1
    assert lockouts[0].username == "camille" and lockouts[0].ip_address == OFFICE


def test_a_successful_sign_in_is_logged(agents, caplog):
    caplog.set_level(logging.INFO, logger="contratville.security")
    sign_in("camille", PASSWORD)

    (record,) = _security_records(caplog)
    assert record.levelname == "INFO" and record.username == "camille"


def test_a_refused_permission_is_logged_with_the_user_the_path_and_the_view(agents, client, caplog):
    client.force_login(agents[0])

    response = client.get("/bilan/2021/textes/")

    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    (record,) = _security_records(caplog)
    assert record.levelname == "WARNING"
    assert (record.username, record.path, record.view, record.method) == (
        "camille",
        "/bilan/2021/textes/",
        "reports:bilan-texts",
        "GET",
    )


def test_a_refused_post_is_logged_too(agents, client, caplog):
    client.force_login(agents[0])
    client.post("/bilan/2021/textes/", {"action": "enregistrer"})

    (record,) = _security_records(caplog)
    assert record.method == "POST" and record.view == "reports:bilan-texts"
