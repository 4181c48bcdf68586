"""Tracking over time: the panel of a follow-up wave, attrition weights, and the tracer-study tables.

A follow-up wave (``W2``) asks the alumni of an earlier wave (``W1``) again.  Format 2 of the
research dataset carries both (``Dataset.waves``); this module links them by ``pid`` and
estimates what changed.

Attrition weights (``docs/ANALYSIS.md``, "Panel"): the W1 respondents, weighted with their
cross-sectional W1 weights (raked to the roster), estimate the whole roster.  Of them, only
some answer W2 — and who stays depends on what they told us in W1 (people whose business
closed, or who were looking for work, answer less).  :func:`attrition_weights` rakes the W1
respondents who also answered W2 (starting from their W1 weights) to the *weighted* margins of
all W1 respondents: the W1 tracer status, whether they ran a business and the KBLI section of
that business (their W1 answers), plus the roster margins of the cross-sectional weights.
Pooling of small levels and trimming are those of :func:`analysis.weights.rake`.

Estimates with these weights use the with-replacement linearised variance of
:mod:`analysis.estimates` *without* crediting the raking (plain weights, no calibration
residuals): the attrition margins are themselves estimates from W1, so treating them as known
would understate the variance.

The cross-sectional tracer tables (waiting time, incentive use, income before/now) work on
each wave of the chain that asked the question, with that wave's own cross-sectional weights.

Every table returns a DataFrame; an empty one carries ``attrs["note"]`` saying why (no
follow-up wave, an earlier wave without respondents, financial answers not exported, a
question not asked).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._labels import category_label, check_language, section_label
from .dataset import Dataset
from .estimates import Estimate, weighted_median, weighted_proportion, weighted_quantile
from .frame import RESPONDENT_STATUSES, FrameOptions, SurveyFrame, survey_frame
from .weights import RakingResult, rake

ALL = "(all)"
TRACER_STATUSES = ("working", "self_employed", "studying", "looking", "not_looking")
"""The five-way status of Indonesian tracer studies (``tracer_status``; see seeds/README.md)."""
EMPLOYEE_STATUSES = ("4", "5", "6", "7")
OWN_BUSINESS_STATUSES = ("1", "2", "3")
LOOKING = ("looking_for_work", "preparing_business", "both")
NO_BUSINESS = "(none)"
UNCODED = "(uncoded)"
PANEL_MARGINS = ("tracer_status", "business", "business_section")
"""The earlier wave's answers the attrition weights rake on (besides the roster margins)."""

STATUS_LABELS = {
    "working": {"id": "Bekerja", "en": "Working"},
    "self_employed": {"id": "Berwirausaha", "en": "Self-employed / entrepreneur"},
    "studying": {"id": "Melanjutkan studi", "en": "Further study"},
    "looking": {"id": "Tidak bekerja, mencari kerja", "en": "Not working, looking"},
    "not_looking": {"id": "Belum mencari kerja", "en": "Not yet looking"},
    "(missing)": {"id": "Tidak diketahui", "en": "Unknown"},
}
INCENTIVE_LABELS = {
    "daily_needs": {"id": "Kebutuhan sehari-hari", "en": "Daily needs"},
    "savings": {"id": "Tabungan", "en": "Savings"},
    "business_capital": {"id": "Modal usaha", "en": "Business capital"},
    "debt": {"id": "Membayar utang", "en": "Paying debt"},
    "other": {"id": "Lainnya", "en": "Other"},
}
NO_FOLLOW_UP = ("The dataset has no follow-up wave (wave {wave} follows no earlier wave up): there is no panel "
                "to analyse. Export a follow-up wave to get it.")
NO_EARLIER_RESPONDENTS = ("Wave {later} follows up wave {earlier}, but {earlier} has no respondents (submitted "
                          "questionnaires): nobody can be followed, so there are no panel estimates.")
NO_PANEL_RESPONDENTS = ("None of the {n} respondents of wave {earlier} answered the follow-up wave {later} yet: "
                        "no panel estimates.")
NOT_ASKED = "No wave of this dataset asked {question}."
FINANCIAL = ("The dataset was exported without financial answers (flask export dataset --include-financial); "
             "income is not available.")

__all__ = [
    "PanelFrame", "attrition_weights", "business_survival", "income_change", "incentive_use",
    "new_business_between_waves", "panel_frame", "panel_status", "status_transitions", "tracer_status",
    "waiting_time",
]


