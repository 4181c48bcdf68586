"""Auto-coding business descriptions and the review queue."""
import io
import re

import pytest
from sqlalchemy import select

from analysis import normalize_text
from survey_app.extensions import db
from survey_app.models import SectorCode, Wave
from survey_app.sectors import kbli
from survey_app.sectors.service import CodingError, code_wave, record_manual_code, write_training_data
from tests import factories
from tests.survey_app.admin.conftest import csrf_of

BUSINESS_FORM = """\
format: jejak-questionnaire/1
name: biz
title: T
languages: [id]
pages:
  - name: p
    title: P
    questions:
      - {name: business_description, type: long_text, label: Usaha, coding: kbli}
"""
TEXTS = ["warung kopi depan rumah jual kopi susu dan gorengan", "ternak lele di kolam terpal",
         "jasa desain grafis logo dan banner untuk umkm", "", "asdf qwer zxcv", "🙂🙂🙂",
         "<script>alert(1)</script>", "x" * 4000]


@pytest.fixture
def wave_with_answers(app):
    """A wave whose submitted responses describe businesses (some empty or nonsense)."""
    with app.app_context():
        q = factories.make_questionnaire(BUSINESS_FORM)
        wave = factories.make_wave(q.id)
        for text in TEXTS:
            invitation, _ = factories.make_invitation(wave, factories.make_alumnus([]))
            response = factories.make_sector_code(invitation, text).response_id
            db.session.execute(SectorCode.__table__.delete().where(SectorCode.response_id == response))
        db.session.commit()
        return wave.id


def test_code_wave_codes_every_answer_once_and_queues_the_unsure(app, wave_with_answers, default_model):
    with app.app_context():
        wave = db.session.get(Wave, wave_with_answers)
        report = code_wave(wave, model=default_model)
        assert report.total == len(TEXTS)
        again = code_wave(wave, model=default_model)
        assert again.total == 0  # nothing coded twice
        codes = {c.text: c for c in db.session.scalars(select(SectorCode))}
        for junk in ("", "asdf qwer zxcv", "🙂🙂🙂"):
            assert codes[junk].status == "review", junk  # low confidence, never a crash
        assert codes[TEXTS[1]].section == "A"  # ternak lele: aquaculture
        assert codes[TEXTS[0]].division in {"56", "47"}
        assert all(len(c.suggestions) == 3 for t, c in codes.items() if normalize_text(t))
        assert codes[""].suggestions == []  # nothing to suggest for an empty answer


def test_wave_without_a_coded_question_is_refused(app, default_model):
    with app.app_context():
        q = factories.make_questionnaire(BUSINESS_FORM.replace(", coding: kbli", ""))
        wave = factories.make_wave(q.id, name="plain")
        with pytest.raises(CodingError, match="coding: kbli"):
            code_wave(wave, model=default_model)


def test_manual_code_supersedes_and_keeps_history(app, staff):
    with app.app_context():
        q = factories.make_questionnaire(BUSINESS_FORM)
        wave = factories.make_wave(q.id)
        invitation, _ = factories.make_invitation(wave, factories.make_alumnus([]))
        code = factories.make_sector_code(invitation, "jual kopi")
        db.session.commit()
        manual = record_manual_code(code, "56303", coder_id=1)
        assert (manual.section, manual.division, manual.kbli5, manual.status) == ("I", "56", "56303", "manual")
        with pytest.raises(CodingError, match="meanwhile"):
            record_manual_code(code, "47111", coder_id=1)  # the old row is no longer current
        with pytest.raises(CodingError, match="not a KBLI"):
            record_manual_code(manual, "99999", coder_id=1)
        rows = db.session.scalars(select(SectorCode).order_by(SectorCode.id)).all()
        assert [r.superseded_at is None for r in rows] == [False, True]
        out = io.StringIO()
        assert write_training_data(out) == 1
        assert out.getvalue().splitlines() == ["text,kbli5", "jual kopi,56303"]


def test_kbli_search_finds_by_words_and_by_number():
    assert any(e.code == "74130" for e in kbli.search("desain grafis"))
    assert all(e.code.startswith("56") for e in kbli.search("56"))
    assert kbli.search("   ") == []


def test_reviewer_codes_in_the_browser_form(app, as_role):
    with app.app_context():
        q = factories.make_questionnaire(BUSINESS_FORM)
        wave = factories.make_wave(q.id)
        invitation, _ = factories.make_invitation(wave, factories.make_alumnus([]))
        code = factories.make_sector_code(invitation, "<b>jual</b> bakso keliling")
        db.session.commit()
        code_id, wave_id = code.id, wave.id
    client = as_role("researcher")
    queue = client.get(f"/admin/waves/{wave_id}/coding").get_data(as_text=True)
    assert "&lt;b&gt;jual&lt;/b&gt;" in queue and "<b>jual" not in queue
    page = client.get(f"/admin/coding/{code_id}?wave={wave_id}&q=makanan")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Penyediaan Makanan" in html or "Makanan" in html
    bad = client.post(f"/admin/coding/{code_id}?wave={wave_id}", data={"code": "ABCDE", "csrf_token": csrf_of(html)})
    assert bad.status_code == 400
    saved = client.post(f"/admin/coding/{code_id}?wave={wave_id}", data={"code": "56102", "csrf_token": csrf_of(html)})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"/admin/waves/{wave_id}/coding")
    with app.app_context():
        current = db.session.scalar(select(SectorCode).where(SectorCode.superseded_at.is_(None)))
        assert current.kbli5 == "56102" and current.coder.email == "researcher@example.org"
    assert client.get(f"/admin/coding/{code_id}").status_code == 404  # superseded: not current any more
    results = client.get("/admin/kbli/search?q=lele").get_json()
    assert any(r["code"].startswith("03") for r in results)


def test_sectors_cli_codes_a_wave_and_reports_unknown_wave(app, runner, wave_with_answers, default_model):
    with app.app_context():
        name = db.session.get(Wave, wave_with_answers).name
    result = runner.invoke(args=["sectors", "code", "--wave", name])
    assert result.exit_code == 0 and re.search(r"coded 8 answers", result.output)
    status = runner.invoke(args=["sectors", "status", "--wave", name]).output
    assert "review" in status
    missing = runner.invoke(args=["sectors", "code", "--wave", "nope"])
    assert missing.exit_code != 0 and "no wave named 'nope'" in missing.output
