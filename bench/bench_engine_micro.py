#!/usr/bin/env python3
"""The engine's own cost per survey GET and POST, without database, HTTP or load generator.

    python bench/bench_engine_micro.py [--loops 300] [--repeat 7]

Runs what the respondent views do with the default questionnaire's ``about`` page for a
respondent who has consented (the ``bench_survey_http.py`` situation), inside one test
request context: GET = decide the visible pages, build the page form, build the template
variables and render ``page.html``; POST = the same decisions, fill and validate the form
from posted data, merge and clean the answers and pick the next page. Each is timed
``--loops`` times, ``--repeat`` rounds; the *minimum* round is reported, which is the
measure least disturbed by other processes on a shared machine.

Works against the engine before issue 9 (``logic.visible_pages``/``clean_answers``) and
after it (``traversal.walk``), so both trees can be compared with the same script.
"""
from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from werkzeug.datastructures import MultiDict  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.questionnaire.builder import build_from_text  # noqa: E402
from survey_app.questionnaire.forms import build_page_form  # noqa: E402
from survey_app.questionnaire.logic import Respondent, RosterTraining  # noqa: E402
from survey_app.respondent import presenter  # noqa: E402

try:
    from survey_app.questionnaire import traversal
except ImportError:  # the engine before issue 9
    traversal = None  # type: ignore[assignment]  # the older engine has no traversal module

POSTED = {"birth_year": "1990", "sex": "female", "province": "31", "education": "bachelor"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    source = (REPO / "seeds" / "questionnaires" / "tracer_default.yaml").read_text(encoding="utf-8")
    questionnaire = build_from_text(source)
    respondent = Respondent((RosterTraining("TRN-A", "Barista Kopi Dasar", "food_beverage"),
                             RosterTraining("TRN-B", "Desain Grafis", "it")))
    answers = {"consent": "yes"}
    page = questionnaire.page("about")
    from flask import render_template

    def get_new():
        result = traversal.walk(questionnaire, answers, respondent)
        visit = result.visit("about")
        form = build_page_form(questionnaire, page, "id", visit.scope, respondent)
        return render_template("respondent/page.html", **presenter.page_context(
            token="t" * 24, questionnaire=questionnaire, walk=result, visit=visit, form=form,
            respondent=respondent, language="id", errors={}))

    def post_new():
        result = traversal.walk(questionnaire, answers, respondent)
        visit = result.visit("about")
        form = build_page_form(questionnaire, page, "id", visit.scope, respondent, formdata=MultiDict(POSTED))
        form.validate()
        assert form.collect(questionnaire, page, visit.scope, respondent, "id")
        after = traversal.walk(questionnaire, traversal.merge_page(answers, visit, form.answers, form.cleared),
                               respondent)
        return after.next_visit(visit)

    def get_old():
        from survey_app.questionnaire.traversal import visible_pages

        pages = visible_pages(questionnaire, answers, respondent)
        form = build_page_form(questionnaire, page, "id", answers, respondent)
        return render_template("respondent/page.html", **presenter.page_context(
            token="t" * 24, questionnaire=questionnaire, page=page, pages=pages, form=form, answers=answers,
            respondent=respondent, language="id", errors={}))

    def post_old():
        from survey_app.questionnaire.traversal import clean_answers, visible_pages

        pages = visible_pages(questionnaire, answers, respondent)
        assert page in pages
        form = build_page_form(questionnaire, page, "id", answers, respondent, formdata=MultiDict(POSTED))
        form.validate()
        assert form.collect(questionnaire, page, answers, respondent, "id")
        merged = {k: v for k, v in answers.items() if k not in {q.name for q in page.questions}}
        merged.update(form.answers)
        cleaned = clean_answers(questionnaire, merged, respondent)
        names = [p.name for p in visible_pages(questionnaire, cleaned, respondent)]
        return names[names.index("about") + 1]

    get, post = (get_new, post_new) if traversal is not None else (get_old, post_old)
    with app.test_request_context("/s/x/p/about"):
        html = get()
        assert 'name="birth_year"' in html and "Sulawesi" in html
        post()
        for name, func in (("GET ", get), ("POST", post)):
            rounds = timeit.repeat(func, number=args.loops, repeat=args.repeat)
            print(f"{name} engine work: {1000 * min(rounds) / args.loops:.3f} ms per request "
                  f"(min of {args.repeat} rounds of {args.loops}; median round "
                  f"{1000 * sorted(rounds)[len(rounds) // 2] / args.loops:.3f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
