"""The analysis frame of one dataset: roster people, respondents, derived variables, weights.

Built once per :class:`~analysis.dataset.Dataset` and memoised on it, so every table
function sees the same respondents, definitions and weights.  Definitions (also in
``docs/ANALYSIS.md``):

* **respondent**: a response with status ``submitted`` (partial and declined responses
  count as non-response);
* **frame**: the whole roster (``alumni.csv``), or only invited alumni with
  ``frame="invited"``;
* **runs a business**: ``job_status`` in 1, 2, 3 or ``side_business = 'yes'``;
* **age group** at the wave's year (manifest ``created_at``): <25, 25–34, 35–44, 45+;
* **training categories**: the categories of the person's roster trainings (a person can
  be in several);
* **started after training**: ``business_started`` later than the month of the person's
  earliest roster ``completed_at`` (``after_by_date``), or ``job_change = 'new_business'``
  (``after_by_answer``); ``started_after`` is either.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .weights import RakingResult, rake

AGE_BINS = [-np.inf, 25, 35, 45, np.inf]
AGE_LABELS = ["<25", "25-34", "35-44", "45+"]
BUSINESS_STATUSES = ("1", "2", "3")
DEFAULT_MARGINS = ("province", "sex", "age_group", "training_category", "cohort")
CODED_QUESTION = "business_description"
RESPONDENT_STATUSES = ("submitted",)

QUESTIONS = ("job_status", "side_business", "job_change", "business_description", "business_started",
             "business_training_link", "business_training", "business_revenue", "business_profit")


@dataclass
class SurveyData:
    """Everything the tables need, aligned by position.

    ``people``: the frame (one row per alumnus in it), with margin columns.
    ``respondents``: one row per respondent, with derived variables.
    ``categories``: boolean frame (respondents × training categories).
    ``weights``: the raking result for ``respondents``.
    ``links``: linkage rows for respondents with a business (index = respondents' index).
    """

    people: pd.DataFrame
    respondents: pd.DataFrame
    categories: pd.DataFrame
    people_categories: pd.DataFrame
    weights: RakingResult
    links: pd.DataFrame
    margins: tuple[str, ...]


def survey_data(dataset, *, frame: str = "roster", margins=DEFAULT_MARGINS, trim: float | None = 5.0,
                min_cell: int = 10, sector_map: pd.DataFrame | None = None) -> SurveyData:
    """The memoised analysis frame of ``dataset`` for these settings."""
    key = ("survey", frame, tuple(margins), trim, min_cell, id(sector_map))
    cached = dataset._cache.get(key)
    if cached is None:
        cached = dataset._cache[key] = _build(dataset, frame, tuple(margins), trim, min_cell, sector_map)
    return cached


def _build(dataset, frame: str, margins: tuple[str, ...], trim, min_cell: int, sector_map) -> SurveyData:
    from .linkage import _link

    alumni = dataset.alumni
    if frame not in ("roster", "invited"):
        raise ValueError("frame must be 'roster' or 'invited'")
    people = pd.DataFrame({
        "pid": alumni["pid"].astype(str).to_numpy(),
        "province": alumni["province"].to_numpy(),
        "sex": alumni["sex"].to_numpy(),
        "cohort": alumni["cohort"].to_numpy(),
        "invitation_status": alumni["invitation_status"].to_numpy(),
    })
    year = dataset.created_at.year
    people["age_group"] = pd.cut(year - alumni["birth_year"].to_numpy(dtype=float), AGE_BINS, right=False,
                                 labels=AGE_LABELS).astype("object")
    if frame == "invited":
        people = people.loc[people["invitation_status"].notna()].reset_index(drop=True)

    enrol = dataset.enrollments.merge(dataset.trainings[["code", "category"]], left_on="training_code",
                                      right_on="code", how="left")
    first_done = pd.to_datetime(enrol["completed_at"], errors="coerce").groupby(enrol["pid"]).min()
    categories = sorted(dataset.trainings["category"].dropna().unique())
    pid_index = pd.Index(people["pid"])
    people_categories = pd.DataFrame(False, index=people.index, columns=categories)
    pos = pid_index.get_indexer(enrol["pid"])
    ok = (pos >= 0) & enrol["category"].notna().to_numpy()
    matrix = np.zeros((len(people), len(categories)), dtype=bool)
    cat_pos = pd.Index(categories).get_indexer(enrol.loc[ok, "category"])
    matrix[pos[ok], cat_pos] = True
    people_categories = pd.DataFrame(matrix, index=people.index, columns=categories)
    for category in categories:
        people[f"training_category={category}"] = np.where(matrix[:, categories.index(category)], "yes", "no")

    responses = dataset.responses
    is_respondent = responses["status"].astype(str).isin(RESPONDENT_STATUSES).to_numpy()
    answers = {q: dataset.answers(q)[is_respondent].reset_index(drop=True) for q in QUESTIONS}
    respondent_pids = responses.loc[is_respondent, "pid"].astype(str).reset_index(drop=True)
    rpos = pid_index.get_indexer(respondent_pids)
    in_frame = rpos >= 0
    rpos = rpos[in_frame]
    respondents = people.iloc[rpos].reset_index(drop=True)
    for question, values in answers.items():
        respondents[question] = values[in_frame].reset_index(drop=True).astype("object")
    people["respondent"] = False
    people.loc[rpos, "respondent"] = True
    resp_categories = people_categories.iloc[rpos].reset_index(drop=True)

    _derive(respondents, dataset, first_done)

    rake_on = []
    for margin in margins:
        if margin == "training_category":
            rake_on += [f"training_category={c}" for c in categories]
        else:
            rake_on.append(margin)
    weights = rake(respondents, people, rake_on, trim=trim, min_cell=min_cell)
    respondents["weight"] = weights.weights

    business = respondents["runs_business"].eq(1).to_numpy()
    # Training lists only for business owners: a groupby over every roster person costs seconds.
    owners = enrol.loc[enrol["pid"].isin(respondents.loc[business, "pid"]), ["pid", "training_code"]]
    person_trainings: dict = {}
    for pid, code in owners.itertuples(index=False):
        person_trainings.setdefault(pid, []).append(code)
    links = respondents.loc[business, ["pid", "description", "section", "division", "code_status", "own_link",
                                       "own_trainings"]].copy()
    links = links.join(_link(links, person_trainings, dataset, sector_map))
    return SurveyData(people=people, respondents=respondents, categories=resp_categories,
                      people_categories=people_categories, weights=weights, links=links, margins=tuple(rake_on))


def _derive(respondents: pd.DataFrame, dataset, first_done: pd.Series) -> None:
    status = respondents["job_status"].astype("object")
    side = respondents["side_business"].astype("object")
    own_main = status.isin(BUSINESS_STATUSES)
    runs = np.where(own_main | side.eq("yes"), 1.0, np.where(status.notna() | side.notna(), 0.0, np.nan))
    respondents["runs_business"] = runs
    respondents["business_kind"] = np.where(own_main, "main", np.where(side.eq("yes"), "side", ""))
    respondents["description"] = respondents["business_description"].astype("object").fillna("")
    respondents["own_link"] = respondents["business_training_link"].astype("object")
    respondents["own_trainings"] = respondents["business_training"].astype("object").fillna("")

    codes = dataset.codes
    codes = codes.loc[codes["question"] == CODED_QUESTION].drop_duplicates("pid", keep="last")
    coded = respondents[["pid"]].merge(codes[["pid", "section", "division", "kbli5", "status"]], on="pid",
                                       how="left")
    business = runs == 1
    for column, target in (("section", "section"), ("division", "division"), ("kbli5", "kbli5"),
                           ("status", "code_status")):
        values = coded[column].to_numpy(dtype=object)
        respondents[target] = np.where(business & pd.notna(values), values, None)
    respondents["division"] = respondents["division"].map(lambda v: v.zfill(2) if isinstance(v, str) else v)

    started = pd.to_datetime(respondents["business_started"], format="%Y-%m", errors="coerce")
    first = respondents["pid"].map(first_done)
    first_month = pd.to_datetime(first).dt.to_period("M").dt.to_timestamp()
    after_date = np.where(started.notna() & first_month.notna(),
                          (started > first_month).astype(float), np.nan)
    after_answer = np.where(respondents["job_change"].eq("new_business"), 1.0,
                            np.where(respondents["job_change"].notna() & respondents["job_status"].isin(
                                BUSINESS_STATUSES), 0.0, np.nan))
    either = np.where((after_date == 1) | (after_answer == 1), 1.0,
                      np.where(np.isfinite(after_date) | np.isfinite(after_answer), 0.0, np.nan))
    for name, values in (("after_by_date", after_date), ("after_by_answer", after_answer),
                         ("started_after", either)):
        respondents[name] = np.where(business, values, np.nan)
    for money in ("business_revenue", "business_profit"):
        respondents[money] = pd.to_numeric(respondents[money], errors="coerce").where(business)
