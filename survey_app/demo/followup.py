"""The demo's follow-up wave: the demo wave's alumni asked again, with a known truth.

``flask demo seed`` creates wave ``demo_followup`` (questionnaire ``tracer_followup``, a
follow-up of the demo wave), invites the demo wave's respondents (``--only-respondents``)
plus a few newcomers (alumni who did not answer the first wave), and writes synthetic
answers in which

- **attrition depends on the first-wave answers**: who answers again depends on the work
  status then (:data:`RESPONSE_RATE`: the self-employed answer most, people without work
  least), so unweighted follow-up figures are biased, as in real panels;
- **business survival depends on sector and training**: whether the business described in
  the first wave still runs depends on its KBLI section (:data:`SURVIVAL_BY_SECTION`, the
  section of the labelled seed description the person gave) and rises for alumni of
  business-related training categories (:data:`TRAINING_BONUS`).

The answers walk the questionnaire through the engine like every synthetic response, so they
satisfy its skip logic and constraints; the engine reads ``${previous.*}`` from the
respondent's earlier answers.
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from survey_app.demo.responses import Profile, SyntheticRespondent, load_descriptions
from survey_app.demo.roster_facts import roster_facts
from survey_app.extensions import db
from survey_app.invitations.service import issue_invitations
from survey_app.links import new_link
from survey_app.models import Invitation, Response, Wave
from survey_app.models.types import utcnow
from survey_app.questionnaire.logic import Respondent, RosterTraining
from survey_app.questionnaire.service import compiled_questionnaire, latest_version, store_new_version
from survey_app.waves.panel import earlier_answers
from survey_app.waves.service import WaveError, create_wave, find_wave

FOLLOW_UP_WAVE = "demo_followup"
FOLLOW_UP_QUESTIONNAIRE = "tracer_followup"

# P(answering the follow-up) by first-wave main-job status (Sakernas job_status codes);
# "none" = not working in the first wave.
RESPONSE_RATE = {"1": 0.8, "2": 0.8, "3": 0.85, "4": 0.62, "5": 0.45, "6": 0.45, "7": 0.5, "none": 0.38}
NEWCOMER_RESPONSE_RATE = 0.35
# P(the first-wave business still runs) by KBLI section of its description (others: DEFAULT).
SURVIVAL_BY_SECTION = {"A": 0.84, "C": 0.74, "G": 0.64, "I": 0.52, "S": 0.7, "H": 0.72, "J": 0.8, "M": 0.8}
DEFAULT_SURVIVAL = 0.66
# Added to the survival probability for alumni with a training in one of these categories.
TRAINING_BONUS = {"sales_marketing": 0.1, "finance": 0.08, "management": 0.08, "food_beverage": 0.05}
PARTIAL_SHARE = 0.1


@dataclass
class FollowUpResult:
    """What seeding the follow-up wave did."""

    created: bool
    invitations: int = 0
    newcomers: int = 0
    submitted: int = 0
    partial: int = 0
    declined: int = 0
    links_files: list[Path] = field(default_factory=list)


def follow_up_wave() -> Wave | None:
    """The demo follow-up wave, if it was created."""
    try:
        return find_wave(FOLLOW_UP_WAVE)
    except WaveError:
        return None


def survival_probability(section: str | None, categories: set[str]) -> float:
    """The demo's true probability that a first-wave business still runs at the follow-up."""
    base = SURVIVAL_BY_SECTION.get(section or "", DEFAULT_SURVIVAL)
    return min(0.97, base + max((TRAINING_BONUS.get(c, 0.0) for c in categories), default=0.0))


def response_probability(earlier: dict[str, Any] | None) -> float:
    """The demo's true probability that a person answers the follow-up, from their first-wave answers."""
    if earlier is None:
        return NEWCOMER_RESPONSE_RATE
    return RESPONSE_RATE.get(str(earlier.get("job_status") or "none"), RESPONSE_RATE["none"])


def description_sections(seeds_dir: Path) -> dict[str, str]:
    """Labelled seed description → its KBLI section (the demo's sector truth)."""
    path = seeds_dir / "sectors" / "labelled_descriptions.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["text"]: row["section"] for row in csv.DictReader(handle) if row.get("section")}