def source(data: Dataset | SurveyFrame, options: FrameOptions | None) -> tuple[Dataset, FrameOptions | None]:
    """The whole dataset and frame options of a table's argument (a dataset, or a survey frame of one)."""
    if isinstance(data, SurveyFrame):
        return data.dataset.whole, options or data.options
    if not isinstance(data, Dataset):
        raise TypeError(f"expected a Dataset or a SurveyFrame, got {type(data).__name__}")
    return data.whole, options


def status_label(code: Any, lang: str) -> str:
    """Label of a tracer status code in ``lang``."""
    return STATUS_LABELS.get(str(code), {}).get(lang, str(code))


# ---------------------------------------------------------------- weights --
def attrition_weights(earlier: pd.DataFrame, earlier_weights: ArrayLike, followed: ArrayLike,
                      margins: Sequence[str], *, trim: float | None = 5.0, min_cell: int = 10) -> RakingResult:
    """Weights for the earlier wave's respondents who answered the follow-up (attrition correction).

    The followed respondents start from their earlier weights and are raked so that, for each
    margin, their weighted counts equal the weighted counts of *all* earlier respondents.

    Parameters
    ----------
    earlier : pandas.DataFrame
        One row per respondent of the earlier wave, with a column per margin.
    earlier_weights : array-like
        Their weights (cross-sectional, raked to the roster).
    followed : array-like of bool
        Who also answered the follow-up wave.
    margins : sequence of str
        Columns to rake on (categorical; missing is its own level).
    trim, min_cell
        As in :func:`analysis.weights.rake`.

    Returns
    -------
    RakingResult
        Weights for the ``followed`` rows (in their order); they sum to the earlier weights' total.

    Examples
    --------
    >>> import pandas as pd
    >>> earlier = pd.DataFrame({"status": ["a"] * 6 + ["b"] * 4})
    >>> result = attrition_weights(earlier, [2.0] * 10, [1, 1, 1, 0, 0, 0, 1, 0, 0, 0], ["status"], min_cell=1)
    >>> result.weights.round(2).tolist()
    [4.0, 4.0, 4.0, 8.0]
    """
    followed = np.asarray(followed, dtype=bool)
    w = np.asarray(earlier_weights, dtype=float)
    if followed.shape != (len(earlier),) or w.shape != (len(earlier),):
        raise ValueError("earlier_weights and followed need one value per earlier respondent")
    sample = earlier.loc[followed]
    return rake(sample, earlier, list(margins), base_weights=w[followed], population_weights=w, trim=trim,
                min_cell=min_cell)


# --------------------------------------------------------- wave answers --
def tracer_status(answers: pd.DataFrame) -> pd.Series:
    """The five-way tracer status of respondents: the ``tracer_status`` answer, or derived.

    When the questionnaire had no ``tracer_status`` (older waves), it is derived as the
    questionnaire computes it: ``job_status`` 1–3 → ``self_employed``; 4–7 → ``working``;
    otherwise ``main_activity = school`` → ``studying``; ``job_search`` looking for work,
    preparing a business or both → ``looking``; anyone else → ``not_looking``.

    Examples
    --------
    >>> tracer_status(pd.DataFrame({"job_status": ["1", "4", None, None, None],
    ...                             "main_activity": [None, None, "school", None, None],
    ...                             "job_search": [None, None, None, "both", "neither"]})).tolist()
    ['self_employed', 'working', 'studying', 'looking', 'not_looking']
    """
    def column(name: str) -> pd.Series:
        if name in answers.columns:
            return answers[name].astype("object")
        return pd.Series(None, index=answers.index, dtype="object")

    job = column("job_status").astype(str)
    derived = np.select(
        [job.isin(OWN_BUSINESS_STATUSES).to_numpy(), job.isin(EMPLOYEE_STATUSES).to_numpy(),
         column("main_activity").eq("school").to_numpy(), column("job_search").isin(LOOKING).to_numpy()],
        ["self_employed", "working", "studying", "looking"], default="not_looking")
    given = column("tracer_status")
    fallback = pd.Series(pd.Categorical(derived), index=answers.index).astype("object")  # shared strings, not one each
    return given.where(given.isin(TRACER_STATUSES), fallback).rename("tracer_status")


TRACER_QUESTIONS = ("tracer_status", "job_status", "main_activity", "job_search", "side_business",
                    "business_still_running", "new_business", "first_work_timing", "months_to_first_work",
                    "income_before", "income_now", "skills_improved")
NUMERIC = ("months_to_first_work", "income_before", "income_now")


