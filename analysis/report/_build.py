"""Building the report: tables to CSV, and one self-contained, printable HTML page (templates/report.html)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from .. import panel as P
from .. import tables as T
from .._labels import check_language
from ..dataset import Dataset, load_dataset
from ..frame import SurveyFrame, as_frame, survey_frame
from ..io import atomic_write_text, csv_text
from ..official import reference_figures
from ._render import gettext, render
from ._svg import bar_chart

TABLES = {
    "response_rate": T.response_rate,
    "business_rate_by_training_category": T.business_rate_by_training_category,
    "sector_mix": T.sector_mix,
    "alignment_by_training_category": T.alignment_by_training_category,
    "started_after_training": T.started_after_training,
    "revenue_by_sector": T.revenue_by_sector,
    "training_category_by_sector": T.training_category_by_sector,
    "headline_estimates": T.headline_estimates,
    "weighting_summary": T.weighting_summary,
}
"""Table name (CSV file stem under ``tables/``) → function of :mod:`analysis.tables`."""

PANEL_TABLES = {
    "panel_status": P.panel_status,
    "status_transitions": P.status_transitions,
    "business_survival": P.business_survival,
    "new_business": P.new_business_between_waves,
    "waiting_time": P.waiting_time,
    "income_change": P.income_change,
    "incentive_use": P.incentive_use,
    "reference_figures": reference_figures,
}
"""Tables of the panel and tracer sections: name → function(dataset, lang=, options=) of
:mod:`analysis.panel` / :mod:`analysis.official` (they need the whole dataset, every wave)."""

REPORT_COLUMNS = (
    "pid", "status", "job_status", "side_business", "job_change", "business_description", "business_started",
    "business_training_link", "business_training", "business_revenue", "business_profit",
    # panel and tracer items (issue 11)
    *P.TRACER_QUESTIONS, "incentive_use",
)


@dataclass
class Report:
    """What :func:`build_report` wrote."""

    html: Path
    tables: dict[str, Path]
    seconds: float
    notes: list[str] = field(default_factory=list)


def build_report(dataset: Dataset | SurveyFrame | str | Path, out: str | Path, *, lang: str = "id") -> Report:
    """Write ``report.html`` and ``tables/*.csv`` for a research dataset.

    Parameters
    ----------
    dataset : Dataset or path
        A loaded dataset or the export directory (only the columns the report needs are read).
    out : str or pathlib.Path
        Output directory (created; existing report files are replaced).
    lang : {"id", "en"}
        Language of the page and of the tables' ``label`` columns.

    Returns
    -------
    Report

    Examples
    --------
    >>> import tempfile
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> work = tempfile.mkdtemp()
    >>> report = build_report(write_synthetic_dataset(work + "/ds", alumni=800, responses=400), work + "/out",
    ...                       lang="en")
    >>> report.html.name, sorted(report.tables)[:2]
    ('report.html', ['alignment_by_training_category', 'business_rate_by_training_category'])
    """
    import time

    started = time.perf_counter()
    check_language(lang)
    if isinstance(dataset, SurveyFrame):
        frame = as_frame(dataset, links=True)
    else:
        if not isinstance(dataset, Dataset):
            dataset = load_dataset(dataset, response_columns=REPORT_COLUMNS)
        frame = survey_frame(dataset)  # built, weighted and linked once for every table
    out = Path(out)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    results = {name: function(frame, lang=lang) for name, function in TABLES.items()}
    results["disagreements"] = T.disagreements(frame)
    whole = frame.dataset.whole
    for name, panel_function in PANEL_TABLES.items():
        results[name] = panel_function(whole, lang=lang, options=frame.options)
    written = {}
    for name, table in results.items():
        path = out / "tables" / f"{name}.csv"
        # Answers are untrusted: formula-like cells are neutralised for spreadsheets.
        atomic_write_text(path, csv_text(table))
        written[name] = path
    html = render(page_context(frame, results, lang), lang)
    atomic_write_text(out / "report.html", html)
    notes = list(dict.fromkeys(table.attrs["note"] for table in results.values()
                               if table.attrs.get("note") and table.empty))
    return Report(html=out / "report.html", tables=written, seconds=time.perf_counter() - started, notes=notes)


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]


def page_context(frame: SurveyFrame, results: dict[str, pd.DataFrame], lang: str) -> dict[str, Any]:
    """What the template shows: the tables as records, coverage counts, charts, diagnostics."""
    dataset = frame.dataset

    def _(message: str) -> str:
        return gettext(lang, message)

    r = frame.respondents
    business = r["runs_business"].eq(1)
    response = results["response_rate"]
    cats = response[response.level == "training_category"]
    b = results["business_rate_by_training_category"]
    mix = results["sector_mix"].copy()
    mix["example_list"] = [[e.strip() for e in str(x).split(" | ") if e.strip()] for x in mix["examples"]]
    sections = mix[mix.level == "section"]
    a = results["alignment_by_training_category"]
    h = results["headline_estimates"]
    measure = {"runs_business": _("Run a business (main or side)"),
               "in_line_by_map": _("Business in line with a training (sector map)"),
               "in_line_by_answer": _("Business related to a training (own answer)"),
               "started_after": _("Business started after the training")}
    weighted_legend = (_("weighted, 95% CI"), _("unweighted"))
    charts = {
        "response": bar_chart(cats["label"], cats["response_rate"], title=_("By training category")) if len(cats)
        else "",
        "business": bar_chart(b["label"], b["estimate"], lows=b["ci_low"].tolist(), highs=b["ci_high"].tolist(),
                              secondary=b["unweighted"].tolist(),
                              title=_("Alumni running a business, by training category"), legend=weighted_legend),
        "sections": bar_chart([f"{c} {lbl}" for c, lbl in zip(sections["code"], sections["label"])],
                              sections["estimate"], lows=sections["ci_low"].tolist(),
                              highs=sections["ci_high"].tolist(), title=_("KBLI sections")),
        "alignment": bar_chart(a["label"], a["map_estimate"], lows=a["map_ci_low"].tolist(),
                               highs=a["map_ci_high"].tolist(), secondary=a["own_estimate"].tolist(),
                               title=_("Alignment of businesses with trainings"),
                               legend=(_("Sector map"), _("Own answer"))),
        "weights": bar_chart([measure[m] for m in h["measure"]], h["estimate"], lows=h["ci_low"].tolist(),
                             highs=h["ci_high"].tolist(), secondary=h["unweighted"].tolist(),
                             title=_("How the weights changed the picture"), legend=weighted_legend),
    }
    w = results["weighting_summary"]
    margins = w[~w.margin.str.startswith("training_category=") | w.level.eq("yes")].copy()
    margins["margin"] = margins["margin"].str.replace("training_category=", "", regex=False)
    revenue = results["revenue_by_sector"]
    crosstab = results["training_category_by_sector"]
    crosstab = crosstab[crosstab.n >= 5].sort_values(["category", "lift"], ascending=[True, False])
    alignment = a.copy()
    if "map_category_estimate" not in alignment.columns:
        alignment["map_category_estimate"] = float("nan")
    panel, tracer, reference, panel_charts = panel_context(frame, results, lang)
    charts.update(panel_charts)
    return {
        "panel": panel,
        "tracer": tracer,
        "reference": reference,
        "css": CSS,
        "wave": dataset.wave,
        "created": str(dataset.manifest.get("created_at", "")),
        "built": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "synthetic": bool(dataset.manifest.get("synthetic")),
        "headline": _records(h),
        "response": {"overall": _records(response[response.level == "overall"]), "categories": _records(cats),
                     "provinces": _records(response[response.level == "province"])},
        "business": _records(b),
        "coverage": {"businesses": int(business.sum()), "coded": int((business & r["section"].notna()).sum()),
                     "review": int((business & r["code_status"].eq("review")).sum())},
        "sections": _records(sections),
        "divisions": _records(mix[mix.level == "division"]),
        "alignment": _records(alignment),
        "disagreements": _records(results["disagreements"]),
        "started": _records(results["started_after_training"]),
        "revenue": _records(revenue),
        "revenue_note": revenue.attrs.get("note", ""),
        "crosstab": _records(crosstab),
        "diagnostics": {str(k): v for k, v in w.attrs.get("diagnostics", {}).items()},
        "margins": _records(margins),
        # The charts escape every text they draw (see _svg.bar_chart).
        "charts": {name: Markup(svg) for name, svg in charts.items()},  # noqa: S704  # nosec B704
    }


def panel_context(frame: SurveyFrame, results: dict[str, pd.DataFrame], lang: str
                  ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, str]]:
    """The panel, tracer and reference-figure parts of the page context (and their charts)."""
    def _(message: str) -> str:
        return gettext(lang, message)

    whole = frame.dataset.whole
    status = results["panel_status"]
    transitions = results["status_transitions"]
    matrix = []
    if len(transitions):
        for _origin, rows in transitions.groupby("from_status", sort=False):
            cells = {r["to_status"]: r for r in _records(rows)}
            matrix.append({"label": rows["from_label"].iloc[0], "n": int(rows["n"].sum()),
                           "cells": [cells.get(target, {}) for target in P.TRACER_STATUSES]})
    survival = results["business_survival"]
    new_business = results["new_business"]
    charts: dict[str, str] = {}
    by_section = survival[survival["level"] == "section"] if len(survival) else survival
    if len(by_section):
        charts["survival"] = bar_chart(
            [f"{g} {lbl}" for g, lbl in zip(by_section["group"], by_section["label"])], by_section["estimate"],
            lows=by_section["ci_low"].tolist(), highs=by_section["ci_high"].tolist(),
            secondary=by_section["unweighted"].tolist(), title=_("Business survival by KBLI section"),
            legend=(_("weighted, 95% CI"), _("unweighted")))
    incentive = results["incentive_use"]
    if len(incentive):
        latest = incentive[incentive["wave"] == incentive["wave"].iloc[0]]
        charts["incentive"] = bar_chart(latest["label"], latest["estimate"], lows=latest["ci_low"].tolist(),
                                        highs=latest["ci_high"].tolist(), title=_("Use of the incentive"))
    linked = P.panel_frame(whole, frame.options)
    reason = ("" if linked.earlier is None else "no_earlier_respondents" if linked.earlier_frame is None
              else "none_followed" if linked.weights is None else "")
    panel = {
        "reason": reason,
        "earlier": whole.earlier_wave, "later": whole.wave, "note": status.attrs.get("note", "")
        or transitions.attrs.get("note", ""),
        "has_panel": bool(len(transitions) or len(survival)),
        "waves": [str(w["name"]) for w in whole.waves],
        "status": _records(status),
        "statuses": [P.status_label(s, lang) for s in P.TRACER_STATUSES],
        "transitions": matrix,
        "survival": _records(survival),
        "survival_note": survival.attrs.get("note", ""),
        "new_business": _records(new_business),
    }
    income = results["income_change"]
    waiting = results["waiting_time"]
    tracer = {"waiting": _records(waiting), "waiting_note": waiting.attrs.get("note", ""),
              "income": _records(income), "income_note": income.attrs.get("note", ""),
              "financial": whole.includes_financial,
              "incentive": _records(incentive), "incentive_note": incentive.attrs.get("note", "")}
    figures = results["reference_figures"]
    reference = {"rows": _records(figures), "note": figures.attrs.get("note", "")}
    return panel, tracer, reference, charts


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:60rem;
padding:0 1rem;color:#1d2530;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #2b6cb0;padding-bottom:.2rem;margin-top:2.2rem}
h3{margin-top:1.4rem}.muted{color:#5a6570;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.9rem}
th,td{border-bottom:1px solid #d6dbe0;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f6}table.compact td,table.compact th{padding:.15rem .4rem;font-size:.82rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:.8rem}
.card{border:1px solid #d6dbe0;border-radius:.4rem;padding:.7rem}.big{font-size:2rem;font-weight:700;color:#2b6cb0}
.flag{color:#b7791f}.hi{color:#276749;font-weight:700}.lo{color:#9b2c2c}
svg.chart{max-width:100%;margin:.5rem 0}svg .bar{fill:#90b4de}svg .ci{stroke:#1d2530;stroke-width:1.5}
svg .marker{stroke:#c05621;stroke-width:3}svg .grid{stroke:#e2e8f0}svg text{font-size:12px;fill:#1d2530}
svg .small{font-size:11px;fill:#5a6570}nav a{margin-right:.8rem}
@media print{body{margin:0;max-width:none;font-size:10pt}nav{display:none}section{break-inside:auto}
h2{break-after:avoid}table,svg,.card{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def read_tables(out: str | Path) -> dict[str, pd.DataFrame]:
    """Read back the CSV tables of a built report (name → DataFrame)."""
    folder = Path(out) / "tables"
    return {p.stem: pd.read_csv(p) for p in sorted(folder.glob("*.csv"))}
