"""Template checks: unknown placeholders, missing {link}, stray braces, missing languages."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.messaging import service, templates
from survey_app.messaging.templates import TemplateError
from survey_app.models import OutboundMessage, Wave


def test_the_shipped_defaults_are_valid_in_both_languages(app, wave):
    with app.app_context():
        w = db.session.get(Wave, wave)
        for kind in templates.KINDS:
            for language in templates.LANGUAGES:
                template = templates.template_for(w, kind, language)
                assert template.source == f"{kind}.{language}.txt" and template.subject


@pytest.mark.parametrize("subject, body, expected", [
    ("Halo {nama}", "{link}", "the subject uses the unknown placeholder {nama}"),
    ("Halo", "Isi: {link} {name.__class__}", "the text uses the unknown placeholder {name.__class__}"),
    ("Halo", "Isi: {link} {name!r}", "unknown placeholder {name!r}"),
    ("Halo", "Isi: {link} {0}", "unknown placeholder {0}"),
    ("Halo", "Isi survei ya", "the text must contain {link}"),
    ("Halo", "Isi: {link} {", "the text has a stray brace"),
    ("", "{link}", "the subject is empty"),
])
def test_unusable_templates_are_refused_with_a_clear_message(app, wave, subject, body, expected):
    with app.app_context():
        w = db.session.get(Wave, wave)
        with pytest.raises(TemplateError) as refused:
            templates.save(w, "reminder", "id", subject, body, by="t")
        assert any(expected in problem for problem in refused.value.problems), refused.value.problems


def test_a_template_for_an_unknown_language_is_refused(app, wave):
    with app.app_context():
        with pytest.raises(TemplateError, match="unknown language 'jv'"):
            templates.save(db.session.get(Wave, wave), "reminder", "jv", "Halo", "{link}", by="t")


def test_queueing_refuses_when_a_needed_language_has_no_template(app, wave, invite, tmp_path):
    seeds = tmp_path / "seeds"
    (seeds / "messages").mkdir(parents=True)
    shutil.copy(app.config["SEEDS_DIR"] / "messages" / "invitation.id.txt", seeds / "messages")
    app.config["SEEDS_DIR"] = seeds
    invite()
    invite(language="en")

    with app.app_context():
        with pytest.raises(TemplateError, match="no invitation template in language 'en' for wave 'w1'"):
            service.queue(db.session.get(Wave, wave), "invitation")
        assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_a_broken_default_file_is_refused_naming_the_file(app, wave, invite, tmp_path):
    seeds = tmp_path / "seeds"
    (seeds / "messages").mkdir(parents=True)
    (seeds / "messages" / "invitation.id.txt").write_text("Subject: Hi {nama}\n\n{link}\n", encoding="utf-8")
    app.config["SEEDS_DIR"] = seeds
    invite()

    with app.app_context():
        unknown = r"invitation.id.txt: the subject uses the unknown placeholder \{nama\}"
        with pytest.raises(TemplateError, match=unknown):
            service.queue(db.session.get(Wave, wave), "invitation")


def test_a_saved_wave_template_replaces_the_default_until_reset(app, wave):
    with app.app_context():
        w = db.session.get(Wave, wave)
        templates.save(w, "invitation", "en", "Our survey", "Please answer: {link}", by="admin@example.org")
        db.session.commit()
        assert templates.template_for(w, "invitation", "en").subject == "Our survey"
        assert templates.reset(w, "invitation", "en")
        db.session.commit()
        assert templates.template_for(w, "invitation", "en").source == "invitation.en.txt"
