"""Finding 10.1: no configuration path serves requests on a known session key."""
import os
import stat

import pytest
from flask.sessions import SecureCookieSessionInterface

from survey_app import create_app
from survey_app.secret_key import PUBLISHED_KEYS, is_loopback


@pytest.fixture
def no_key_env(monkeypatch):
    for name in ("JEJAK_SECRET_KEY", "SECRET_KEY", "JEJAK_CONFIG", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _dev_app(tmp_path, **extra):
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.sqlite'}", **extra},
                      config_name="development")


def test_flask_debug_does_not_select_the_development_config(no_key_env, tmp_path):
    no_key_env.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError) as error:
        create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert "FLASK_DEBUG" not in str(error.value)
    assert "JEJAK_SECRET_KEY" in str(error.value)


def test_development_config_generates_and_keeps_a_private_key(no_key_env, tmp_path):
    first = _dev_app(tmp_path).config["SECRET_KEY"]
    again = _dev_app(tmp_path).config["SECRET_KEY"]
    other = create_app({"INSTANCE_PATH": str(tmp_path / "other")}, config_name="development").config["SECRET_KEY"]
    assert first == again  # sessions survive a restart of `make demo`
    assert first != other and first not in PUBLISHED_KEYS and len(first) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / "instance" / "secret_key").st_mode)
    assert mode == 0o600


def test_no_configuration_carries_a_published_key(no_key_env, tmp_path):
    for name in ("production", "development", "testing"):
        app = create_app({"INSTANCE_PATH": str(tmp_path / name),
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}.sqlite",
                          **({"SECRET_KEY": "operator-key-" + "x" * 20} if name == "production" else {})},
                         config_name=name)
        assert app.config["SECRET_KEY"] not in PUBLISHED_KEYS


@pytest.mark.parametrize("key", sorted(PUBLISHED_KEYS))
def test_a_published_key_is_refused_even_when_set_explicitly(no_key_env, tmp_path, key):
    with pytest.raises(RuntimeError, match="published"):
        create_app({"SECRET_KEY": key, "INSTANCE_PATH": str(tmp_path)}, config_name="production")


def test_a_cookie_forged_with_the_old_development_key_is_not_a_session(no_key_env, tmp_path):
    app = _dev_app(tmp_path)
    forger = SecureCookieSessionInterface().get_signing_serializer(
        type("Fake", (), {"secret_key": "dev-only-insecure-key", "config": app.config})())
    cookie = forger.dumps({"_user_id": "1", "_fresh": True})
    client = app.test_client()
    client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookie)
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_development_app_answers_only_this_machine(no_key_env, tmp_path):
    client = _dev_app(tmp_path).test_client()
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code != 403
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "::1"}).status_code != 403
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 403
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "192.168.1.4"}).status_code == 403


def test_loopback_detection():
    assert is_loopback("127.0.0.2") and is_loopback("::ffff:127.0.0.1")
    assert not is_loopback("10.0.0.1") and not is_loopback(None) and not is_loopback("localhost")
