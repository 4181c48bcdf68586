"""Synthetic respondents: plausible answers to any questionnaire, following its skip logic.

A simulated respondent walks the pages the engine shows them, answers every question that
applies with a value of the right type that satisfies its constraint, and stops early when
asked to (a partial response). Answers for the default questionnaire's key questions use
realistic distributions; business descriptions are real-looking alumni answers from seeds.
"""
from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey_app.questionnaire.definition import Question, Questionnaire
from survey_app.questionnaire.expressions import is_empty
from survey_app.questionnaire.forms import default_value
from survey_app.questionnaire.logic import Respondent, choices_for, each_of_items, question_applies
from survey_app.questionnaire.traversal import merge_page, walk

# Relative weights of choices for questions of the default questionnaire (others: uniform).
CHOICE_WEIGHTS: dict[str, dict[str, float]] = {
    "consent": {"yes": 0.96, "no": 0.04},
    "worked_last_week": {"yes": 0.72, "no": 0.28},
    "temp_absent": {"yes": 0.15, "no": 0.85},
    "job_status": {"1": 0.26, "2": 0.10, "3": 0.04, "4": 0.38, "5": 0.04, "6": 0.10, "7": 0.08},
    "job_change": {"same_as_before": 0.55, "new_job": 0.2, "new_business": 0.25},
    "side_business": {"yes": 0.25, "no": 0.75},
    "business_training_link": {"started_because": 0.3, "helped_existing": 0.35, "unrelated": 0.35},
    "satisfaction": {"5": 0.35, "4": 0.4, "3": 0.17, "2": 0.05, "1": 0.03},
    "recontact": {"yes": 0.8, "no": 0.2},
    "other_business_count": {"0": 0.8, "1": 0.15, "2": 0.05},
    # --- previous: tracer-standard items of the default questionnaire (issue 11)
    "first_work_timing": {"before": 0.5, "after": 0.32, "not_yet": 0.18},
    "skills_improved": {"yes": 0.89, "no": 0.11},
    "incentive_received": {"yes": 0.95, "no": 0.05},
}
FALLBACK_DESCRIPTIONS = (
    "jualan kopi dan gorengan di warung depan rumah",
    "jasa desain grafis logo dan banner untuk umkm lewat instagram",
    "jual frozen food di shopee dan whatsapp",
    "ternak lele di kolam terpal belakang rumah",
)


@dataclass(frozen=True)
class Profile:
    """Roster facts a synthetic respondent answers consistently with."""

    birth_year: int | None = None
    sex: str | None = None  # 'M' / 'F'
    province: str | None = None


def load_descriptions(seeds_dir: Path) -> tuple[str, ...]:
    """Business descriptions written like alumni answers (the labelled seed set)."""
    path = seeds_dir / "sectors" / "labelled_descriptions.csv"
    if not path.exists():
        return FALLBACK_DESCRIPTIONS
    with path.open(encoding="utf-8", newline="") as handle:
        texts = tuple(row["text"] for row in csv.DictReader(handle) if len(row.get("text", "")) >= 15)
    return texts or FALLBACK_DESCRIPTIONS


class SyntheticRespondent:
    """Answers a questionnaire like one plausible alumnus would."""

    def __init__(self, questionnaire: Questionnaire, respondent: Respondent, profile: Profile,
                 rng: random.Random, descriptions: tuple[str, ...]):
        self.questionnaire = questionnaire
        self.respondent = respondent
        self.profile = profile
        self.rng = rng
        self.descriptions = descriptions

    def answer(self, stop_after_pages: int | None = None, today: str = "2026-11-27") -> tuple[dict[str, Any], bool]:
        """Answers, page by page (each repeat instance is a page); returns (answers, complete).

        After every page the engine's walk cleans the answers and evaluates the calculates,
        exactly as a page save does, so what comes out is what the app would store.
        """
        answers: dict[str, Any] = {}
        seen: set[str] = set()
        while True:
            result = walk(self.questionnaire, answers, self.respondent)
            answers = result.answers
            pending = [v for v in result.visits if v.key not in seen]
            if not pending:
                return answers, True
            if stop_after_pages is not None and len(seen) >= stop_after_pages:
                return answers, False
            visit = pending[0]
            seen.add(visit.key)
            page_names = {q.name for q in visit.page.questions}
            scope = {k: v for k, v in visit.scope.items() if k not in page_names}  # answers from elsewhere
            page_answers: dict[str, Any] = {}
            for question in visit.page.questions:
                if not question.has_field or not question_applies(question, self.questionnaire, scope, self.respondent):
                    continue
                value = self._valid_value(question, scope, today)
                if not is_empty(value):
                    scope[question.name] = value
                    page_answers[question.name] = value
            answers = merge_page(answers, visit, page_answers, [])
            consent = self.questionnaire.consent
            if consent and answers.get(consent.question) not in (None, consent.accept):
                return {consent.question: answers[consent.question]}, True

    def _valid_value(self, question: Question, answers: dict[str, Any], today: str) -> Any:
        if question.default is not None and self.rng.random() < 0.8:
            value = default_value(question, answers)  # most people leave a pre-filled answer as it is
            if not is_empty(value) and (question.constraint is None
                                        or question.constraint.is_true(answers, current=value)):
                return value
        for _attempt in range(30):
            value = self._value(question, answers, today)
            if is_empty(value) or question.constraint is None:
                return value
            if isinstance(value, dict):
                if all(question.constraint.is_true(answers, current=v) for v in value.values()):
                    return value
            elif question.constraint.is_true(answers, current=value):
                return value
        return None  # no plausible value found: leave unanswered, as a real person might

    def _value(self, question: Question, answers: dict[str, Any], today: str) -> Any:
        if question.each_of:
            items = each_of_items(question, self.questionnaire, answers, self.respondent)
            return {item.name: self._single(question, answers, today) for item in items}
        return self._single(question, answers, today)

    def _single(self, question: Question, answers: dict[str, Any], today: str) -> Any:
        special: Callable | None = SPECIAL.get(question.name)
        if special is not None:
            value = special(self, answers)
            if value is not None:
                return value
        rng = self.rng
        if question.type == "select_one":
            return self._pick(question, answers)
        if question.type == "select_multiple":
            options = [c.name for c in choices_for(question, answers, self.respondent)]
            exclusive = [o for o in options if o == "none"]
            regular = [o for o in options if o != "none"]
            if exclusive and rng.random() < 0.12 or not regular:
                return exclusive[:1]
            return sorted(rng.sample(regular, k=min(len(regular), rng.choice([1, 1, 2, 2, 3]))),
                          key=options.index)
        if question.type == "integer":
            return rng.randint(0, 5)
        if question.type == "decimal":
            return round(rng.uniform(0, 10), 1)
        if question.type == "month_year":
            year = rng.randint(2019, int(today[:4]) - 1)
            return f"{year}-{rng.randint(1, 12):02d}"
        if question.type == "date":
            return f"{rng.randint(2019, int(today[:4]) - 1)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if question.type == "long_text":
            return rng.choice(self.descriptions)
        return rng.choice(["-", "tidak ada", "baik"])

    def _pick(self, question: Question, answers: dict[str, Any]) -> str | None:
        options = [c.name for c in choices_for(question, answers, self.respondent)]
        if not options:
            return None
        weights = CHOICE_WEIGHTS.get(question.name, {})
        return self.rng.choices(options, weights=[weights.get(o, 1.0 if not weights else 0.01) for o in options])[0]


