"""`flask demo seed`: a ready-to-try survey with synthetic alumni, invitations and answers.

Runs the real import, wave and invitation services on generated files, so the demo also
exercises the production paths. Running it again does not duplicate anything: it only
prints fresh sample links (the database keeps token hashes, so old links cannot be shown).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from survey_app.accounts.passwords import generate_password, hash_password
from survey_app.accounts.service import create_user
from survey_app.demo.followup import FollowUpResult, business_owner_link, follow_up_wave, seed_follow_up
from survey_app.demo.responses import SyntheticRespondent, load_descriptions
from survey_app.demo.roster_data import load_reference, write_roster_csv
from survey_app.demo.roster_facts import roster_facts
from survey_app.extensions import db
from survey_app.invitations.service import issue_invitations
from survey_app.links import new_link
from survey_app.models import AdminUser, Invitation, Response, Wave
from survey_app.models.types import utcnow
from survey_app.questionnaire.logic import Respondent
from survey_app.questionnaire.service import compiled_questionnaire, latest_version, store_new_version
from survey_app.waves.service import WaveError, create_wave, find_wave

DEMO_WAVE = "demo"
DEMO_ADMIN = "admin@jejak.demo"
DEFAULT_QUESTIONNAIRE = "tracer_default"


@dataclass
class DemoResult:
    """What the seeding did and what to show the person who ran it."""

    created: bool
    alumni: int = 0
    invitations: int = 0
    submitted: int = 0
    partial: int = 0
    declined: int = 0
    admin_email: str = DEMO_ADMIN
    admin_password: str = ""
    links: list[str] = field(default_factory=list)
    links_file: Path | None = None
    # --- waves: the follow-up wave (issue 11)
    follow_up: FollowUpResult | None = None
    follow_up_link: tuple[str, str] | None = None  # (link, the business described in the demo wave)


def seed_demo(*, alumni: int, responses: int, seeds_dir: Path, work_dir: Path, base_url: str,
              seed: int = 2020, sample_links: int = 3) -> DemoResult:
    """Load the demo (once) and return an admin login and fresh sample links."""
    try:
        wave: Wave | None = find_wave(DEMO_WAVE)
    except WaveError:
        wave = None
    result = DemoResult(created=wave is None)
    if wave is None:
        questionnaire = latest_version(DEFAULT_QUESTIONNAIRE) or store_new_version(
            (seeds_dir / "questionnaires" / f"{DEFAULT_QUESTIONNAIRE}.yaml").read_text(encoding="utf-8"))
        _load_roster(alumni, seed, seeds_dir, work_dir)
        now = utcnow()
        wave = create_wave(DEMO_WAVE, str(questionnaire.id), opens_at=now - timedelta(days=21),
                           closes_at=now + timedelta(days=90))
        links_file = work_dir / f"demo-links-{now:%Y%m%d-%H%M%S-%f}.csv"
        issued = issue_invitations(db.engine, DEMO_WAVE, links_file, base_url=base_url, actor="demo")
        result.invitations, result.links_file = issued.issued, links_file
        result.alumni = alumni
        _answer(wave, responses, seed, seeds_dir, result)
    _follow_up(wave, result, seeds_dir=seeds_dir, work_dir=work_dir, base_url=base_url, seed=seed,
               newcomers=max(3, responses // 10), sample_links=sample_links)
    result.admin_password = _demo_admin()
    result.links = _fresh_links(wave, sample_links, base_url)
    return result


def _follow_up(wave: Wave, result: DemoResult, *, seeds_dir: Path, work_dir: Path, base_url: str, seed: int,
               newcomers: int, sample_links: int) -> None:
    """The follow-up wave (created once) and a link of a first-wave business owner to try."""
    result.follow_up = seed_follow_up(wave, seeds_dir=seeds_dir, work_dir=work_dir, base_url=base_url, seed=seed,
                                      newcomers=newcomers)
    follow_up = follow_up_wave()
    if follow_up is not None and sample_links:
        result.follow_up_link = business_owner_link(follow_up, base_url)


def _load_roster(alumni: int, seed: int, seeds_dir: Path, work_dir: Path) -> None:
    from survey_app.roster.importer import import_roster_files

    files = write_roster_csv(work_dir / "demo-roster", alumni, seed, load_reference(seeds_dir))
    report = import_roster_files(db.engine, alumni=files.alumni, enrollments=files.enrollments,
                                 trainings=files.trainings, strict=True, actor="demo")
    if not report.ok:
        raise RuntimeError(f"demo roster did not import cleanly: {report.errors[:3]}")


def _answer(wave: Wave, count: int, seed: int, seeds_dir: Path, result: DemoResult) -> None:
    """Synthetic answers for ``count`` invitations: mostly submitted, some partial."""
    # Reproducible synthetic demo answers, not a secret.
    rng = random.Random(seed + 1)  # noqa: S311  # nosec B311
    questionnaire = compiled_questionnaire(wave.questionnaire_id)
    descriptions = load_descriptions(seeds_dir)
    invitation_rows = db.session.execute(
        select(Invitation.id, Invitation.alumnus_id).where(Invitation.wave_id == wave.id)
        .order_by(Invitation.id)).all()
    chosen = rng.sample(invitation_rows, k=min(count, len(invitation_rows)))
    alumni_ids = [row.alumnus_id for row in chosen]
    profiles, trainings = roster_facts(alumni_ids)
    now = utcnow()
    for row in chosen:
        respondent = Respondent(tuple(trainings.get(row.alumnus_id, ())))
        person = SyntheticRespondent(questionnaire, respondent, profiles[row.alumnus_id], rng, descriptions)
        partial = rng.random() < 0.2
        answers, complete = person.answer(stop_after_pages=rng.randint(1, 6) if partial else None)
        started = now - timedelta(days=rng.uniform(0, 20), minutes=rng.uniform(0, 600))
        finished = started + timedelta(minutes=rng.uniform(4, 25))
        consent = questionnaire.consent
        declined = consent is not None and answers.get(consent.question) not in (None, consent.accept)
        roster = [[t.code, t.title, t.category] for t in respondent.trainings]
        response = Response(invitation_id=row.id, answers=answers, roster=roster,
                            language="id" if rng.random() < 0.93 else "en",
                            started_at=started, updated_at=finished,
                            submitted_at=finished if complete and not declined else None,
                            declined_at=finished if declined else None)
        db.session.add(response)
        status = "declined" if declined else "submitted" if complete else "partial"
        setattr(result, status, getattr(result, status) + 1)
        db.session.query(Invitation).filter(Invitation.id == row.id).update(
            {"status": status, "opened_at": started}, synchronize_session=False)
    db.session.commit()


def _demo_admin() -> str:
    """Create the demo admin, or give it a new password (the old one cannot be shown)."""
    password = generate_password()
    user = db.session.scalar(select(AdminUser).where(AdminUser.email == DEMO_ADMIN))
    if user is None:
        create_user(DEMO_ADMIN, "admin", password, actor="demo")
    else:
        user.password_hash = hash_password(password)
        user.session_generation += 1
        db.session.commit()
    return password


def _fresh_links(wave: Wave, count: int, base_url: str) -> list[str]:
    """New links for invitations nobody has started, so the demo can be answered from scratch."""
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.wave_id == wave.id, Invitation.status == "issued")
        .order_by(Invitation.id).limit(count)).all()
    links = []
    for invitation in invitations:
        # A resendable link (nonce + hash), like every issued link: a reminder can carry it.
        link = new_link()
        invitation.token_hash, invitation.token_nonce = link.token_hash, link.nonce
        links.append(f"{base_url.rstrip('/')}/s/{link.token}")
    db.session.commit()
    return links
