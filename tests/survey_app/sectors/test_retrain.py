"""The review loop learns: retrain job, comparison before promotion, promote/rollback, model files refused."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from analysis import SectorClassifier, save_model
from analysis.sectors import load_labelled, storage
from survey_app.extensions import db
from survey_app.models import AdminUser, AuditEvent, SectorCode, SectorModelVersion, Wave
from survey_app.sectors.models import model_key
from survey_app.sectors.retraining import readiness, retrain
from survey_app.sectors.service import code_wave, record_manual_code
from survey_app.sectors.versions import VersionRefused, active_version, ensure_baseline, promote, rollback, sector_model
from tests import factories
from tests.survey_app.admin.conftest import csrf_of, login
from tests.survey_app.jobs.flow import follow
from tests.survey_app.sectors.test_coding import BUSINESS_FORM

# Small models so a retrain takes about a second in tests (the product uses DEFAULT_PARAMS).
SMALL = {"calibration_folds": 2, "reference": None, "max_word_features": 3000, "max_char_features": 3000,
         "char_ngram_range": (3, 4)}
PEOPLE = 140  # people's codes made by the fixture; the tests ask for fewer than that
METRICS = {"section_accuracy", "section_macro_f1", "division_accuracy", "kbli5_top1", "kbli5_top3", "auto_share",
           "auto_precision"}


def small_model(texts=None, codes=None) -> SectorClassifier:
    seeds = load_labelled(split="train")
    texts = seeds["text"] if texts is None else texts
    codes = seeds["kbli5"] if codes is None else codes
    return SectorClassifier(**SMALL).fit(texts, codes.str[:2], kbli5=codes)


@pytest.fixture
def loop_app(app):
    """The app set for fast retraining: small models, minimums the fixture's codes reach."""
    app.config.update(SECTORS_RETRAIN_PARAMS=SMALL, SECTORS_RETRAIN_MIN_CODES=60, SECTORS_RETRAIN_MIN_HELD_OUT=10,
                      SECTORS_RETRAIN_JOBS=1)
    return app


@pytest.fixture
def people_codes(loop_app, staff):
    """A wave whose answers people coded from the review queue (texts of the labelled held-out split)."""
    test = load_labelled(split="test").head(PEOPLE)
    with loop_app.app_context():
        coder = db.session.scalar(select(AdminUser).where(AdminUser.role == "researcher"))
        wave = factories.make_wave(factories.make_questionnaire(BUSINESS_FORM).id, name="loop")
        codes = []
        for text in test["text"]:
            invitation, _ = factories.make_invitation(wave, factories.make_alumnus([]))
            codes.append(factories.make_sector_code(invitation, text))
        db.session.commit()
        for code, kbli5 in zip(codes, test["kbli5"]):
            record_manual_code(code, kbli5, coder.id)
        return wave.id


@pytest.fixture
def small_baseline(loop_app, tmp_path):
    """SECTOR_MODEL = a small signed model trained on the seeds only (the model before any retrain)."""
    with loop_app.app_context():
        path = save_model(small_model(), tmp_path / "baseline.npz", key=model_key())
    loop_app.config["SECTOR_MODEL"] = str(path)
    return path


def _audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


# ------------------------------------------------------------------ bad input: too few codes