def _lognormal(rng: random.Random, median: float, spread: float) -> int:
    return int(round(median * math.exp(rng.gauss(0, spread)), -3))


def _birth_year(self: SyntheticRespondent, answers) -> int | None:
    return self.profile.birth_year


def _sex(self: SyntheticRespondent, answers) -> str | None:
    return {"M": "male", "F": "female"}.get(self.profile.sex or "")


def _province(self: SyntheticRespondent, answers) -> str | None:
    return self.profile.province


def _revenue(self: SyntheticRespondent, answers) -> int:
    return _lognormal(self.rng, 4_000_000, 0.9)


def _profit(self: SyntheticRespondent, answers) -> int:
    revenue = answers.get("business_revenue") or 0
    if self.rng.random() < 0.08:
        return -_lognormal(self.rng, 300_000, 0.7)
    return int(round(revenue * self.rng.uniform(0.08, 0.45), -3))


def _wage(self: SyntheticRespondent, answers) -> int:
    return _lognormal(self.rng, 3_200_000, 0.45)


def _workers_paid(self: SyntheticRespondent, answers) -> int:
    if answers.get("job_status") == "3":
        return self.rng.randint(1, 6)
    return self.rng.choices([0, 1, 2], weights=[0.8, 0.15, 0.05])[0]


def _workers_unpaid(self: SyntheticRespondent, answers) -> int:
    return self.rng.choices([0, 1, 2], weights=[0.55, 0.35, 0.10])[0]


def _other_business_count(self: SyntheticRespondent, answers) -> int:
    return self.rng.choices([0, 1, 2], weights=[0.8, 0.15, 0.05])[0]


def _other_revenue(self: SyntheticRespondent, answers) -> int:
    return _lognormal(self.rng, 2_000_000, 0.9)


def _trainings_finished(self: SyntheticRespondent, answers) -> list[str]:
    codes = [t.code for t in self.respondent.trainings]
    kept = [c for c in codes if self.rng.random() < 0.92]
    return kept


def _job_change(self: SyntheticRespondent, answers) -> str | None:
    if answers.get("job_status") in ("1", "2", "3"):
        return self.rng.choices(["same_as_before", "new_business"], weights=[0.55, 0.45])[0]
    return self.rng.choices(["same_as_before", "new_job"], weights=[0.7, 0.3])[0]


# --- previous: tracer-standard items of the default questionnaire (issue 11)
def _months_to_first_work(self: SyntheticRespondent, answers) -> int:
    return min(120, int(self.rng.expovariate(1 / 5)))  # waiting time: most within months


def _income_before(self: SyntheticRespondent, answers) -> int:
    return 0 if self.rng.random() < 0.25 else _lognormal(self.rng, 2_000_000, 0.7)


def _income_now(self: SyntheticRespondent, answers) -> int:
    working = answers.get("worked_last_week") == "yes" or answers.get("temp_absent") == "yes"
    return _lognormal(self.rng, 2_800_000, 0.7) if working else 0


SPECIAL: dict[str, Callable[[SyntheticRespondent, dict], Any]] = {
    "months_to_first_work": _months_to_first_work, "income_before": _income_before,
    "income_now": _income_now,  # --- previous
    "birth_year": _birth_year, "sex": _sex, "province": _province,
    "business_revenue": _revenue, "business_profit": _profit, "wage": _wage,
    "workers_paid": _workers_paid, "workers_unpaid": _workers_unpaid,
    "trainings_finished": _trainings_finished, "job_change": _job_change,
    "other_business_count": _other_business_count, "other_business_revenue": _other_revenue,
    "other_business_workers_paid": _workers_unpaid,
}
