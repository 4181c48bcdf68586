"""Blind second coding of a share of people's codes, and the agreement report (page and CLI)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AdminUser, SecondCode, SectorCode, Wave
from survey_app.sectors.second_coding import (
    SecondCodingRefused,
    agreement,
    next_item,
    progress,
    record_second_code,
    selected,
)
from survey_app.sectors.service import record_manual_code
from tests import factories
from tests.survey_app.admin.conftest import csrf_of, login
from tests.survey_app.sectors.test_coding import BUSINESS_FORM

# Constructed example with a known kappa. Section level: the first person says A five times
# and C five times; the second agrees on 8 of 10 (one A→C, one C→A): p_o = 0.8, both
# margins 50/50 so p_e = 0.5 and kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6. Divisions are 01
# (A) and 10 (C) only, so the division level gives the same figures.
FIRST = ["01"] * 5 + ["10"] * 5
SECOND = ["01", "01", "01", "01", "10", "10", "10", "10", "10", "01"]
# The model agrees with the first person on 9 of 10 (p_o = 0.9; margins 6/4 vs 5/5:
# p_e = 0.6*0.5 + 0.4*0.5 = 0.5, kappa = 0.8) and with the second on 7 of 10
# (margins 6/4 vs 5/5: p_e = 0.5, kappa = 0.4).
MODEL = ["01", "01", "01", "01", "01", "01", "10", "10", "10", "10"]


def _user_id(role: str) -> int:
    return db.session.scalar(select(AdminUser.id).where(AdminUser.role == role))


@pytest.fixture
def double_coded(app, staff):
    """Ten answers the model coded for review, a researcher coded, and every one in the sample."""
    app.config["SECOND_CODING_SHARE"] = 1.0
    with app.app_context():
        wave = factories.make_wave(factories.make_questionnaire(BUSINESS_FORM).id, name="agree")
        firsts = []
        for i, (model_code, first_code) in enumerate(zip(MODEL, FIRST)):
            invitation, _ = factories.make_invitation(wave, factories.make_alumnus([]))
            review = factories.make_sector_code(invitation, f"usaha nomor {i}")
            review.division, review.kbli5, review.section = model_code, None, "A" if model_code == "01" else "C"
            db.session.commit()
            firsts.append(record_manual_code(review, first_code, _user_id("researcher")).id)
        return {"wave": wave.id, "firsts": firsts}


def test_agreement_figures_on_a_constructed_example_with_known_kappa(app, double_coded):
    with app.app_context():
        for first_id, code in zip(double_coded["firsts"], SECOND):
            record_second_code(db.session.get(SectorCode, first_id), code, _user_id("admin"))
        report = agreement(db.session.get(Wave, double_coded["wave"]))
    assert report["n"] == 10
    for level in ("section", "division"):
        coders = report["coders"][level]
        assert coders["agree"] == 8 and coders["agreement"] == pytest.approx(0.8)
        assert coders["kappa"] == pytest.approx(0.6)
        low, high = coders["kappa_ci"]
        assert -1 <= low < 0.6 < high <= 1
        assert coders["agreement_ci"][0] < 0.8 < coders["agreement_ci"][1]
        assert report["model_first"][level]["kappa"] == pytest.approx(0.8)
        assert report["model_second"][level]["kappa"] == pytest.approx(0.4)


def test_the_second_coder_sees_neither_the_first_code_nor_the_suggestions(app, double_coded, client, staff):
    login(client, staff["admin"])
    url = f"/admin/waves/{double_coded['wave']}/second-coding"
    html = client.get(url).get_data(as_text=True)
    assert "usaha nomor 0" in html
    assert 'id="suggestions"' not in html and "Penyediaan" not in html  # no model ranking, no first code
    with app.app_context():
        first = db.session.get(SectorCode, double_coded["firsts"][0])
        shown = html.split('id="answer"')[1].split("</form>")[0]
        assert 'name="code" required type="text" value=""' in shown  # nothing pre-filled
        assert not re.search(rf"\b{first.division}\b", re.sub(r"<[^>]*>", " ", shown))  # not shown as text
    bad = client.post(url, data={"csrf_token": csrf_of(html), "first": str(double_coded["firsts"][0]), "code": "ZZ"})
    assert bad.status_code == 400 and "bukan divisi" in bad.get_data(as_text=True)
    saved = client.post(url, data={"csrf_token": csrf_of(html), "first": str(double_coded["firsts"][0]),
                                   "code": "01"})
    assert saved.status_code == 303
    next_page = client.get(url).get_data(as_text=True)
    assert "usaha nomor 1" in next_page  # the next one; the coded one is done
    twice = client.post(url, data={"csrf_token": csrf_of(next_page), "first": str(double_coded["firsts"][0]),
                                   "code": "10"})
    assert twice.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(SecondCode.division).where(
            SecondCode.first_code_id == double_coded["firsts"][0])) == "01"  # the first second code stays


def test_the_first_coder_cannot_code_an_answer_a_second_time(app, double_coded, client, staff):
    with app.app_context():
        wave = db.session.get(Wave, double_coded["wave"])
        assert next_item(wave, _user_id("researcher")) is None  # they coded all ten first
        assert progress(wave, _user_id("researcher")).waiting_for_you == 0
        assert progress(wave, _user_id("admin")).waiting_for_you == 10
        with pytest.raises(SecondCodingRefused, match="someone else"):
            record_second_code(db.session.get(SectorCode, double_coded["firsts"][0]), "01", _user_id("researcher"))
    login(client, staff["researcher"])
    page = client.get(f"/admin/waves/{double_coded['wave']}/second-coding").get_data(as_text=True)
    assert 'id="nothing-waits"' in page


def test_the_sample_is_a_fixed_hash_share(app):
    with app.app_context():
        chosen = [selected(i, "business_description", 0.05) for i in range(20000)]
        assert 0.04 < sum(chosen) / len(chosen) < 0.06
        assert chosen == [selected(i, "business_description", 0.05) for i in range(20000)]  # same every time
        assert not any(selected(i, "business_description", 0.0) for i in range(1000))
        app.config["SECOND_CODING_SHARE"] = 0.05
        assert selected(7, "q") == selected(7, "q", 0.05)


def test_agreement_page_and_cli_report_the_same_figures(app, double_coded, runner, as_role):
    with app.app_context():
        for first_id, code in zip(double_coded["firsts"], SECOND):
            record_second_code(db.session.get(SectorCode, first_id), code, _user_id("admin"))
        name = db.session.get(Wave, double_coded["wave"]).name
    out = runner.invoke(args=["sectors", "agreement", "--wave", name])
    assert out.exit_code == 0, out.output
    assert "double-coded: 10" in out.output
    assert "first vs second person\tsection\t10\t80.0%" in out.output and "\t0.600 (" in out.output
    assert "model vs first person\tdivision\t10\t90.0%" in out.output and "\t0.800 (" in out.output
    html = as_role("researcher").get(f"/admin/waves/{double_coded['wave']}/agreement").get_data(as_text=True)
    assert '<span class="big" id="double-coded">10</span>' in html
    row = html.split('data-pair="coders" data-level="section"')[1].split("</tr>")[0]
    assert "80.0%" in row and "0.600" in row
    missing = runner.invoke(args=["sectors", "agreement", "--wave", "nope"])
    assert missing.exit_code != 0 and "no wave named 'nope'" in missing.output


def test_an_empty_report_says_so(app, runner, staff):
    with app.app_context():
        wave = factories.make_wave(factories.make_questionnaire(BUSINESS_FORM).id, name="empty")
        db.session.commit()
        report = agreement(wave)
    assert report["n"] == 0 and report["coders"]["section"]["n"] == 0
    out = runner.invoke(args=["sectors", "agreement", "--wave", "empty"])
    assert out.exit_code == 0 and "nothing to report" in out.output