def wave_answers(frame: SurveyFrame) -> pd.DataFrame:
    """The tracer answers of a wave's respondents, aligned with ``frame.respondents``.

    One row per respondent (same order), columns :data:`TRACER_QUESTIONS` (object dtype;
    the numbers as floats), ``tracer_status`` filled in by :func:`tracer_status`, and one
    0/1 float column ``incentive_use=<use>`` per choice of ``incentive_use`` in the codebook.
    """
    dataset = frame.dataset
    key = ("wave_answers", dataset.wave, frame.options.frame)
    found = dataset.memo.get(key)
    if isinstance(found, pd.DataFrame) and len(found) == len(frame.respondents):
        return found
    responses = dataset.responses
    submitted = responses["status"].astype(str).isin(RESPONDENT_STATUSES).to_numpy()
    pids = responses.loc[submitted, "pid"].astype(str).to_numpy()
    position = pd.Index(pids).get_indexer(pd.Index(frame.respondents["pid"].astype(str)))
    columns: dict[str, Any] = {}
    for question in TRACER_QUESTIONS:
        values = _objects(dataset.answers(question)[submitted])
        if question in NUMERIC:
            values = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
        columns[question] = values[position]
    for item in incentive_items(dataset):
        name = dataset.column("incentive_use", item)
        raw = responses.loc[submitted, name] if name is not None else pd.Series(np.nan, index=range(len(pids)))
        columns[f"incentive_use={item}"] = pd.to_numeric(raw.astype("object"), errors="coerce").to_numpy(
            dtype=float)[position]
    answers = pd.DataFrame(columns, index=frame.respondents.index)
    answers["tracer_status"] = tracer_status(answers)
    dataset.memo[key] = answers
    return answers


def _objects(values: pd.Series) -> np.ndarray:
    """Values as an object array with None for missing (pd.NA cannot be compared in numpy)."""
    array = values.to_numpy(dtype=object)
    array[pd.isna(array)] = None
    return array


def incentive_items(dataset: Dataset) -> list[str]:
    """The choices of ``incentive_use`` that have a column in the dataset (codebook order)."""
    book = dataset.codebook
    rows = book[(book["question"] == "incentive_use") & book["item"].notna()]
    return [str(item) for item, var in zip(rows["item"], rows["variable"]) if var in dataset.responses.columns]


# ---------------------------------------------------------- panel frame --
@dataclass
class PanelFrame:
    """The earlier wave's respondents, whether they answered the follow-up, and their answers in both.

    ``earlier``/``later``: wave names (None when the dataset has no follow-up).
    ``earlier_frame``: the earlier wave's weighted survey frame (None without respondents).
    ``panel``: one row per earlier respondent: the margins, ``tracer_status``, ``business``
    (yes/no), ``business_section``, W1 answers, ``followed`` (answered the follow-up) and the
    follow-up answers prefixed ``later_``.  ``weights``: attrition weights of the followed
    rows (None when there are none).  ``note``: why there are no panel estimates, if so.
    """

    dataset: Dataset
    earlier: str | None
    later: str
    earlier_frame: SurveyFrame | None
    panel: pd.DataFrame
    weights: RakingResult | None
    margins: tuple[str, ...]
    note: str = ""

    @property
    def followed(self) -> np.ndarray:
        """Boolean mask over ``panel``: answered both waves."""
        if self.panel.empty:
            return np.zeros(0, dtype=bool)
        return self.panel["followed"].to_numpy(dtype=bool)

    def panel_weights(self) -> np.ndarray:
        """Attrition weights aligned with ``panel`` (0 for those who did not answer the follow-up)."""
        w = np.zeros(len(self.panel))
        if self.weights is not None:
            w[self.followed] = self.weights.weights
        return w


def _cross_section(dataset: Dataset, wave: str, options: FrameOptions) -> SurveyFrame | None:
    view = dataset.wave_view(wave)
    submitted = view.responses["status"].astype(str).isin(RESPONDENT_STATUSES)
    if not submitted.any():
        return None
    return survey_frame(view, options, links=False)


def panel_frame(dataset: Dataset, options: FrameOptions | None = None) -> PanelFrame:
    """Link the exported wave to the wave it follows up (memoised on the dataset for ``options``)."""
    options = options or FrameOptions()
    dataset = dataset.whole
    key = ("panel", options)
    found = dataset.memo.get(key)
    if isinstance(found, PanelFrame):
        return found
    result = _panel_frame(dataset, options)
    dataset.memo[key] = result
    return result