class FollowUpRespondent(SyntheticRespondent):
    """A synthetic alumnus answering the follow-up consistently with their first-wave answers."""

    def __init__(self, *args, still_running: bool | None, earlier: dict[str, Any] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.still_running = still_running  # None: no earlier business
        self.earlier = earlier or {}

    def _single(self, question, answers: dict[str, Any], today: str) -> Any:
        value = self._follow_up_value(question.name, answers)
        return super()._single(question, answers, today) if value is None else value

    def _follow_up_value(self, name: str, answers: dict[str, Any]) -> Any:
        rng, running = self.rng, self.still_running
        if name == "business_still_running" and running is not None:
            return "yes" if running else "no"
        if name == "worked_last_week" and running:
            return "yes" if rng.random() < 0.95 else "no"
        if name == "temp_absent" and running:
            return "yes"
        if name == "job_status":
            if running:
                return rng.choices(["1", "2", "3"], weights=[0.6, 0.3, 0.1])[0]
            before = str(self.earlier.get("job_status") or "")
            if before in ("4", "5", "6", "7") and rng.random() < 0.7:
                return before  # most employees keep the kind of job they had
            if running is False:  # a closed business: mostly a job now, some start again
                return rng.choices(["1", "4", "6"], weights=[0.2, 0.55, 0.25])[0]
        if name == "new_business":
            return "yes" if rng.random() < (0.2 if running is False else 0.25) else "no"
        return None


def seed_follow_up(demo: Wave, *, seeds_dir: Path, work_dir: Path, base_url: str, seed: int,
                   newcomers: int) -> FollowUpResult:
    """Create the demo follow-up wave (once) with its invitations and synthetic answers."""
    if follow_up_wave() is not None:
        return FollowUpResult(created=False)
    questionnaire = latest_version(FOLLOW_UP_QUESTIONNAIRE) or store_new_version(
        (seeds_dir / "questionnaires" / f"{FOLLOW_UP_QUESTIONNAIRE}.yaml").read_text(encoding="utf-8"))
    now = utcnow()
    wave = create_wave(FOLLOW_UP_WAVE, str(questionnaire.id), opens_at=now - timedelta(days=7),
                       closes_at=now + timedelta(days=120), follow_up_of=demo.name)
    result = FollowUpResult(created=True)
    stamp = f"{now:%Y%m%d-%H%M%S-%f}"
    panel = issue_invitations(db.engine, wave.name, work_dir / f"demo-followup-links-{stamp}.csv",
                              base_url=base_url, actor="demo", only_respondents=True)
    result.links_files.append(panel.path)
    if newcomers:
        fresh = issue_invitations(db.engine, wave.name, work_dir / f"demo-followup-newcomer-links-{stamp}.csv",
                                  base_url=base_url, actor="demo", limit=newcomers)
        result.newcomers = fresh.issued
        result.links_files.append(fresh.path)
    result.invitations = panel.issued + result.newcomers
    _answer_follow_up(wave, seeds_dir, seed, result)
    return result


def _answer_follow_up(wave: Wave, seeds_dir: Path, seed: int, result: FollowUpResult) -> None:

    # Reproducible synthetic demo answers, not a secret.
    rng = random.Random(seed + 2)  # noqa: S311  # nosec B311
    questionnaire = compiled_questionnaire(wave.questionnaire_id)
    descriptions = load_descriptions(seeds_dir)
    sections = description_sections(seeds_dir)
    rows = db.session.execute(select(Invitation.id, Invitation.alumnus_id)
                              .where(Invitation.wave_id == wave.id).order_by(Invitation.id)).all()
    profiles, trainings = roster_facts([row.alumnus_id for row in rows])
    now = utcnow()
    # The demo has a few hundred people: one indexed look-up each is fine here.
    for row in rows:
        earlier = earlier_answers(row.alumnus_id, wave)
        if rng.random() >= response_probability(earlier):
            continue  # attrition: no answer in the follow-up (the link stays unopened)
        person_trainings: list[RosterTraining] = trainings.get(row.alumnus_id, [])
        description = (earlier or {}).get("business_description")
        still_running = None
        if description:
            chance = survival_probability(sections.get(description), {t.category for t in person_trainings})
            still_running = rng.random() < chance
        respondent = Respondent(tuple(person_trainings), previous=earlier or {})
        person = FollowUpRespondent(questionnaire, respondent, profiles.get(row.alumnus_id, Profile()), rng,
                                    descriptions, still_running=still_running, earlier=earlier)
        partial = rng.random() < PARTIAL_SHARE
        answers, complete = person.answer(stop_after_pages=rng.randint(1, 3) if partial else None)
        started = now - timedelta(days=rng.uniform(0, 6), minutes=rng.uniform(0, 600))
        finished = started + timedelta(minutes=rng.uniform(3, 15))
        consent = questionnaire.consent
        declined = consent is not None and answers.get(consent.question) not in (None, consent.accept)
        db.session.add(Response(invitation_id=row.id, answers=answers,
                                roster=[[t.code, t.title, t.category] for t in person_trainings],
                                language="id" if rng.random() < 0.93 else "en", started_at=started,
                                updated_at=finished, submitted_at=finished if complete and not declined else None,
                                declined_at=finished if declined else None))
        status = "declined" if declined else "submitted" if complete else "partial"
        setattr(result, status, getattr(result, status) + 1)
        db.session.query(Invitation).filter(Invitation.id == row.id).update(
            {"status": status, "opened_at": started}, synchronize_session=False)
    db.session.commit()


def business_owner_link(wave: Wave, base_url: str) -> tuple[str, str] | None:
    """A fresh follow-up link of someone who described a business in the first wave and has
    not opened the follow-up yet, with that description; None when there is nobody."""
    earlier_invitation = db.session.query(Invitation).filter(
        Invitation.wave_id == wave.follow_up_of_id, Invitation.status == "submitted").subquery()
    candidates = db.session.execute(
        select(Invitation, Response.answers)
        .join(earlier_invitation, earlier_invitation.c.alumnus_id == Invitation.alumnus_id)
        .join(Response, Response.invitation_id == earlier_invitation.c.id)
        .where(Invitation.wave_id == wave.id, Invitation.status == "issued")
        .order_by(Invitation.id)).all()
    for invitation, answers in candidates:
        description = (answers or {}).get("business_description")
        if description:
            link = new_link()  # resendable, like every issued link
            invitation.token_hash, invitation.token_nonce = link.token_hash, link.nonce
            db.session.commit()
            return f"{base_url.rstrip('/')}/s/{link.token}", description
    return None
