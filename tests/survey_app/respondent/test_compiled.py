"""Compiled question blocks give byte-for-byte the macro's HTML; the Core look-up and writes
match what the ORM saw and keep the revision guard (perf, issue 9 item 2)."""
from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Invitation, Response, Training
from survey_app.models.types import utcnow
from survey_app.questionnaire.service import compiled_questionnaire, store_new_version
from survey_app.questionnaire.traversal import walk
from survey_app.respondent import compiled, compiled_page, service
from tests import factories
from tests.survey_app.respondent.conftest import Browser

DEFAULT = Path(__file__).resolve().parents[3] / "seeds" / "questionnaires" / "tracer_default.yaml"

# Every page of the default questionnaire applies with these answers, two repeat instances included.
FULL = {
    "consent": "yes", "birth_year": 1995, "sex": "female", "province": "32", "education": "vocational_secondary",
    "trainings_finished": ["TRN-CMP-A", "TRN-CMP-B"], "training_usefulness": {"TRN-CMP-A": "4", "TRN-CMP-B": "3"},
    "worked_last_week": "yes", "main_activity": "working", "job_status": "1", "job_change": "new_business",
    "business_description": "warung kopi <b>& teh</b> \"depan\" rumah", "business_started": "2022-03",
    "business_channels": ["marketplace", "social_media"], "business_revenue": 3_000_000,
    "business_profit": 1_000_000, "workers_paid": 0, "workers_unpaid": 1, "capital_sources": ["incentive", "savings"],
    "business_training_link": "started_because", "business_training": ["TRN-CMP-A"],
    "other_business_count": 2,
    "other_businesses": [
        {"other_business_description": "jual pulsa", "other_business_started": "2023-01",
         "other_business_revenue": 500_000, "other_business_workers_paid": 0},
        {"other_business_description": "ojek", "other_business_started": "2021-07"},
    ],
    "skills_use": "weekly", "most_useful_training": "TRN-CMP-A", "satisfaction": "4", "recontact": "yes",
}


def _default_link(app, answers=None, status="partial"):
    """An invitation to the default questionnaire with a started response holding ``answers``."""
    with app.app_context():
        questionnaire = store_new_version(DEFAULT.read_text(encoding="utf-8"))
        wave = factories.make_wave(questionnaire.id, name=f"cmp{questionnaire.version}")
        trainings = db.session.scalars(select(Training).where(Training.code.like("TRN-CMP-%"))
                                       .order_by(Training.code)).all() or [
            factories.make_training("TRN-CMP-A", "Barista <Kopi> Dasar", "food_beverage"),
            factories.make_training("TRN-CMP-B", "Desain Grafis dengan Canva", "it")]
        alumnus = factories.make_alumnus(trainings)
        invitation, token = factories.make_invitation(wave, alumnus, status=status)
        if answers is not None:
            now = utcnow()
            db.session.add(Response(invitation_id=invitation.id, answers=answers, language="id",
                                    roster=[[t.code, t.title, t.category] for t in trainings],
                                    current_page="consent_page", started_at=now, updated_at=now))
            db.session.commit()
        return token, invitation.id, questionnaire.id


def _both_ways(client, url, monkeypatch, **kwargs) -> tuple[str, str, int]:
    """The page rendered with compiled blocks (twice: compiling, then from the cache) and by the macro."""
    monkeypatch.setattr(compiled, "ENABLED", True)
    first = client.get(url, **kwargs)
    cached = client.get(url, **kwargs)
    monkeypatch.setattr(compiled, "ENABLED", False)
    plain = client.get(url, **kwargs)
    monkeypatch.setattr(compiled, "ENABLED", True)
    assert first.status_code == cached.status_code == plain.status_code
    assert _csrf_neutral(first.get_data(as_text=True)) == _csrf_neutral(cached.get_data(as_text=True))
    return cached.get_data(as_text=True), plain.get_data(as_text=True), plain.status_code


def _csrf_neutral(html: str) -> str:
    # The CSRF token is signed with a timestamp per request; everything else must match.
    import re

    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', 'name="csrf_token"', html)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("answers", [FULL, {"consent": "yes"}], ids=["all-pages", "fresh"])