def _panel_frame(dataset: Dataset, options: FrameOptions) -> PanelFrame:
    later, earlier = dataset.wave, dataset.earlier_wave
    empty = pd.DataFrame()
    if earlier is None:
        return PanelFrame(dataset, None, later, None, empty, None, (), NO_FOLLOW_UP.format(wave=later))
    first = _cross_section(dataset, earlier, options)
    if first is None:
        return PanelFrame(dataset, earlier, later, None, empty, None, (),
                          NO_EARLIER_RESPONDENTS.format(earlier=earlier, later=later))
    r = first.respondents
    w1 = wave_answers(first)
    panel = r[["pid", *first.margins]].copy()
    panel["tracer_status"] = w1["tracer_status"].to_numpy()
    business = r["runs_business"].eq(1).to_numpy()
    panel["business"] = pd.Categorical.from_codes(business.astype(np.int64), categories=pd.Index(["no", "yes"]))
    section = r["section"].astype("object")
    panel["business_section"] = pd.Categorical(np.where(business, section.where(section.notna(), UNCODED).to_numpy(),
                                                        NO_BUSINESS))
    panel["section"] = section.where(pd.Series(business, index=section.index)).to_numpy(dtype=object)
    for column in ("income_now", "income_before", "months_to_first_work"):
        panel[column] = w1[column].to_numpy()
    panel["earlier_weight"] = r["weight"].to_numpy()

    view = dataset.wave_view(later)
    responses = view.responses
    submitted = responses["status"].astype(str).isin(RESPONDENT_STATUSES).to_numpy()
    later_pids = pd.Index(responses.loc[submitted, "pid"].astype(str))
    position = later_pids.get_indexer(pd.Index(panel["pid"].astype(str)))
    followed = position >= 0
    panel["followed"] = followed
    later_answers = pd.DataFrame({q: _objects(view.answers(q)[submitted]) for q in TRACER_QUESTIONS})
    later_answers["tracer_status"] = tracer_status(later_answers)
    later_answers["income_now"] = pd.to_numeric(later_answers["income_now"], errors="coerce")
    job = later_answers["job_status"].astype(str)
    runs = job.isin(OWN_BUSINESS_STATUSES) | later_answers["side_business"].eq("yes")
    later_answers["runs_business"] = runs.astype(float)
    for column in ("tracer_status", "business_still_running", "new_business", "income_now", "runs_business"):
        values = later_answers[column].to_numpy(dtype=object if column != "income_now" else float)
        taken = np.where(followed, position, 0)
        picked = values[taken] if len(values) else np.full(len(panel), None)
        missing: Any = np.nan if column == "income_now" else None
        panel[f"later_{column}"] = np.where(followed, picked, missing)
    margins = (*PANEL_MARGINS, *first.margins)
    if not followed.any():
        return PanelFrame(dataset, earlier, later, first, panel, None, margins,
                          NO_PANEL_RESPONDENTS.format(n=len(panel), earlier=earlier, later=later))
    weights = attrition_weights(panel, panel["earlier_weight"].to_numpy(), followed, margins,
                                trim=options.trim, min_cell=options.min_cell)
    return PanelFrame(dataset, earlier, later, first, panel, weights, margins)


def _empty(columns: Sequence[str], note: str) -> pd.DataFrame:
    table = pd.DataFrame(columns=list(columns))
    table.attrs["note"] = note
    return table


def _estimate_row(y: np.ndarray, w: np.ndarray, domain: np.ndarray) -> dict[str, Any]:
    est = weighted_proportion(y, w, domain=domain)
    raw = weighted_proportion(y, None, domain=domain)
    return {"estimate": est.estimate, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n,
            "small": est.small, "se": est.se, "population": est.population, "unweighted": raw.estimate}


