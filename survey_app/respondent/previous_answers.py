"""Earlier answers for a follow-up wave: what ``${previous.<question>}`` reads.

The answers themselves come from :func:`survey_app.waves.panel.earlier_answers`. The
respondent service calls :func:`attach` once per request; nothing is queried for a wave that
is not a follow-up or a questionnaire that reads no earlier answer (the common case).
"""
from __future__ import annotations

import dataclasses
from typing import Protocol

from survey_app.questionnaire.logic import Respondent
from survey_app.questionnaire.previous import previous_names
from survey_app.questionnaire.service import compiled_questionnaire
from survey_app.waves.panel import earlier_answers


class _Wave(Protocol):
    @property
    def questionnaire_id(self) -> int: ...
    @property
    def follow_up_of_id(self) -> int | None: ...


class _Link(Protocol):
    """What :func:`attach` reads of a link: an ORM invitation or the service's ``Link`` record."""

    @property
    def alumnus_id(self) -> int: ...
    @property
    def wave(self) -> _Wave: ...


def attach(respondent: Respondent, invitation: _Link) -> Respondent:
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
