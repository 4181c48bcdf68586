"""Earlier answers for a follow-up wave: what ``${previous.<question>}`` reads.

--- previous (issue 11). A stand-in with the contract of ``survey_app.waves.panel.earlier_answers``
(PANEL_SPEC.md); once the branches meet, :func:`earlier_answers` can delegate to it. The
respondent service calls :func:`attach` once per request; nothing is queried for a wave that
is not a follow-up or a questionnaire that reads no earlier answer (the common case).
"""
from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Invitation, Response, Wave
from survey_app.questionnaire.logic import Respondent
from survey_app.questionnaire.previous import previous_names
from survey_app.questionnaire.service import compiled_questionnaire


def earlier_answers(alumnus_id: int, wave: Wave) -> dict[str, Any] | None:
    """The alumnus' answers in the wave ``wave`` follows up, or None.

    None when ``wave`` is not a follow-up, the person had no response there, declined it, or
    their answers were erased or their consent withdrawn since (erasure deletes the response
    and marks the invitations withdrawn). A partial response counts: what was answered is known.
    """
    if wave.follow_up_of_id is None:
        return None
    row = db.session.execute(
        select(Response.answers, Response.declined_at, Invitation.status)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(Invitation.wave_id == wave.follow_up_of_id, Invitation.alumnus_id == alumnus_id)
    ).first()
    if row is None or row.declined_at is not None or row.status in ("declined", "withdrawn"):
        return None
    return dict(row.answers or {})


def attach(respondent: Respondent, invitation: Invitation) -> Respondent:
    """``respondent`` with the earlier answers the questionnaire reads (and nothing else).

    Only the questions named in ``${previous.…}`` are kept, so neither the engine nor the page
    sent to the browser ever holds the rest of the earlier response.
    """
    wave = invitation.wave
    if wave.follow_up_of_id is None:
        return respondent
    wanted = previous_names(compiled_questionnaire(wave.questionnaire_id))
    if not wanted:
        return respondent
    earlier = earlier_answers(invitation.alumnus_id, wave) or {}
    kept = {name: earlier[name] for name in sorted(wanted) if name in earlier}
    return dataclasses.replace(respondent, previous=kept) if kept else respondent