# --------------------------------------------------------------- tables --
def panel_status(data: Dataset | SurveyFrame, *, lang: str = "en",
        options: FrameOptions | None = None) -> pd.DataFrame:
    """Who answered which wave: both, the earlier only, the follow-up only, neither (unweighted counts).

    Rows: overall, per training category (roster), and per earlier-wave tracer status
    (earlier respondents only: how many stayed).  ``retention`` = both / earlier respondents.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_panel
    >>> ds = load_dataset(write_synthetic_panel(tempfile.mkdtemp() + "/ds", alumni=1500, responses=800))
    >>> t = panel_status(ds)
    >>> row = t.iloc[0]
    >>> int(row.both + row.earlier_only + row.later_only + row.neither) == int(row.roster)
    True
    """
    check_language(lang)
    data, options = source(data, options)
    columns = ["level", "group", "label", "roster", "invited_later", "both", "earlier_only", "later_only",
               "neither", "retention"]
    data = data.whole
    pf = panel_frame(data, options)
    if pf.earlier is None:
        return _empty(columns, pf.note)
    inv = data.invitations
    answered = inv["invitation_status"].astype(str).isin(RESPONDENT_STATUSES).to_numpy()
    wave = inv["wave"].astype(str).to_numpy()
    pids = data.alumni["pid"].astype(str)
    first = pids.isin(set(inv.loc[answered & (wave == pf.earlier), "pid"])).to_numpy()
    second = pids.isin(set(inv.loc[answered & (wave == pf.later), "pid"])).to_numpy()
    invited = pids.isin(set(inv.loc[wave == pf.later, "pid"])).to_numpy()

    def row(level: str, group: str, label: str, mask: np.ndarray) -> dict[str, Any]:
        both = int((mask & first & second).sum())
        earlier_only = int((mask & first & ~second).sum())
        return {"level": level, "group": group, "label": label, "roster": int(mask.sum()),
                "invited_later": int((mask & invited).sum()), "both": both, "earlier_only": earlier_only,
                "later_only": int((mask & ~first & second).sum()), "neither": int((mask & ~first & ~second).sum()),
                "retention": both / (both + earlier_only) if both + earlier_only else np.nan}

    rows = [row("overall", ALL, category_label(ALL, lang), np.ones(len(pids), dtype=bool))]
    categories = _roster_categories(data)
    for category in categories.columns:
        rows.append(row("training_category", category, category_label(category, lang),
                        categories[category].to_numpy()))
    if not pf.panel.empty:
        status_of = dict(zip(pf.panel["pid"].astype(str), pf.panel["tracer_status"].astype(str)))
        statuses = pids.map(status_of).to_numpy(dtype=object)
        for status in TRACER_STATUSES:
            rows.append(row("earlier_status", status, status_label(status, lang), statuses == status))
    table = pd.DataFrame(rows, columns=columns)
    table.attrs["note"] = pf.note
    return table


def _roster_categories(data: Dataset) -> pd.DataFrame:
    enrol = data.enrollments.merge(data.trainings[["code", "category"]], left_on="training_code", right_on="code",
                                   how="left")
    categories = sorted(data.trainings["category"].dropna().unique())
    pos = pd.Index(data.alumni["pid"].astype(str)).get_indexer(pd.Index(enrol["pid"].astype(str)))
    ok = (pos >= 0) & enrol["category"].notna().to_numpy()
    matrix = np.zeros((len(data.alumni), len(categories)), dtype=bool)
    matrix[pos[ok], pd.Index(categories).get_indexer(enrol.loc[ok, "category"])] = True
    return pd.DataFrame(matrix, columns=categories)


def status_transitions(data: Dataset | SurveyFrame, *, lang: str = "en",
        options: FrameOptions | None = None) -> pd.DataFrame:
    """Tracer status in the earlier wave → status in the follow-up (attrition-weighted row shares).

    One row per (from, to) pair: ``n`` (panel respondents), ``weighted`` (estimated alumni),
    ``share`` = weighted share of ``to`` among those who were ``from`` in the earlier wave, with
    its 95% CI, and the ``unweighted`` share.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_panel
    >>> ds = load_dataset(write_synthetic_panel(tempfile.mkdtemp() + "/ds", alumni=1500, responses=800))
    >>> t = status_transitions(ds)
    >>> bool((t.groupby("from_status")["share"].sum().round(6) == 1).all())
    True
    """
    check_language(lang)
    data, options = source(data, options)
    columns = ["from_status", "from_label", "to_status", "to_label", "n", "weighted", "share", "ci_low", "ci_high",
               "small", "unweighted"]
    pf = panel_frame(data, options)
    if pf.weights is None:
        return _empty(columns, pf.note)
    p = pf.panel
    w = pf.panel_weights()
    before = p["tracer_status"].astype(str).to_numpy()
    after = p["later_tracer_status"].astype(object).to_numpy()
    known = pf.followed & pd.notna(after)
    rows = []
    for origin in TRACER_STATUSES:
        domain = known & (before == origin)
        if not domain.any():
            continue
        for target in TRACER_STATUSES:
            y = (after == target).astype(float)
            est = weighted_proportion(y, w, domain=domain)
            raw = weighted_proportion(y, None, domain=domain)
            rows.append({"from_status": origin, "from_label": status_label(origin, lang), "to_status": target,
                         "to_label": status_label(target, lang), "n": int((domain & (after == target)).sum()),
                         "weighted": float(w[domain & (after == target)].sum()), "share": est.estimate,
                         "ci_low": est.ci_low, "ci_high": est.ci_high, "small": est.small,
                         "unweighted": raw.estimate})
    return pd.DataFrame(rows, columns=columns)


