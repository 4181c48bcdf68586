"""The report's tables, one function each, for notebooks and for the report.

Every function takes a :class:`~analysis.dataset.Dataset` (built into a survey frame with
the options ``frame``, ``trim`` and ``min_cell``) or a ready
:class:`~analysis.frame.SurveyFrame`, and returns a DataFrame.  Building one frame and
passing it to every table (as the report does) weights and links once.
Estimates are weighted with the raked non-response weights (see
:mod:`analysis.weights`), come with 95% confidence intervals (:mod:`analysis.estimates`)
and with the unweighted number of respondents ``n`` beside them; ``small`` flags
``n < 30``.  ``lang`` (``"id"`` or ``"en"``) chooses the language of ``label`` columns.
Definitions are in ``docs/ANALYSIS.md``.

Examples
--------
>>> import tempfile
>>> from analysis.dataset import load_dataset
>>> from analysis.synthetic import write_synthetic_dataset
>>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=3000, responses=1200, seed=4))
>>> table = business_rate_by_training_category(ds)
>>> list(table.columns[:6])
['group', 'label', 'estimate', 'ci_low', 'ci_high', 'n']
>>> table.loc[0, "group"], bool(table.loc[0, "ci_low"] < table.loc[0, "estimate"] < table.loc[0, "ci_high"])
('(all)', True)
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._labels import category_label, check_language, division_label, province_label, section_label
from .dataset import Dataset
from .estimates import weighted_median, weighted_proportion, weighted_quantile
from .frame import SurveyFrame, as_frame

ALL = "(all)"
ESTIMATE_COLUMNS = ["estimate", "ci_low", "ci_high", "n", "small", "se", "population", "unweighted"]
FINANCIAL_NOTE = ("The dataset was exported without financial answers (flask export dataset "
                  "--include-financial); revenue is not available.")
NO_REVENUE_NOTE = "No respondent of this wave gave a business revenue (the questionnaire may not ask it)."

__all__ = [
    "alignment_by_training_category", "business_rate_by_training_category", "disagreements",
    "headline_estimates", "response_rate", "revenue_by_sector", "sector_mix", "started_after_training",
    "training_category_by_sector", "weighting_summary",
]


def _share(y: np.ndarray, sd: SurveyFrame, domain: np.ndarray | None = None, prefix: str = "") -> dict[str, Any]:
    est = weighted_proportion(y, sd.raking(), domain=domain)
    raw = weighted_proportion(y, None, domain=domain)
    row = {"estimate": est.estimate, "ci_low": est.ci_low, "ci_high": est.ci_high, "n": est.n,
           "small": est.small, "se": est.se, "population": est.population, "unweighted": raw.estimate}
    return {f"{prefix}{k}": v for k, v in row.items()}


def _category_rows(sd: SurveyFrame, y: np.ndarray, lang: str, *, base: np.ndarray | None = None,
                   prefix: str = "") -> list[dict[str, Any]]:
    rows = [{"group": ALL, "label": category_label(ALL, lang), **_share(y, sd, base, prefix)}]
    for category in sd.categories.columns:
        domain = sd.categories[category].to_numpy()
        if base is not None:
            domain = domain & base
        rows.append({"group": category, "label": category_label(category, lang),
                     **_share(y, sd, domain, prefix)})
    return rows


def response_rate(data: Dataset | SurveyFrame, *, lang: str = "en",
        frame: str = "roster", trim: float | None = 5.0, min_cell: int = 10) -> pd.DataFrame:
    """Response rates overall, by training category and by province (unweighted counts).

    Columns: ``level`` (overall / training_category / province), ``group``, ``label``,
    ``roster`` (alumni in the roster), ``invited``, ``submitted``, ``partial``,
    ``declined``, ``no_answer`` (invited, never answered or withdrew), ``response_rate``
    (submitted / invited) and ``partial_rate``.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=500, responses=200))
    >>> t = response_rate(ds)
    >>> t.loc[0, "level"], int(t.loc[0, "roster"]), int(t.loc[0, "invited"])
    ('overall', 500, 500)
    """
    check_language(lang)
    sd = as_frame(data, frame=frame, trim=trim, min_cell=min_cell, weights=False)
    alumni = sd.dataset.alumni
    status = alumni["invitation_status"].astype("object")
    counts = pd.DataFrame({
        "roster": 1, "invited": status.notna().astype(int), "submitted": status.eq("submitted").astype(int),
        "partial": status.eq("partial").astype(int), "declined": status.eq("declined").astype(int),
    })
    counts["no_answer"] = counts["invited"] - counts["submitted"] - counts["partial"] - counts["declined"]
    rows = [{"level": "overall", "group": ALL, "label": category_label(ALL, lang), **counts.sum().to_dict()}]
    cats = sd.people_categories
    if len(cats) == len(alumni):  # frame == roster
        for category in cats.columns:
            mask = cats[category].to_numpy()
            rows.append({"level": "training_category", "group": category, "label": category_label(category, lang),
                         **counts[mask].sum().to_dict()})
    province = alumni["province"].astype("object").fillna("")
    for code, part in counts.groupby(province.to_numpy(), sort=True):
        rows.append({"level": "province", "group": code or "(missing)", "label": province_label(code, lang)
                     if code else "(missing)", **part.sum().to_dict()})
    table = pd.DataFrame(rows)
    number_columns = ["roster", "invited", "submitted", "partial", "declined", "no_answer"]
    table[number_columns] = table[number_columns].astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["response_rate"] = table["submitted"] / table["invited"].replace(0, np.nan)
        table["partial_rate"] = table["partial"] / table["invited"].replace(0, np.nan)
    return table


def business_rate_by_training_category(data: Dataset | SurveyFrame, *, lang: str = "en",
        frame: str = "roster", trim: float | None = 5.0, min_cell: int = 10) -> pd.DataFrame:
    """Share of alumni running a business (main or side), overall and by training category.

    A person counts in every category they took a training in.  ``unweighted`` is the
    plain share among respondents, for comparison.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=800, responses=400))
    >>> t = business_rate_by_training_category(ds)
    >>> bool(((t.estimate >= 0) & (t.estimate <= 1)).all())
    True
    """
    check_language(lang)
    sd = as_frame(data, frame=frame, trim=trim, min_cell=min_cell)
    y = sd.respondents["runs_business"].to_numpy(dtype=float)
    return pd.DataFrame(_category_rows(sd, y, lang))


def _examples(texts: pd.Series, limit: int = 3) -> str:
    candidates = texts[texts.str.len().between(8, 120)]
    if candidates.empty:
        candidates = texts
    ranked = candidates.value_counts(sort=True)
    picked = list(ranked.index[:limit])
    return " | ".join(str(t).replace("|", "/") for t in picked)


def sector_mix(data: Dataset | SurveyFrame, *, lang: str = "en", top_divisions: int = 10,
        frame: str = "roster", trim: float | None = 5.0, min_cell: int = 10) -> pd.DataFrame:
    """Sector mix of the businesses: KBLI sections and the top divisions, with example answers.

    Shares are among businesses with a KBLI code (``codes.csv``; automatic, awaiting
    review and manual codes alike).  ``examples`` holds up to three of the respondents'
    own descriptions (free text: escape before putting it in HTML).

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=800, responses=400))
    >>> mix = sector_mix(ds)
    >>> round(float(mix.loc[mix.level == "section", "estimate"].sum()), 6)
    1.0
    """
    check_language(lang)
    sd = as_frame(data, frame=frame, trim=trim, min_cell=min_cell)
    r = sd.respondents
    coded = r["runs_business"].eq(1).to_numpy() & r["section"].notna().to_numpy()
    rows = []
    for level, column, labeller in (("section", "section", section_label), ("division", "division", division_label)):
        values = r[column].where(coded)
        level_rows = []
        for code in sorted(values.dropna().unique()):
            y = np.where(coded, (values == code).astype(float), np.nan)
            level_rows.append({"level": level, "code": code, "label": labeller(code, lang), **_share(y, sd),
                               "examples": _examples(r.loc[(values == code).to_numpy(), "description"])})
        level_rows.sort(key=lambda row: -row["estimate"])
        if level == "division":
            level_rows = level_rows[:top_divisions]
        rows += level_rows
    columns = ["level", "code", "label", *ESTIMATE_COLUMNS, "examples"]
    return pd.DataFrame(rows, columns=columns)


def alignment_by_training_category(data: Dataset | SurveyFrame, *, lang: str = "en",
        frame: str = "roster", trim: float | None = 5.0, min_cell: int = 10) -> pd.DataFrame:
    """Share of businesses in line with a training taken, by the sector map and by the owner.

    For each training category (businesses of alumni who took a training in it) and
    overall: ``map_*`` — the business's KBLI division is in line with any training the
    person took (``seeds/training_sector_map.csv``); ``map_category_*`` — in line with a
    training *of this category*; ``own_*`` — the owner says the business was started
    because of, or helped by, the training.  ``n_map_only`` / ``n_own_only`` count the
    disagreements (unweighted).

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=800, responses=400))
    >>> t = alignment_by_training_category(ds)
    >>> {"map_estimate", "own_estimate", "n_map_only", "n_own_only"} <= set(t.columns)
    True
    """
    check_language(lang)
    sd = as_frame(data, frame=frame, trim=trim, min_cell=min_cell, links=True)
    r = sd.respondents
    n = len(r)
    links = sd.linked()
    category_of = dict(zip(sd.dataset.trainings["code"], sd.dataset.trainings["category"]))
    map_any = np.full(n, np.nan)
    own = np.full(n, np.nan)
    map_any[links.index] = links["in_line_by_map"].to_numpy(dtype=float)
    own[links.index] = links["own_related"].to_numpy(dtype=float)
    matched_cats = pd.Series("", index=range(n), dtype=object)
    matched_cats[links.index] = np.array([" ".join({category_of.get(c, "") for c in m.split()}) for m in
                                          links["matched_trainings"]], dtype=object)
    matched_sets = [set(c.split()) for c in matched_cats]
    agreement = pd.Series("", index=range(n), dtype=object)
    agreement[links.index] = links["agreement"].to_numpy()
    business = r["runs_business"].eq(1).to_numpy()
    rows = []
    for group in [ALL, *sd.categories.columns]:
        domain = business if group == ALL else business & sd.categories[group].to_numpy()
        row = {"group": group, "label": category_label(group, lang), "businesses": int(domain.sum())}
        row.update(_share(map_any, sd, domain, "map_"))
        if group != ALL:
            this = np.where(np.isfinite(map_any), np.fromiter((group in c for c in matched_sets), dtype=float,
                                                              count=n), np.nan)
            row.update(_share(this, sd, domain, "map_category_"))
        row.update(_share(own, sd, domain, "own_"))
        for label, key in (("both related", "n_both_related"), ("both unrelated", "n_both_unrelated"),
                           ("map only", "n_map_only"), ("own answer only", "n_own_only")):
            row[key] = int((domain & agreement.eq(label).to_numpy()).sum())
        rows.append(row)
    table = pd.DataFrame(rows)
    first = [c for c in table.columns if not c.startswith(("own_", "n_"))]
    return table[first + [c for c in table.columns if c not in first]]


def disagreements(data: Dataset | SurveyFrame, *,
        frame: str = "roster", trim: float | None = 5.0, min_cell: int = 10) -> pd.DataFrame:
    """Cross-table of the sector map against the owner's own answer (unweighted and weighted counts).

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=800, responses=400))
    >>> list(disagreements(ds).columns)
    ['agreement', 'n', 'weighted', 'share']
    """
    sd = as_frame(data, frame=frame, trim=trim, min_cell=min_cell, links=True)
    links = sd.linked()
    w = sd.respondents.loc[links.index, "weight"]
    table = pd.DataFrame({"agreement": links["agreement"], "weight": w})
    out = table.groupby("agreement").agg(n=("weight", "size"), weighted=("weight", "sum")).reset_index()
    order = {"both related": 0, "both unrelated": 1, "map only": 2, "own answer only": 3, "unknown": 4}
    out = out.sort_values("agreement", key=lambda s: s.map(order)).reset_index(drop=True)
    total = out["weighted"].sum()
    out["share"] = out["weighted"] / total if total else np.nan
    return out


def started_after_training(data: Dataset | SurveyFrame, *, lang: str = "en",
        frame: str = "roster", trim: float | None = 5.0, min_cell: int = 10) -> pd.DataFrame:
    """Share of businesses started after the owner's (first) training, by training category.

    ``date_*``: ``business_started`` later than the month of the earliest roster
    completion; ``answer_*``: the owner answered "a new business, started after the
    training" (asked only when the business is the main job); ``either_*``: either.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=800, responses=400))
    >>> "either_estimate" in started_after_training(ds).columns
    True
    """
    check_language(lang)
    sd = as_frame(data, frame=frame, trim=trim, min_cell=min_cell)
    r = sd.respondents
    business = r["runs_business"].eq(1).to_numpy()
    rows = []
    for group in [ALL, *sd.categories.columns]:
        domain = business if group == ALL else business & sd.categories[group].to_numpy()
        row = {"group": group, "label": category_label(group, lang), "businesses": int(domain.sum())}
        for prefix, column in (("either_", "started_after"), ("date_", "after_by_date"),
                               ("answer_", "after_by_answer")):
            row.update(_share(r[column].to_numpy(dtype=float), sd, domain, prefix))
        rows.append(row)
    return pd.DataFrame(rows)


def revenue_by_sector(data: Dataset | SurveyFrame, *, lang: str = "en",
        frame: str = "roster", trim: float | None = 5.0, min_cell: int = 10) -> pd.DataFrame:
    """Monthly business revenue (and profit) by KBLI section: weighted median with CI, and IQR.

    Needs a dataset exported with ``--include-financial``; otherwise the table is empty
    and ``table.attrs["note"]`` says why.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> path = write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=500, responses=200,
    ...                                include_financial=False)
    >>> t = revenue_by_sector(load_dataset(path))
    >>> len(t), "financial" in t.attrs["note"]
    (0, True)
    """
    check_language(lang)
    columns = ["section", "label", "n", "median", "median_ci_low", "median_ci_high", "q1", "q3", "iqr",
               "small", "profit_median", "profit_q1", "profit_q3"]
    sd = as_frame(data, frame=frame, trim=trim, min_cell=min_cell)
    r = sd.respondents
    revenue = r["business_revenue"].to_numpy(dtype=float)
    if not sd.dataset.includes_financial or not np.isfinite(revenue).any():
        table = pd.DataFrame(columns=columns)
        # A follow-up questionnaire may not ask revenue at all (panel, issue 11): say which.
        table.attrs["note"] = FINANCIAL_NOTE if not sd.dataset.includes_financial else NO_REVENUE_NOTE
        return table
    profit = r["business_profit"].to_numpy(dtype=float)
    sections = r["section"]
    rows = []
    groups = [ALL, *sorted(sections.dropna().unique())]
    for code in groups:
        domain = np.ones(len(r), bool) if code == ALL else (sections == code).to_numpy()
        est = weighted_median(revenue, sd.raking(), domain=domain)
        if est.n == 0:
            continue
        q1 = weighted_quantile(revenue, sd.raking().weights, 0.25, domain=domain)
        q3 = weighted_quantile(revenue, sd.raking().weights, 0.75, domain=domain)
        pdomain = domain & np.isfinite(profit)
        rows.append({"section": code, "label": section_label(code, lang), "n": est.n, "median": est.estimate,
                     "median_ci_low": est.ci_low, "median_ci_high": est.ci_high, "q1": q1, "q3": q3,
                     "iqr": q3 - q1, "small": est.small,
                     "profit_median": weighted_quantile(profit, sd.raking().weights, 0.5, domain=pdomain),
                     "profit_q1": weighted_quantile(profit, sd.raking().weights, 0.25, domain=pdomain),
                     "profit_q3": weighted_quantile(profit, sd.raking().weights, 0.75, domain=pdomain)})
    table = pd.DataFrame(rows, columns=columns)
    table.attrs["note"] = "Rupiah per month, as answered; weighted quantiles, Woodruff 95% CI for the median."
    return table


def training_category_by_sector(data: Dataset | SurveyFrame, *, lang: str = "en",
        frame: str = "roster", trim: float | None = 5.0, min_cell: int = 10) -> pd.DataFrame:
    """Businesses by training category × KBLI section: counts, shares and lift.

    ``n``: respondents; ``weighted``: estimated alumni; ``share``: the section's share
    among businesses of alumni who took the category; ``overall_share``: the section's
    share among all coded businesses; ``lift`` = share / overall_share (above 1: the
    category's alumni are over-represented in the section).

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=800, responses=400))
    >>> t = training_category_by_sector(ds)
    >>> bool((t.groupby("category")["share"].sum().round(6) == 1).all())
    True
    """
    check_language(lang)
    sd = as_frame(data, frame=frame, trim=trim, min_cell=min_cell)
    r = sd.respondents
    coded = r["runs_business"].eq(1).to_numpy() & r["section"].notna().to_numpy()
    w = r["weight"].to_numpy()
    section = r["section"]
    overall = pd.Series(w[coded]).groupby(section[coded].to_numpy()).sum()
    overall = overall / overall.sum() if len(overall) else overall
    rows = []
    for category in sd.categories.columns:
        mask = coded & sd.categories[category].to_numpy()
        if not mask.any():
            continue
        part = pd.DataFrame({"section": section[mask].to_numpy(), "w": w[mask]})
        agg = part.groupby("section").agg(n=("w", "size"), weighted=("w", "sum"))
        total = agg["weighted"].sum()
        for code, values in agg.iterrows():
            share = values["weighted"] / total
            rows.append({"category": category, "category_label": category_label(category, lang), "section": code,
                         "section_label": section_label(code, lang), "n": int(values["n"]),
                         "weighted": float(values["weighted"]), "share": share,
                         "overall_share": float(overall.loc[str(code)]),
                         "lift": share / float(overall.loc[str(code)]),
                         "small": int(values["n"]) < 30})
    return pd.DataFrame(rows, columns=["category", "category_label", "section", "section_label", "n", "weighted",
                                       "share", "overall_share", "lift", "small"])


def headline_estimates(data: Dataset | SurveyFrame, *, lang: str = "en",
        frame: str = "roster", trim: float | None = 5.0, min_cell: int = 10) -> pd.DataFrame:
    """The headline shares, weighted and unweighted side by side ("how weighting changed the picture").

    Rows: ``runs_business`` (all respondents), ``in_line_by_map``, ``in_line_by_answer``
    and ``started_after`` (among businesses).  ``difference`` = weighted − unweighted,
    in percentage points ×0.01.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=800, responses=400))
    >>> headline_estimates(ds)["measure"].tolist()
    ['runs_business', 'in_line_by_map', 'in_line_by_answer', 'started_after']
    """
    check_language(lang)
    sd = as_frame(data, frame=frame, trim=trim, min_cell=min_cell, links=True)
    r = sd.respondents
    n = len(r)
    map_any, own = np.full(n, np.nan), np.full(n, np.nan)
    map_any[sd.linked().index] = sd.linked()["in_line_by_map"].to_numpy(dtype=float)
    own[sd.linked().index] = sd.linked()["own_related"].to_numpy(dtype=float)
    measures = {"runs_business": r["runs_business"].to_numpy(dtype=float), "in_line_by_map": map_any,
                "in_line_by_answer": own, "started_after": r["started_after"].to_numpy(dtype=float)}
    rows = []
    for name, y in measures.items():
        weighted = weighted_proportion(y, sd.raking())
        raw = weighted_proportion(y, None)
        rows.append({"measure": name, "estimate": weighted.estimate, "ci_low": weighted.ci_low,
                     "ci_high": weighted.ci_high, "n": weighted.n, "small": weighted.small,
                     "unweighted": raw.estimate, "unweighted_ci_low": raw.ci_low, "unweighted_ci_high": raw.ci_high,
                     "difference": weighted.estimate - raw.estimate})
    return pd.DataFrame(rows)


def weighting_summary(data: Dataset | SurveyFrame, *, lang: str = "en",
        frame: str = "roster", trim: float | None = 5.0, min_cell: int = 10) -> pd.DataFrame:
    """Each raking margin level: roster share, unweighted and weighted respondent shares.

    ``table.attrs["diagnostics"]`` holds the weight diagnostics (range, Kish design
    effect, effective n, trimming) and ``attrs["collapsed"]`` the pooled levels.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=800, responses=400))
    >>> t = weighting_summary(ds)
    >>> bool((t.population_share - t.weighted_share).abs().max() < 1e-6)
    True
    """
    check_language(lang)
    sd = as_frame(data, frame=frame, trim=trim, min_cell=min_cell)
    table = sd.raking().margins.copy()
    labels = []
    for margin, level in zip(table["margin"], table["level"]):
        if margin == "province":
            labels.append(province_label(level, lang) if level[:1].isdigit() else level)
        elif margin.startswith("training_category="):
            labels.append(f"{category_label(margin.split('=', 1)[1], lang)}: {level}")
        else:
            labels.append(level)
    table.insert(2, "label", labels)
    table.attrs["diagnostics"] = dict(sd.raking().diagnostics, converged=sd.raking().converged,
                                      iterations=sd.raking().iterations, trim_rounds=sd.raking().trim_rounds)
    table.attrs["collapsed"] = sd.raking().collapsed
    return table