def test_every_page_of_the_default_questionnaire_is_identical_compiled_and_uncompiled(
        app, client, monkeypatch, language, answers):
    compiled.clear()
    compiled_page.clear()
    token, invitation_id, questionnaire_id = _default_link(app, copy.deepcopy(answers))
    with app.app_context():
        with db.session.no_autoflush:
            db.session.execute(Response.__table__.update().where(Response.invitation_id == invitation_id)
                               .values(language=language))
            db.session.commit()
        questionnaire = compiled_questionnaire(questionnaire_id)
        link = service.find_invitation(token)
        visits = walk(questionnaire, link.response.answers, service.respondent_for(link)).visits
    if answers is FULL:  # the walk reaches every page, both repeat instances included
        assert {v.page.name for v in visits} == {p.name for p in questionnaire.pages}
        assert [v.instance for v in visits if v.page.repeat is not None] == [1, 2]
    checked = 0
    for visit in visits:
        url = f"/s/{token}/p/{visit.page.name}" + (f"/{visit.instance}" if visit.instance else "")
        for query in ("", "?check=1"):  # ?check=1: the submit re-check shows every problem
            with_compiled, with_macro, status = _both_ways(client, url + query, monkeypatch)
            assert status == 200, url
            assert _csrf_neutral(with_compiled) == _csrf_neutral(with_macro), url + query
            checked += 1
    assert checked == 2 * len(visits)
    # The compiler reproduced every block whose options do not come from the person's roster.
    blocks = next(iter(compiled._versions.values()))
    on_visits = {q.name for v in visits for q in v.page.questions}
    shareable = {q.name for p in questionnaire.pages for q in p.questions
                 if q.is_shown and q.choices_from is None and q.name in on_visits}
    compiled_names = {key[1] for key, segments in blocks.items() if segments is not None}
    assert compiled_names == shareable, shareable - compiled_names
    assert all(key[2] == language for key in blocks)
    # ... and the page shell of every page visited (views showing problems are left to Jinja).
    shells = next(iter(compiled_page._versions.values()))
    assert {(key[0], key[1]) for key in shells} == {(v.page.name, v.instance) for v in visits}
    assert all(shell is not None for shell in shells.values())


@pytest.mark.parametrize("language", ["id", "en"])
def test_pages_with_errors_and_typed_values_are_identical_compiled_and_uncompiled(app, client, monkeypatch,
                                                                                  language):
    compiled.clear()
    token, _invitation_id, _q = _default_link(app, {"consent": "yes", "trainings_finished": ["TRN-CMP-A"]})
    client.set_cookie("jejak_lang", language)
    bodies = {}
    for enabled in (True, False, True):
        monkeypatch.setattr(compiled, "ENABLED", enabled)
        browser = Browser(client)
        browser.get(f"/s/{token}/p/about")
        # wrong type, a missing required answer, a valid choice, and markup typed into a number
        browser.submit({"birth_year": "<script>19x</script>", "sex": "male", "province": "32"})
        assert browser.response.status_code == 422
        bodies.setdefault(enabled, []).append(_csrf_neutral(browser.response.get_data(as_text=True)))
        browser.get(f"/s/{token}/p/job")
        browser.submit({"job_status": "9", "job_change": "new_business"})  # a choice not offered
        assert browser.response.status_code in (200, 303, 422)
        bodies[enabled].append(_csrf_neutral(browser.response.get_data(as_text=True)))
    assert bodies[True][0] == bodies[False][0] and "&lt;script&gt;" in bodies[True][0]
    assert bodies[True][1] == bodies[False][1]
    assert bodies[True][2] == bodies[True][0]  # from the cache now


def test_a_new_questionnaire_version_never_sees_the_old_versions_blocks(app, client):
    compiled.clear()
    token_v1, _i, q1 = _default_link(app, {"consent": "yes"})
    old = client.get(f"/s/{token_v1}/p/about").get_data(as_text=True)
    assert "Tahun berapa Anda lahir?" in old
    source = DEFAULT.read_text(encoding="utf-8")
    assert source.count("Tahun berapa Anda lahir?") >= 1
    with app.app_context():
        v2 = store_new_version(source.replace("Tahun berapa Anda lahir?", "Pada tahun berapakah Anda lahir?"))
        wave = factories.make_wave(v2.id, name="cmp-v2")
        alumnus = factories.make_alumnus([])
        invitation, token_v2 = factories.make_invitation(wave, alumnus, status="partial")
        now = utcnow()
        db.session.add(Response(invitation_id=invitation.id, answers={"consent": "yes"}, language="id", roster=[],
                                started_at=now, updated_at=now))
        db.session.commit()
        assert v2.id != q1
    new = client.get(f"/s/{token_v2}/p/about").get_data(as_text=True)
    assert "Pada tahun berapakah Anda lahir?" in new and "Tahun berapa Anda lahir?" not in new
    # links to version 1 keep version 1's page
    assert "Tahun berapa Anda lahir?" in client.get(f"/s/{token_v1}/p/about").get_data(as_text=True)
    assert len(compiled._versions) == 2