def business_survival(data: Dataset | SurveyFrame, *, lang: str = "en",
        options: FrameOptions | None = None) -> pd.DataFrame:
    """Share of earlier-wave businesses still running at the follow-up, overall, by training category and sector.

    Domain: panel respondents who ran a business in the earlier wave and answered
    ``business_still_running``; survival = ``yes``.  Training categories are the owner's
    (roster); the sector is the KBLI section of the earlier business.  Attrition-weighted
    95% CIs, the unweighted estimate beside.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_panel
    >>> ds = load_dataset(write_synthetic_panel(tempfile.mkdtemp() + "/ds", alumni=1500, responses=800))
    >>> t = business_survival(ds)
    >>> t.loc[0, "group"], bool(0 < t.loc[0, "estimate"] < 1)
    ('(all)', True)
    """
    check_language(lang)
    data, options = source(data, options)
    columns = ["level", "group", "label", "estimate", "ci_low", "ci_high", "n", "small", "se", "population",
               "unweighted"]
    pf = panel_frame(data, options)
    if pf.weights is None or pf.earlier_frame is None:
        return _empty(columns, pf.note)
    p = pf.panel
    w = pf.panel_weights()
    still = p["later_business_still_running"].astype(object).to_numpy()
    y = np.where(still == "yes", 1.0, np.where(still == "no", 0.0, np.nan))
    base = pf.followed & p["business"].eq("yes").to_numpy()
    rows = [{"level": "overall", "group": ALL, "label": category_label(ALL, lang), **_estimate_row(y, w, base)}]
    categories = pf.earlier_frame.categories
    for category in categories.columns:
        rows.append({"level": "training_category", "group": category, "label": category_label(category, lang),
                     **_estimate_row(y, w, base & categories[category].to_numpy())})
    sections = p["section"].astype(object).to_numpy()
    for code in sorted({s for s in sections[base] if isinstance(s, str)}):
        rows.append({"level": "section", "group": code, "label": section_label(code, lang),
                     **_estimate_row(y, w, base & (sections == code))})
    table = pd.DataFrame(rows, columns=columns)
    table = table[table["n"] > 0].reset_index(drop=True)
    if table.empty:
        table.attrs["note"] = "No earlier-wave business owner answered business_still_running in the follow-up."
    return table


def new_business_between_waves(data: Dataset | SurveyFrame, *, lang: str = "en",
                               options: FrameOptions | None = None) -> pd.DataFrame:
    """Share of panel respondents who started a business between the waves (``new_business = yes``).

    Asked in the follow-up of those without an earlier business and of those whose business
    closed; rows: all of them, and each of the two groups.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_panel
    >>> ds = load_dataset(write_synthetic_panel(tempfile.mkdtemp() + "/ds", alumni=1500, responses=800))
    >>> new_business_between_waves(ds)["group"].tolist()
    ['(all)', 'no_earlier_business', 'business_closed']
    """
    check_language(lang)
    data, options = source(data, options)
    columns = ["group", "label", "estimate", "ci_low", "ci_high", "n", "small", "se", "population", "unweighted"]
    pf = panel_frame(data, options)
    if pf.weights is None:
        return _empty(columns, pf.note)
    p = pf.panel
    w = pf.panel_weights()
    answer = p["later_new_business"].astype(object).to_numpy()
    y = np.where(answer == "yes", 1.0, np.where(answer == "no", 0.0, np.nan))
    had = p["business"].eq("yes").to_numpy()
    closed = p["later_business_still_running"].astype(object).to_numpy() == "no"
    labels = {"id": ("Semua", "Tanpa usaha sebelumnya", "Usaha sebelumnya tutup"),
              "en": ("All", "No business in the earlier wave", "Earlier business closed")}[lang]
    rows = []
    for group, label, domain in ((ALL, labels[0], pf.followed), ("no_earlier_business", labels[1], pf.followed & ~had),
                                 ("business_closed", labels[2], pf.followed & had & closed)):
        rows.append({"group": group, "label": label, **_estimate_row(y, w, domain)})
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------- cross-sectional tables --
def _wave_frames(data: Dataset, options: FrameOptions | None) -> list[tuple[str, SurveyFrame]]:
    """Each wave of the chain that has respondents, with its cross-sectional frame."""
    options = options or FrameOptions()
    data = data.whole
    frames = []
    for entry in data.waves:
        frame = _cross_section(data, str(entry["name"]), options)
        if frame is not None:
            frames.append((str(entry["name"]), frame))
    return frames


