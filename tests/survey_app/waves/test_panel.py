"""survey_app.waves.panel: earlier waves, earlier answers and the panel status."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from survey_app.alumni.service import erase_answers
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.waves.panel import earlier_answers, earlier_waves, panel_status
from tests import factories
from tests.survey_app.questionnaire.conftest import SMALL_FORM


def answered(invitation, answers, *, submitted=True, declined=False):
    now = datetime.now(UTC)
    db.session.add(Response(invitation_id=invitation.id, answers=answers, language="id", started_at=now,
                            updated_at=now, submitted_at=now if submitted and not declined else None,
                            declined_at=now if declined else None))
    db.session.commit()


@pytest.fixture
def chain(app):
    """Waves w1 ← w2 ← w3 of a small questionnaire (inside an app context)."""
    with app.app_context():
        q = factories.make_questionnaire(SMALL_FORM)
        w1 = factories.make_wave(q.id, "w1")
        w2 = factories.make_wave(q.id, "w2")
        w2.follow_up_of = w1
        w3 = factories.make_wave(q.id, "w3")
        w3.follow_up_of = w2
        db.session.commit()
        yield w1, w2, w3


def test_earlier_waves_nearest_first(chain):
    w1, w2, w3 = chain
    assert earlier_waves(w3) == [w2, w1]
    assert earlier_waves(w1) == []


def test_earlier_waves_stops_on_a_hand_made_cycle(chain):
    w1, w2, w3 = chain
    w1.follow_up_of = w3  # the service refuses this; the database alone does not
    db.session.flush()
    assert earlier_waves(w3) == [w2, w1]


def test_earlier_answers_come_from_the_wave_followed_up(chain):
    w1, w2, w3 = chain
    person = factories.make_alumnus()
    invitation, _ = factories.make_invitation(w1, person, status="submitted")
    answered(invitation, {"business_description": "warung kopi"})

    assert earlier_answers(person.id, w2) == {"business_description": "warung kopi"}
    assert earlier_answers(person.id, w1) is None  # not a follow-up
    assert earlier_answers(person.id, w3) is None  # w3 follows up w2 only, where they have no answer


def test_partial_answers_count_declined_ones_do_not(chain):
    w1, w2, _ = chain
    partial, declined, uninvited, unstarted = (factories.make_alumnus() for _ in range(4))
    answered(factories.make_invitation(w1, partial, status="partial")[0], {"consent": "yes"}, submitted=False)
    answered(factories.make_invitation(w1, declined, status="declined")[0], {"consent": "no"}, declined=True)
    factories.make_invitation(w1, unstarted)

    assert earlier_answers(partial.id, w2) == {"consent": "yes"}
    assert earlier_answers(declined.id, w2) is None
    assert earlier_answers(uninvited.id, w2) is None
    assert earlier_answers(unstarted.id, w2) is None


def test_alumnus_erased_between_waves_has_no_earlier_answers(chain):
    w1, w2, _ = chain
    person = factories.make_alumnus()
    answered(factories.make_invitation(w1, person, status="submitted")[0], {"business_description": "salon"})
    factories.make_invitation(w2, person)

    erase_answers(person, "asked by phone")

    assert earlier_answers(person.id, w2) is None


def test_earlier_answers_is_one_query(app, chain):
    w1, w2, _ = chain
    person = factories.make_alumnus()
    answered(factories.make_invitation(w1, person, status="submitted")[0], {"x": 1})
    person_id, _ = person.id, w2.follow_up_of_id  # loaded before counting
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert earlier_answers(person_id, w2) == {"x": 1}
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1


def test_panel_status_counts_every_cell_by_group(chain):
    w1, w2, _ = chain
    it = factories.make_training(category="it")
    food = factories.make_training(category="food")

    def person(trainings, province, s1, s2):
        alumnus = factories.make_alumnus(trainings, province_code=province)
        if s1:
            factories.make_invitation(w1, alumnus, status=s1)
        if s2:
            factories.make_invitation(w2, alumnus, status=s2)

    person([it], "31", "submitted", "submitted")   # both
    person([it, food], "31", "submitted", "issued")  # W1 only (two categories)
    person([food], "32", "partial", "submitted")   # W2 only
    person([food], "32", "declined", None)         # neither
    person([food], "32", "submitted", "revoked")   # W1 only: a revoked link is not an answer
    person([food], "33", None, None)               # never invited: not counted

    status = panel_status(w2, {"31": "DKI Jakarta"}, {"it": "IT"})

    assert status.earlier == w1
    total = status.total
    assert (total.both, total.earlier_only, total.current_only, total.neither) == (1, 2, 1, 1)
    assert total.total == 5
    assert total.share("earlier_only") == pytest.approx(0.4)
    provinces = {g.label: (g.both, g.earlier_only, g.current_only, g.neither) for g in status.by_province}
    assert provinces == {"DKI Jakarta": (1, 1, 0, 0), "32": (0, 1, 1, 1)}
    categories = {g.label: (g.both, g.earlier_only, g.current_only, g.neither) for g in status.by_category}
    assert categories == {"IT": (1, 1, 0, 0), "food": (0, 2, 1, 1)}


def test_panel_status_of_a_wave_that_stands_alone_is_none(chain):
    assert panel_status(chain[0]) is None


def test_panel_status_without_any_respondent(chain):
    w1, w2, _ = chain
    status = panel_status(w2)
    assert status.total.total == 0
    assert status.total.share("both") is None
    assert status.by_province == []
