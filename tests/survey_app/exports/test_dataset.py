"""`flask export dataset`: the documented research dataset."""
import csv
import json

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.models.types import utcnow


def _read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_dataset_has_every_file_a_manifest_and_no_names(app, runner, demo_wave, tmp_path):
    out = tmp_path / "dataset"
    result = runner.invoke(args=["export", "dataset", "--wave", "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "jejak-dataset" and manifest["format_version"] == 2
    assert manifest["wave"] == "demo" and manifest["questionnaire"] == {"name": "tracer_default", "version": 1}
    assert manifest["waves"] == [{"name": "demo", "follow_up_of": None, "questionnaire": manifest["questionnaire"]}]
    invitations = _read(out / "invitations.csv")
    assert list(invitations[0]) == ["pid", "wave", "invitation_status"] and {i["wave"] for i in invitations} == {"demo"}
    assert manifest["files"]["invitations.csv"]["rows"] == len(invitations) == 50
    assert manifest["includes_financial"] is False
    alumni, responses = _read(out / "alumni.csv"), _read(out / "responses.csv")
    enrollments, codebook = _read(out / "enrollments.csv"), _read(out / "codebook.csv")
    assert manifest["files"]["alumni.csv"]["rows"] == len(alumni) == 50
    assert manifest["files"]["responses.csv"]["rows"] == len(responses) == 40
    assert manifest["files"]["enrollments.csv"]["rows"] == len(enrollments)
    assert list(alumni[0]) == ["pid", "province", "sex", "birth_year", "cohort", "invitation_status"]
    assert list(enrollments[0]) == ["pid", "training_code", "completed_at"]
    assert list(responses[0])[:6] == ["pid", "wave", "status", "language", "started_at", "submitted_at"]
    assert {r["pid"] for r in responses} <= {a["pid"] for a in alumni}
    assert [c["variable"] for c in codebook] == list(responses[0])
    assert not {"wage", "business_revenue", "business_profit"} & set(responses[0])
    everything = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert "EXT" not in everything and "@" not in everything.replace("'@", "")  # no ids, no e-mails
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.dataset"))
    assert event.detail["financial_data"] is False and event.detail["rows"] == 40


def test_financial_answers_only_with_the_flag(runner, demo_wave, tmp_path):
    out = tmp_path / "dataset"
    result = runner.invoke(args=["export", "dataset", "--wave", "demo", "--out", str(out), "--include-financial"])
    assert result.exit_code == 0, result.output
    header = _read(out / "responses.csv")[0]
    assert {"wage", "business_revenue", "business_profit"} <= set(header)
    assert json.loads((out / "manifest.json").read_text())["includes_financial"] is True


def test_existing_directory_is_refused_unless_force(runner, small_wave, tmp_path):
    out = tmp_path / "dataset"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = runner.invoke(args=["export", "dataset", "--wave", "w1", "--out", str(out)])
    assert result.exit_code != 0 and "already exists" in result.output and list(out.iterdir()) == [out / "notes.txt"]
    result = runner.invoke(args=["export", "dataset", "--wave", "w1", "--out", str(out), "--force"])
    assert result.exit_code == 0 and (out / "manifest.json").exists() and (out / "notes.txt").exists()


def test_unknown_wave(runner, small_wave, tmp_path):
    result = runner.invoke(args=["export", "dataset", "--wave", "nope", "--out", str(tmp_path / "d")])
    assert result.exit_code != 0 and "no wave named 'nope'" in result.output and not (tmp_path / "d").exists()


def test_dataset_carries_the_current_kbli_codes(app, runner, demo_wave, tmp_path):
    from survey_app.models import Response, SectorCode

    with app.app_context():
        response = db.session.scalars(select(Response).where(Response.submitted_at.is_not(None))).first()
        for status, superseded in (("review", True), ("manual", False)):
            db.session.add(SectorCode(response_id=response.id, question="business_description", text="jual kopi",
                                      kbli5="56303", division="56", section="I", confidence=None, status=status,
                                      model_version="m", superseded_at=utcnow() if superseded else None))
        db.session.commit()
    out = tmp_path / "dataset"
    assert runner.invoke(args=["export", "dataset", "--wave", "demo", "--out", str(out)]).exit_code == 0
    codes = _read(out / "codes.csv")
    assert len(codes) == 1 and codes[0]["status"] == "manual" and codes[0]["section"] == "I"
    assert codes[0]["wave"] == "demo"
    assert codes[0]["pid"] in {r["pid"] for r in _read(out / "responses.csv")}
    assert "description" in _read(out / "trainings.csv")[0]


def test_repeat_pages_get_a_long_table_one_row_per_alumnus_and_instance(app, runner, demo_wave, tmp_path):
    from sqlalchemy import select as sql_select

    from survey_app.models import Invitation, Response, Wave

    out = tmp_path / "dataset"
    with app.app_context():  # make sure some responses have other businesses, whatever the demo drew
        rows = db.session.scalars(sql_select(Response).join(Invitation).join(Wave)
                                  .where(Wave.name == "demo", Response.submitted_at.is_not(None))).all()[:2]
        for number, response in enumerate(rows, start=1):
            response.answers = {**response.answers, "other_business_count": number,
                                "other_businesses": [{"other_business_description": f"usaha lain nomor {i}",
                                                      "other_business_revenue": 1000}
                                                     for i in range(1, number + 1)]}
        db.session.commit()
    result = runner.invoke(args=["export", "dataset", "--wave", "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["repeats"] == {"other_businesses": "repeat_other_businesses.csv"}
    table = _read(out / "repeat_other_businesses.csv")
    assert manifest["files"]["repeat_other_businesses.csv"]["rows"] == len(table) >= 3
    assert list(table[0])[:4] == ["pid", "wave", "instance", "other_business_description"]
    assert "other_business_revenue" not in table[0]  # financial: only with --include-financial
    assert {"usaha lain nomor 1", "usaha lain nomor 2"} <= {r["other_business_description"] for r in table}
    responses = {r["pid"]: r for r in _read(out / "responses.csv")}
    for line in table:
        wide = responses[line["pid"]][f"other_business_description_{line['instance']}"]
        assert wide == line["other_business_description"]  # the wide and long layouts agree


def _follow_up(app, demo_wave, *, earlier_answered: bool = True):
    """Wave 'demo_w2' following up the demo wave: a new question, two panel members and a newcomer."""
    import textwrap

    from survey_app.models import Alumnus, Invitation, Response, Wave
    from tests import factories

    form = textwrap.dedent("""\
        format: jejak-questionnaire/1
        name: followup_form
        title: {id: "Lanjutan", en: "Follow-up"}
        languages: [id, en]
        consent: {question: consent, accept: "yes"}
        choice_lists:
          yes_no:
            - {name: "yes", label: {id: "Ya", en: "Yes"}}
            - {name: "no", label: {id: "Tidak", en: "No"}}
        pages:
          - name: start
            title: {id: "Mulai", en: "Start"}
            questions:
              - {name: consent, type: select_one, choices: yes_no, required: true, label: {id: "Setuju?", en: "Agree?"}}
              - {name: business_still_running, type: select_one, choices: yes_no,
                 label: {id: "Masih berjalan?", en: "Still running?"}}
              - {name: job_status, type: integer, label: {id: "Status (angka)", en: "Status (number)"}}
        """)
    with app.app_context():
        earlier = db.session.get(Wave, demo_wave["wave"])
        questionnaire = factories.make_questionnaire(form)
        later = factories.make_wave(questionnaire.id, name="demo_w2")
        later.follow_up_of_id = earlier.id
        db.session.commit()
        answered = db.session.scalars(select(Invitation).where(Invitation.wave_id == earlier.id,
                                                               Invitation.status == "submitted")).all()
        if not earlier_answered:
            for invitation in answered:
                invitation.status = "partial"
                db.session.get(Response, invitation.response.id).submitted_at = None
            db.session.commit()
        invited = [db.session.get(Alumnus, i.alumnus_id) for i in answered[:3]]
        newcomer = db.session.scalars(select(Alumnus).where(Alumnus.id.not_in(
            select(Invitation.alumnus_id).where(Invitation.wave_id == earlier.id)))).first()
        people = [*invited, *([newcomer] if newcomer is not None else [])]
        for number, person in enumerate(people):
            invitation, _token = factories.make_invitation(later, person, status="submitted" if number else "issued")
            if number:
                db.session.add(Response(invitation_id=invitation.id, language="id", submitted_at=utcnow(),
                                        answers={"consent": "yes", "business_still_running": "no", "job_status": 4}))
        db.session.commit()
        return {"earlier": earlier.name, "later": later.name, "answered": len(people) - 1, "invited": len(people)}


def test_follow_up_wave_exports_the_chain_long(app, runner, demo_wave, tmp_path):
    from analysis import load_dataset

    chain = _follow_up(app, demo_wave)
    out = tmp_path / "dataset"
    result = runner.invoke(args=["export", "dataset", "--wave", "demo_w2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["wave"] == "demo_w2" and manifest["format_version"] == 2
    assert [(w["name"], w["follow_up_of"]) for w in manifest["waves"]] == [("demo", None), ("demo_w2", "demo")]
    assert manifest["waves"][1]["questionnaire"]["name"] == "followup_form"
    responses = _read(out / "responses.csv")
    waves = [r["wave"] for r in responses]
    assert waves.count("demo") == 40 and waves.count("demo_w2") == chain["answered"]
    assert waves == sorted(waves, key=["demo", "demo_w2"].index)  # chain order, oldest first
    header = list(responses[0])
    assert "business_still_running" in header and "business_description" in header  # union of both questionnaires
    later = [r for r in responses if r["wave"] == "demo_w2"]
    assert {r["business_still_running"] for r in later} == {"no"} and {r["business_description"] for r in later} == {""}
    assert header.count("job_status") == 1  # the same question in both waves is one column
    invitations = _read(out / "invitations.csv")
    assert sum(i["wave"] == "demo_w2" for i in invitations) == chain["invited"]
    assert sum(i["wave"] == "demo" for i in invitations) == 50
    alumni = {a["pid"]: a for a in _read(out / "alumni.csv")}
    assert sum(a["invitation_status"] != "" for a in alumni.values()) == chain["invited"]  # the exported wave's
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.dataset")).all()[-1]
    assert event.detail["waves"] == ["demo", "demo_w2"]
    ds = load_dataset(out)  # and the analysis package reads it back
    assert ds.earlier_wave == "demo" and len(ds.wave_view("demo").responses) == 40
    assert len(ds.invitations) == 50 + chain["invited"]


def test_report_of_a_follow_up_whose_earlier_wave_has_no_respondents_explains(app, runner, demo_wave, tmp_path):
    from analysis import build_report

    _follow_up(app, demo_wave, earlier_answered=False)
    out = tmp_path / "dataset"
    assert runner.invoke(args=["export", "dataset", "--wave", "demo_w2", "--out", str(out)]).exit_code == 0
    report = build_report(out, tmp_path / "report", lang="en")
    html = report.html.read_text(encoding="utf-8")
    assert "Wave demo has no respondents" in html
    assert any("demo has no respondents" in note for note in report.notes)