def _median_row(y: np.ndarray, frame: SurveyFrame, domain: np.ndarray) -> dict[str, Any]:
    est: Estimate = weighted_median(y, frame.raking(), domain=domain)
    w = frame.raking().weights
    return {"median": est.estimate, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n, "small": est.small,
            "q1": weighted_quantile(y, w, 0.25, domain=domain), "q3": weighted_quantile(y, w, 0.75, domain=domain),
            "unweighted_median": weighted_quantile(y, None, 0.5, domain=domain)}


def waiting_time(data: Dataset | SurveyFrame, *, lang: str = "en",
        options: FrameOptions | None = None) -> pd.DataFrame:
    """Months from the end of training to the first job or business: weighted median, Woodruff 95% CI.

    For every wave that asked ``months_to_first_work`` (asked when ``first_work_timing =
    after``), overall and by training category, with the wave's cross-sectional weights;
    ``share_after`` / ``share_before`` / ``share_not_yet`` give the weighted split of
    ``first_work_timing`` (overall rows).

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_panel
    >>> ds = load_dataset(write_synthetic_panel(tempfile.mkdtemp() + "/ds", alumni=1500, responses=800))
    >>> t = waiting_time(ds)
    >>> bool((t.ci_low <= t["median"]).all() and (t["median"] <= t.ci_high).all())
    True
    """
    check_language(lang)
    data, options = source(data, options)
    columns = ["wave", "group", "label", "median", "ci_low", "ci_high", "n", "small", "q1", "q3",
               "unweighted_median", "share_before", "share_after", "share_not_yet"]
    rows = []
    for wave, frame in _wave_frames(data, options):
        answers = wave_answers(frame)
        months = answers["months_to_first_work"].to_numpy(dtype=float)
        if not np.isfinite(months).any():
            continue
        timing = answers["first_work_timing"].astype(object).to_numpy()
        asked = pd.notna(timing)
        shares = {f"share_{t}": weighted_proportion((timing == t).astype(float), frame.raking(), domain=asked).estimate
                  for t in ("before", "after", "not_yet")}
        everyone = np.ones(len(months), dtype=bool)
        rows.append({"wave": wave, "group": ALL, "label": category_label(ALL, lang),
                     **_median_row(months, frame, everyone), **shares})
        for category in frame.categories.columns:
            domain = frame.categories[category].to_numpy()
            if np.isfinite(months[domain]).any():
                rows.append({"wave": wave, "group": category, "label": category_label(category, lang),
                             **_median_row(months, frame, domain)})
    if not rows:
        return _empty(columns, NOT_ASKED.format(question="months_to_first_work"))
    table = pd.DataFrame(rows, columns=columns)
    table.attrs["note"] = "Months; weighted median with a Woodruff 95% CI, weighted quartiles."
    return table


def incentive_use(data: Dataset | SurveyFrame, *, lang: str = "en",
        options: FrameOptions | None = None) -> pd.DataFrame:
    """Weighted share of respondents who used the training incentive for each purpose (several allowed).

    For every wave that asked ``incentive_use``; domain: respondents who answered it.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_panel
    >>> ds = load_dataset(write_synthetic_panel(tempfile.mkdtemp() + "/ds", alumni=1500, responses=800))
    >>> t = incentive_use(ds)
    >>> t.loc[t.wave == "synthetic-w1", "use"].tolist()
    ['daily_needs', 'savings', 'business_capital', 'debt', 'other']
    """
    check_language(lang)
    data, options = source(data, options)
    columns = ["wave", "use", "label", "estimate", "ci_low", "ci_high", "n", "small", "se", "population",
               "unweighted"]
    rows = []
    for wave, frame in _wave_frames(data, options):
        answers = wave_answers(frame)
        items = [c.split("=", 1)[1] for c in answers.columns if c.startswith("incentive_use=")]
        if not items:
            continue
        values = answers[[f"incentive_use={i}" for i in items]].to_numpy(dtype=float)
        asked = np.isfinite(values).any(axis=1)
        if not asked.any():
            continue
        for i, item in enumerate(items):
            est = weighted_proportion(values[:, i], frame.raking(), domain=asked)
            raw = weighted_proportion(values[:, i], None, domain=asked)
            rows.append({"wave": wave, "use": item, "label": INCENTIVE_LABELS.get(item, {}).get(lang, item),
                         "estimate": est.estimate, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n,
                         "small": est.small, "se": est.se, "population": est.population, "unweighted": raw.estimate})
    if not rows:
        return _empty(columns, NOT_ASKED.format(question="incentive_use"))
    return pd.DataFrame(rows, columns=columns)