def test_retraining_with_too_few_codes_is_refused_and_says_how_many_are_needed(loop_app, runner, as_role, staff):
    loop_app.config["SECTORS_RETRAIN_MIN_CODES"] = 200
    result = runner.invoke(args=["sectors", "retrain", "--wait"])
    assert result.exit_code != 0
    assert "at least 200 people's codes with a 5-digit KBLI code; there are 0 (200 more needed)" in result.output
    client = as_role("admin")
    page = client.get("/admin/sectors/models").get_data(as_text=True)
    assert "200 lagi diperlukan" in page  # the refusal, in the staff member's language (Indonesian default)
    refused = client.post("/admin/sectors/models/retrain", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/admin/sectors/models")
    with loop_app.app_context():
        assert db.session.scalar(select(SectorModelVersion)) is None  # nothing half-written
        from survey_app.models import Job
        assert db.session.scalar(select(Job)) is None


def test_too_few_held_out_codes_are_refused_too(loop_app, people_codes):
    loop_app.config["SECTORS_RETRAIN_MIN_HELD_OUT"] = 1000
    with loop_app.app_context():
        with pytest.raises(VersionRefused, match="held-out people's codes"):
            retrain("t@example.org")
        assert db.session.scalar(select(SectorModelVersion)) is None


# ------------------------------------------------------------------ the job and the comparison page

def test_retrain_job_stores_a_candidate_with_its_comparison_and_a_worse_one_is_not_promoted(
        loop_app, people_codes, as_role, staff, default_model):
    client = as_role("admin")
    token = csrf_of(client.get("/admin/sectors/models").get_data(as_text=True))
    data = follow(client, client.post("/admin/sectors/models/retrain", data={"csrf_token": token}))
    assert data["progress"]["done"] == 4
    with loop_app.app_context():
        ready = readiness()
        rows = db.session.scalars(select(SectorModelVersion).order_by(SectorModelVersion.id)).all()
        baseline, candidate = rows
        assert baseline.status == "active" and baseline.version == default_model.version_
        assert baseline.people_codes == 0 and (loop_app.instance_path + "/" + baseline.path).endswith(".npz")
        assert candidate.status == "candidate" and candidate.compared_with == baseline.version
        assert (candidate.people_codes, candidate.held_out_codes) == (ready.train, ready.held_out)
        assert candidate.metrics["n"] == ready.held_out
        assert {r["key"] for r in candidate.metrics["rows"]} == METRICS
        # a tiny model is worse than the default one: the comparison says so
        assert candidate.not_worse is False and candidate.metrics["worse"]
        assert storage.is_signed(loop_app.instance_path + "/" + candidate.path)
        candidate_id = candidate.id
    assert "worse" in data["message"] or "buruk" in data["message"]
    researcher = loop_app.test_client()
    login(researcher, staff["researcher"])
    html = researcher.get(f"/admin/sectors/models/{candidate_id}").get_data(as_text=True)
    assert 'id="comparison"' in html and "Akurasi divisi" in html
    assert 'id="promote-form"' not in html  # researchers see the table, not the button
    admin = client
    html = admin.get(f"/admin/sectors/models/{candidate_id}").get_data(as_text=True)
    assert 'id="promote-form"' in html and "disabled" in html.split('id="promote-form"')[1].split("</form>")[0]
    refused = admin.post(f"/admin/sectors/models/{candidate_id}/promote", data={"csrf_token": csrf_of(html)})
    assert refused.status_code == 409 and "tidak dapat dipromosikan" in refused.get_data(as_text=True)
    with loop_app.app_context():
        assert db.session.get(SectorModelVersion, candidate_id).status == "candidate"
    assert _audit(loop_app, "sectors.model_promote") == []
    assert len(_audit(loop_app, "sectors.retrain")) == 1
    listing = admin.get("/admin/sectors/models").get_data(as_text=True)
    assert listing.count("sector-models/sector-model-") == 2


def test_promote_and_rollback_change_the_model_the_app_codes_with(loop_app, people_codes, small_baseline, runner,
                                                                   as_role):
    loop_app.config["SECTORS_PROMOTE_TOLERANCE"] = 1.0  # this test is about the switch, not the verdict
    result = runner.invoke(args=["sectors", "retrain", "--wait"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Division accuracy\s+\d\.\d{3}\s+\d\.\d{3}", result.output)
    assert "verdict: not worse" in result.output
    with loop_app.app_context():
        candidate = db.session.scalar(select(SectorModelVersion).where(SectorModelVersion.status == "candidate"))
        baseline = active_version()
        candidate_id, candidate_version, baseline_version = candidate.id, candidate.version, baseline.version
    listing = runner.invoke(args=["sectors", "models"]).output
    assert candidate_version[:12] in listing and "candidate" in listing and "active" in listing
    admin = as_role("admin")
    page = admin.get(f"/admin/sectors/models/{candidate_id}").get_data(as_text=True)
    promoted = admin.post(f"/admin/sectors/models/{candidate_id}/promote", data={"csrf_token": csrf_of(page)})
    assert promoted.status_code == 303
    with loop_app.app_context():
        assert active_version().version == candidate_version
        assert sector_model().version_ == candidate_version  # the app codes with the active version
        wave = factories.make_wave(factories.make_questionnaire(BUSINESS_FORM).id, name="fresh")
        invitation, _ = factories.make_invitation(wave, factories.make_alumnus([]))
        response_id = factories.make_sector_code(invitation, "warung kopi").response_id
        db.session.execute(SectorCode.__table__.delete().where(SectorCode.response_id == response_id))
        db.session.commit()
        code_wave(db.session.get(Wave, wave.id))
        stamped = db.session.scalar(select(SectorCode.model_version).where(SectorCode.response_id == response_id))
        assert stamped == candidate_version[:64]
    [event] = _audit(loop_app, "sectors.model_promote")
    assert event.actor == "admin@example.org" and event.detail["previous"] == baseline_version
    again = runner.invoke(args=["sectors", "promote", candidate_version[:10]])
    assert again.exit_code != 0 and "Only a candidate can be promoted" in again.output
    back = runner.invoke(args=["sectors", "rollback", baseline_version[:12]])
    assert back.exit_code == 0, back.output
    with loop_app.app_context():
        assert sector_model().version_ == baseline_version
        assert db.session.scalar(select(SectorModelVersion.status).where(
            SectorModelVersion.version == candidate_version)) == "retired"
    assert len(_audit(loop_app, "sectors.model_rollback")) == 1
    # the candidate was active once: rolling back to it works from the page too
    page = admin.get(f"/admin/sectors/models/{candidate_id}").get_data(as_text=True)
    assert 'id="rollback-form"' in page
    assert admin.post(f"/admin/sectors/models/{candidate_id}/rollback",
                      data={"csrf_token": csrf_of(page)}).status_code == 303
    unknown = runner.invoke(args=["sectors", "rollback", "abc"])
    assert unknown.exit_code != 0 and "at least the first 6 characters" in unknown.output


def test_a_comparison_made_against_another_active_model_is_refused(loop_app, people_codes, small_baseline):
    loop_app.config["SECTORS_PROMOTE_TOLERANCE"] = 1.0
    with loop_app.app_context():
        candidate = retrain("t@example.org")
        other = _register(loop_app, small_model(load_labelled(split="train")["text"].head(900),
                                                load_labelled(split="train")["kbli5"].head(900)), status="retired")
        other.activated_at = candidate.created_at
        db.session.commit()
        rollback(other)
        with pytest.raises(VersionRefused, match="retrain to compare again"):
            promote(db.session.get(SectorModelVersion, candidate.id))


# ------------------------------------------------------------------ bad model files

def _register(app, model, *, status: str = "candidate", mutate=None) -> SectorModelVersion:
    """A version row for ``model`` saved signed under the instance folder (optionally altered first)."""
    from survey_app.sectors.versions import save_version_file

    if mutate is not None:
        mutate(model)
    path = save_version_file(model, {"role": "test"})
    row = SectorModelVersion(version=model.version_, status=status, path=path, people_codes=0, held_out_codes=0,
                             metrics={"rows": [], "worse": []}, not_worse=True, created_by="test",
                             compared_with=active_version().version if active_version() else None)
    db.session.add(row)
    db.session.commit()
    return row


def test_promote_refuses_a_model_of_another_kbli_version(loop_app, small_baseline, as_role):
    def older_kbli(model):
        model.classes_ = model.classes_.copy()
        model.classes_[0] = "00"  # not a KBLI 2020 division
        model.version_ = "0" * 63 + "1"

    with loop_app.app_context():
        ensure_baseline("t@example.org")
        row = _register(loop_app, small_model(), mutate=older_kbli)
        row_id = row.id
    admin = as_role("admin")
    page = admin.get(f"/admin/sectors/models/{row_id}").get_data(as_text=True)
    refused = admin.post(f"/admin/sectors/models/{row_id}/promote", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 409
    assert "another KBLI version" in refused.get_data(as_text=True)
    with loop_app.app_context():
        assert db.session.get(SectorModelVersion, row_id).status == "candidate"


def test_rollback_refuses_a_model_written_by_another_scikit_learn(loop_app, small_baseline, runner, monkeypatch):
    with loop_app.app_context():
        ensure_baseline("t@example.org")
        with monkeypatch.context() as patch:
            patch.setattr(storage, "library_versions", lambda: {"python": "3", "numpy": "1", "scipy": "1",
                                                                "scikit-learn": "0.24.2"})
            row = _register(loop_app, small_model(load_labelled(split="train")["text"].head(800),
                                                  load_labelled(split="train")["kbli5"].head(800)), status="retired")
        row.activated_at = row.created_at
        db.session.commit()
        version = row.version
    result = runner.invoke(args=["sectors", "rollback", version[:12]])
    assert result.exit_code != 0 and "scikit-learn 0.24.2" in result.output
    assert "Traceback" not in result.output
    with loop_app.app_context():
        assert active_version().version != version
    assert _audit(loop_app, "sectors.model_rollback") == []


def test_a_retrain_job_with_too_few_codes_fails_with_the_number_needed(loop_app, as_role, staff):
    from survey_app.jobs import service
    from survey_app.models import Job

    loop_app.config["SECTORS_RETRAIN_MIN_CODES"] = 200
    with loop_app.app_context():
        admin = db.session.scalar(select(AdminUser).where(AdminUser.role == "admin"))
        job_id = service.start_job("sectors.retrain", user=admin, wave_id=None, params={}).job.id
        job = db.session.get(Job, job_id)
        assert job.state == "failed"
        assert job.message.startswith("Retraining needs at least %(needed)d")
        assert job.message_args == {"needed": 200, "have": 0, "more": 200}
        assert db.session.scalar(select(SectorModelVersion)) is None
        researcher = db.session.scalar(select(AdminUser).where(AdminUser.role == "researcher"))
        with pytest.raises(service.JobRefused):
            service.start_job("sectors.retrain", user=researcher, wave_id=None, params={})
    shown = as_role("admin").get(f"/admin/jobs/{job_id}", headers={"Accept": "application/json"}).get_json()
    assert "200 lagi diperlukan" in shown["message"]
