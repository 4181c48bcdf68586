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
