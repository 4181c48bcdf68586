"""The app codes only with signed model files (issue 10 finding 6)."""
import pytest

from analysis import save_model
from survey_app.sectors.models import ModelNotUsable, model_key
from survey_app.sectors.versions import sector_model


def test_the_app_refuses_an_unsigned_model_file(app, default_model, tmp_path):
    path = save_model(default_model, tmp_path / "unsigned.npz")
    with app.app_context():
        with pytest.raises(ModelNotUsable, match="is not signed"):
            sector_model(str(path))


def test_the_app_refuses_a_file_signed_with_another_key(app, default_model, tmp_path):
    path = save_model(default_model, tmp_path / "other.npz", key="not-the-app-key-but-long-enough")
    with app.app_context():
        with pytest.raises(ModelNotUsable, match="signature does not match"):
            sector_model(str(path))


def test_the_app_uses_a_file_signed_with_its_key(app, default_model, tmp_path):
    with app.app_context():
        path = save_model(default_model, tmp_path / "signed.npz", key=model_key())
        loaded = sector_model(str(path))
    assert loaded.predict(["warung kopi"]).tolist() == default_model.predict(["warung kopi"]).tolist()


def test_the_default_model_comes_from_the_signed_cache(app, default_model):
    with app.app_context():
        assert sector_model() is not None


def test_a_key_is_derived_from_the_secret_key_when_none_is_configured(app):
    app.config["MODEL_KEY"] = None
    with app.app_context():
        derived = model_key()
    assert len(derived) == 64 and app.config["SECRET_KEY"] not in derived


def test_flask_sectors_code_refuses_an_unsigned_model_with_a_message(app, runner, default_model, tmp_path):
    from survey_app.extensions import db
    from tests import factories

    path = save_model(default_model, tmp_path / "unsigned.npz")
    with app.app_context():
        q = factories.make_questionnaire(
            "format: jejak-questionnaire/1\nname: biz\ntitle: T\nlanguages: [id]\npages:\n  - name: p\n"
            "    title: P\n    questions:\n      - {name: business_description, type: long_text, label: U, "
            "coding: kbli}\n")
        wave = factories.make_wave(q.id)
        name = wave.name
        db.session.commit()
    result = runner.invoke(args=["sectors", "code", "--wave", name, "--model", str(path)])
    assert result.exit_code != 0
    assert "is not signed" in result.output and "Traceback" not in result.output