def test_the_cache_keeps_a_bounded_number_of_versions(app, client, monkeypatch):
    compiled.clear()
    monkeypatch.setattr(compiled, "MAX_QUESTIONNAIRES", 1)
    token_v1, _i, _q1 = _default_link(app, {"consent": "yes"})
    token_v2, _i2, _q2 = _default_link(app, {"consent": "yes"})
    for token in (token_v1, token_v2, token_v1):
        assert client.get(f"/s/{token}/p/about").status_code == 200
        assert len(compiled._versions) == 1


# -- the hot-path look-up returns what the ORM loaded ----------------------------------------
@pytest.mark.parametrize("started", [True, False])
def test_the_core_lookup_returns_what_the_orm_loads(app, started):
    token, invitation_id, _q = _default_link(app, copy.deepcopy(FULL) if started else None,
                                             status="partial" if started else "issued")
    with app.app_context():
        wave = db.session.get(Invitation, invitation_id).wave
        wave.opens_at, wave.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=3)
        db.session.commit()
        db.session.expire_all()
        orm = db.session.get(Invitation, invitation_id)
        link = service.find_invitation(token)
        assert (link.id, link.status, link.alumnus_id) == (orm.id, orm.status, orm.alumnus_id)
        assert (link.wave.id, link.wave.questionnaire_id, link.wave.opens_at, link.wave.closes_at) == (
            orm.wave.id, orm.wave.questionnaire_id, orm.wave.opens_at, orm.wave.closes_at)
        now = service.now()
        for moment in (now, now - timedelta(days=2), now + timedelta(days=4)):
            assert link.wave.is_open(moment) == orm.wave.is_open(moment)
        if not started:
            assert link.response is None and orm.response is None
            return
        response = orm.response
        assert link.response is not None
        for name in ("id", "answers", "roster", "language", "current_page", "submitted_at", "declined_at",
                     "revision"):
            assert getattr(link.response, name) == getattr(response, name), name
        assert link.response.answers == FULL
        assert service.find_invitation("A" * 24) is None and service.find_invitation("bad token!") is None


# -- the single-statement writes keep the revision guard -------------------------------------
def _stored(app, invitation_id):
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.invitation_id == invitation_id))
        return response.answers, response.revision, db.session.get(Invitation, invitation_id).status


def test_a_save_from_a_stale_revision_is_refused_and_changes_nothing(app):
    token, invitation_id, questionnaire_id = _default_link(app, {"consent": "yes"}, status="opened")
    with app.test_request_context():
        questionnaire = compiled_questionnaire(questionnaire_id)
        tab_1, tab_2 = service.find_invitation(token), service.find_invitation(token)
        respondent = service.respondent_for(tab_1)
        visit = walk(questionnaire, tab_1.response.answers, respondent).visit("about", None)
        about = {"birth_year": 1990, "sex": "male", "province": "11", "education": "diploma"}
        service.save_page(tab_1, questionnaire, respondent, visit, about, [], revision=1)
        assert tab_1.response.revision == 2 and tab_1.status == "partial"
        with pytest.raises(service.Conflict):
            service.save_page(tab_2, questionnaire, respondent, visit, {**about, "birth_year": 1970}, [], revision=1)
        with pytest.raises(service.Conflict):  # a revision the page never had
            service.save_page(tab_1, questionnaire, respondent, visit, about, [], revision="1; DROP TABLE")
        # tab 2 believes it is current, but the database moved on: the UPDATE's own guard refuses
        tab_2.response.revision = 1
        with pytest.raises(service.Conflict):
            service.save_page(tab_2, questionnaire, respondent, visit, {**about, "birth_year": 1970}, [], revision=1)
        with pytest.raises(service.Conflict):
            service.submit(tab_2, 1)
    answers, revision, status = _stored(app, invitation_id)
    # what the first save stored (calculates such as tracer_status come with it), nothing of tab 2
    assert {name: answers[name] for name in ("consent", *about)} == {"consent": "yes", **about}
    assert revision == 2 and status == "partial"


