"""Signing in with a real browser, for each role, and the login page's accessibility."""

from tests.browser.conftest import assert_accessible, make_user, sign_in


def test_the_login_page_is_accessible_and_refuses_a_wrong_password(page, live_server):
    make_user("agent")
    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/connexion/?next=/")
    assert_accessible(page)
    page.get_by_label("Identifiant").fill("agent")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text().startswith("Identifiant ou mot de passe incorrect")


def test_an_agent_lands_on_the_dossiers_and_can_sign_out(page, live_server):
    make_user("agent")
    sign_in(page, live_server, "agent")
    assert page.url == f"{live_server.url}/projets/"
    page.get_by_role("button", name="Se déconnecter").click()
    assert "/connexion/" in page.url


def test_the_comite_lands_on_the_dashboard(page, live_server):
    make_user("comite")
    sign_in(page, live_server, "comite")
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Tableau de bord")
    assert_accessible(page)