def skills_improved(data: Dataset | SurveyFrame, *, options: FrameOptions | None = None) -> pd.DataFrame:
    """Weighted share answering ``skills_improved = yes`` in each wave that asked it."""
    data, options = source(data, options)
    columns = ["wave", "estimate", "ci_low", "ci_high", "n", "small", "se", "population", "unweighted"]
    rows = []
    for wave, frame in _wave_frames(data, options):
        answer = wave_answers(frame)["skills_improved"].astype(object).to_numpy()
        y = np.where(answer == "yes", 1.0, np.where(answer == "no", 0.0, np.nan))
        if not np.isfinite(y).any():
            continue
        est = weighted_proportion(y, frame.raking())
        raw = weighted_proportion(y, None)
        rows.append({"wave": wave, "estimate": est.estimate, "ci_low": est.ci_low, "ci_high": est.ci_high,
                     "n": est.n, "small": est.small, "se": est.se, "population": est.population,
                     "unweighted": raw.estimate})
    if not rows:
        return _empty(columns, NOT_ASKED.format(question="skills_improved"))
    return pd.DataFrame(rows, columns=columns)


def income_change(data: Dataset | SurveyFrame, *, lang: str = "en",
        options: FrameOptions | None = None) -> pd.DataFrame:
    """Median change of monthly income (Rupiah) with a Woodruff 95% CI.

    ``between_waves``: ``income_now`` in the follow-up minus ``income_now`` in the earlier
    wave, for panel respondents who gave both (attrition weights); ``since_training``:
    ``income_now − income_before`` within each wave that asked both (that wave's
    cross-sectional weights).  ``share_increased`` is the weighted share whose income went up.
    Needs a dataset exported with ``--include-financial``.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_panel
    >>> ds = load_dataset(write_synthetic_panel(tempfile.mkdtemp() + "/ds", alumni=1500, responses=800))
    >>> income_change(ds)["measure"].unique().tolist()
    ['between_waves', 'since_training']
    """
    check_language(lang)
    data, options = source(data, options)
    columns = ["measure", "wave", "group", "label", "median", "ci_low", "ci_high", "n", "small", "q1", "q3",
               "unweighted_median", "share_increased", "share_increased_ci_low", "share_increased_ci_high"]
    if not data.includes_financial:
        return _empty(columns, FINANCIAL)
    rows = []
    pf = panel_frame(data, options)
    if pf.weights is not None and pf.earlier_frame is not None:
        p = pf.panel
        w = pf.panel_weights()
        change = p["later_income_now"].to_numpy(dtype=float) - p["income_now"].to_numpy(dtype=float)
        groups = [(ALL, category_label(ALL, lang), pf.followed)]
        groups += [(c, category_label(c, lang), pf.followed & pf.earlier_frame.categories[c].to_numpy())
                   for c in pf.earlier_frame.categories.columns]
        for group, label, domain in groups:
            if np.isfinite(change[domain]).any():
                rows.append({"measure": "between_waves", "wave": f"{pf.earlier}→{pf.later}", "group": group,
                             "label": label, **_change_row(change, w, domain)})
    for wave, frame in _wave_frames(data, options):
        answers = wave_answers(frame)
        change = answers["income_now"].to_numpy(dtype=float) - answers["income_before"].to_numpy(dtype=float)
        if not np.isfinite(change).any():
            continue
        w = frame.raking().weights
        groups = [(ALL, category_label(ALL, lang), np.ones(len(change), dtype=bool))]
        groups += [(c, category_label(c, lang), frame.categories[c].to_numpy()) for c in frame.categories.columns]
        for group, label, domain in groups:
            if np.isfinite(change[domain]).any():
                rows.append({"measure": "since_training", "wave": wave, "group": group, "label": label,
                             **_change_row(change, w, domain)})
    if not rows:
        return _empty(columns, NOT_ASKED.format(question="income_now (with income_before or in two waves)"))
    table = pd.DataFrame(rows, columns=columns)
    table.attrs["note"] = "Rupiah per month; weighted median with a Woodruff 95% CI."
    return table


def _change_row(change: np.ndarray, w: np.ndarray, domain: np.ndarray) -> dict[str, Any]:
    est = weighted_median(change, w, domain=domain)
    up = np.where(np.isfinite(change), (change > 0).astype(float), np.nan)
    share = weighted_proportion(up, w, domain=domain)
    return {"median": est.estimate, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n, "small": est.small,
            "q1": weighted_quantile(change, w, 0.25, domain=domain),
            "q3": weighted_quantile(change, w, 0.75, domain=domain),
            "unweighted_median": weighted_quantile(change, None, 0.5, domain=domain),
            "share_increased": share.estimate, "share_increased_ci_low": share.ci_low,
            "share_increased_ci_high": share.ci_high}