def test_a_staff_orm_change_in_between_is_not_overwritten(app):
    token, invitation_id, questionnaire_id = _default_link(app, {"consent": "yes"})
    with app.test_request_context():
        questionnaire = compiled_questionnaire(questionnaire_id)
        link = service.find_invitation(token)
        # staff (ORM, version_id_col) change the response after the page was shown
        orm = db.session.scalar(select(Response).where(Response.invitation_id == invitation_id))
        orm.answers = {"consent": "yes", "birth_year": 1980}
        db.session.commit()
        respondent = service.respondent_for(link)
        visit = walk(questionnaire, link.response.answers, respondent).visit("about", None)
        with pytest.raises(service.Conflict):
            service.save_page(link, questionnaire, respondent, visit, {"birth_year": 1990}, [], revision=1)
    answers, revision, _status = _stored(app, invitation_id)
    assert answers == {"consent": "yes", "birth_year": 1980} and revision == 2


def test_submit_twice_from_two_loaded_links_submits_once(app):
    token, invitation_id, _q = _default_link(app, {"consent": "yes"})
    with app.test_request_context():
        first, second = service.find_invitation(token), service.find_invitation(token)
        assert service.submit(first, 1) is True
        assert service.submit(second, 1) is False  # already submitted: not a conflict, not twice
    _answers, revision, status = _stored(app, invitation_id)
    assert revision == 2 and status == "submitted"


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_page_view_reads_exactly_like_the_wtforms_form(app, language):
    """PageView (GET, no WTForms) gives the templates what the WTForms form gives them."""
    from survey_app.questionnaire.forms import PageView, build_page_form

    token, _invitation_id, questionnaire_id = _default_link(app, copy.deepcopy(FULL))
    with app.test_request_context():
        questionnaire = compiled_questionnaire(questionnaire_id)
        link = service.find_invitation(token)
        respondent = service.respondent_for(link)
        result = walk(questionnaire, link.response.answers, respondent)
        fresh = walk(questionnaire, {"consent": "yes"}, respondent)  # defaults pre-filled, nothing answered
        compared = 0
        for visit in [*result.visits, *fresh.visits]:
            form = build_page_form(questionnaire, visit.page, language, visit.scope, respondent)
            view = PageView(questionnaire, visit.page, language, visit.scope, respondent)
            names = [name for name in form._fields if name not in ("csrf_token", "revision", "shown")]
            assert sorted(names) == sorted(view._fields)
            for name in names:
                real, shown = form[name], view[name]
                assert (shown.id, shown.name, shown.label.text, shown.data) == (
                    real.id, real.name, real.label.text, real.data), name
                if hasattr(real, "_value"):  # text inputs: the value their tag shows
                    assert shown._value() == real._value(), name
                assert shown.choices == getattr(real, "choices", None), name
                attrs = {"class_": "input", "aria-required": "true"}
                assert str(shown(**attrs)) == str(real(**attrs)), name
                compared += 1
            form.revision.data = view.revision.data = "7"
            assert str(view.revision.__html__()) == str(form.revision())
        assert compared > 40


def test_two_people_on_the_same_compiled_page_each_see_only_their_own(app, client):
    """Token, CSRF token, revision, answers and progress are filled per person, never cached."""
    compiled.clear()
    compiled_page.clear()
    first, _i1, _q1 = _default_link(app, {"consent": "yes", "birth_year": 1971, "province": "11"})
    second, _i2, _q2 = _default_link(app, {"consent": "yes", "birth_year": 1999, "province": "94"})
    other = app.test_client()
    pages = {}
    for token, browser in ((first, client), (second, other), (first, client), (second, other)):
        pages[token] = browser.get(f"/s/{token}/p/about").get_data(as_text=True)
    one, two = pages[first], pages[second]
    assert f"/s/{first}/p/about" in one and second not in one
    assert f"/s/{second}/p/about" in two and first not in two
    assert 'value="1971"' in one and 'value="1999"' not in one
    assert 'value="1999"' in two and 'value="1971"' not in two
    assert '<option value="11" selected>' in one and '<option value="94" selected>' in two
    assert _csrf_of(one) != _csrf_of(two)  # two sessions, two tokens
    assert len(next(iter(compiled_page._versions.values()))) == 1  # one shell served both


def _csrf_of(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
