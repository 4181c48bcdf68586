"""The app factory and its configuration."""
import pytest

from survey_app import create_app


def test_health_check_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("JEJAK_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": None}, config_name="production")


def test_unknown_page_is_a_friendly_404_in_indonesian_by_default(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize(("cookie", "lang", "title"), [(None, "id", "Halaman tidak ditemukan"),
                                                      ("en", "en", "Page not found")])
def test_error_page_declares_the_language_it_is_written_in(client, cookie, lang, title):
    if cookie:
        client.set_cookie("jejak_lang", cookie)
    response = client.get("/s/not-a-real-link-token-at-all")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f'<html lang="{lang}">' in page  # screen readers pronounce the page in this language
    assert f"<h1>{title}</h1>" in page
