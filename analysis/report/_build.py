"""Building the report: tables to CSV, and one self-contained, printable HTML page."""
from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from pathlib import Path

import pandas as pd

from .. import tables as T
from .._labels import check_language
from ..dataset import Dataset, load_dataset
from ._svg import bar_chart
from ._text import DIAGNOSTICS, METHODS, t

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

REPORT_COLUMNS = (
    "pid", "status", "job_status", "side_business", "job_change", "business_description", "business_started",
    "business_training_link", "business_training", "business_revenue", "business_profit",
)


@dataclass
class Report:
    """What :func:`build_report` wrote."""

    html: Path
    tables: dict[str, Path]
    seconds: float
    notes: list[str] = field(default_factory=list)


def build_report(dataset: Dataset | str | Path, out: str | Path, *, lang: str = "id") -> Report:
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
    if not isinstance(dataset, Dataset):
        dataset = load_dataset(dataset, response_columns=REPORT_COLUMNS)
    out = Path(out)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    results = {name: function(dataset, lang=lang) for name, function in TABLES.items()}
    results["disagreements"] = T.disagreements(dataset)
    written = {}
    for name, table in results.items():
        path = out / "tables" / f"{name}.csv"
        _atomic_write(path, table.to_csv(index=False, lineterminator="\r\n"))
        written[name] = path
    html = _render(dataset, results, lang)
    _atomic_write(out / "report.html", html)
    notes = [table.attrs["note"] for table in results.values() if "note" in table.attrs and table.empty]
    return Report(html=out / "report.html", tables=written, seconds=time.perf_counter() - started, notes=notes)


def _atomic_write(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------ formatting --
def _pct(value, lang: str, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value * 100:.{digits}f}%"
    return text.replace(".", ",") if lang == "id" else text


def _num(value, lang: str, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u2009").replace(".", ",") if lang == "id" else text


def _ci(low, high, lang: str) -> str:
    return f"{_pct(low, lang)} – {_pct(high, lang)}"


def _n(n, small: bool, lang: str) -> str:
    flag = f' <span class="flag" title="{escape(t("small", lang))}">⚠</span>' if small else ""
    return f"{int(n) if not (isinstance(n, float) and math.isnan(n)) else 0}{flag}"


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _section(anchor: str, title: str, *content: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{"".join(content)}</section>'


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


# --------------------------------------------------------------------- sections --
def _headline(results, lang):
    h = results["headline_estimates"]
    cards = []
    for row in h.itertuples():
        base = t("of_alumni", lang) if row.measure == "runs_business" else t("of_businesses", lang)
        cards.append(f'<div class="card"><div class="big">{_pct(row.estimate, lang)}</div>'
                     f'<div>{escape(t(row.measure, lang))}</div>'
                     f'<div class="muted">{escape(t("ci", lang))} {_ci(row.ci_low, row.ci_high, lang)} · '
                     f'n = {_n(row.n, row.small, lang)} {escape(base)}</div></div>')
    return _section("headline", t("headline", lang), _p(t("headline_intro", lang)),
                    f'<div class="cards">{"".join(cards)}</div>')


def _response(results, lang):
    r = results["response_rate"]
    header = [t("group", lang), t("roster", lang), t("invited", lang), t("submitted", lang), t("partial", lang),
              t("declined", lang), t("rate", lang)]

    def rows(part):
        return [[escape(str(x.label)), _num(x.roster, lang), _num(x.invited, lang), _num(x.submitted, lang),
                 _num(x.partial, lang), _num(x.declined, lang), _pct(x.response_rate, lang)]
                for x in part.itertuples()]
    overall = r[r.level == "overall"]
    cats = r[r.level == "training_category"]
    provs = r[r.level == "province"]
    chart = bar_chart(cats["label"], cats["response_rate"], title=t("by_category", lang)) if len(cats) else ""
    return _section("response", t("response", lang), _p(t("response_intro", lang)), _table(header, rows(overall)),
                    f"<h3>{escape(t('by_category', lang))}</h3>", chart, _table(header, rows(cats)),
                    f"<h3>{escape(t('by_province', lang))}</h3>", _table(header, rows(provs), "compact"))


def _estimate_rows(table, lang, prefix=""):
    return [[escape(str(x["label"])), _pct(x[f"{prefix}estimate"], lang),
             _ci(x[f"{prefix}ci_low"], x[f"{prefix}ci_high"], lang),
             _n(x[f"{prefix}n"], bool(x[f"{prefix}small"]), lang), _pct(x[f"{prefix}unweighted"], lang)]
            for _i, x in table.iterrows()]


def _business_rate(results, lang):
    b = results["business_rate_by_training_category"]
    chart = bar_chart(b["label"], b["estimate"], lows=b["ci_low"].tolist(), highs=b["ci_high"].tolist(),
                      secondary=b["unweighted"].tolist(), title=t("business_rate", lang),
                      legend=(t("legend_weighted", lang), t("legend_unweighted", lang)))
    header = [t("group", lang), t("estimate", lang), t("ci", lang), "n", t("unweighted", lang)]
    return _section("business", t("business_rate", lang), _p(t("category_note", lang)), chart,
                    _table(header, _estimate_rows(b, lang)))


def _sectors(dataset, results, lang):
    mix = results["sector_mix"]
    sections = mix[mix.level == "section"]
    divisions = mix[mix.level == "division"]
    from .._survey import survey_data

    r = survey_data(dataset).respondents
    businesses = int(r["runs_business"].eq(1).sum())
    coded = int((r["runs_business"].eq(1) & r["section"].notna()).sum())
    review = int((r["runs_business"].eq(1) & r["code_status"].eq("review")).sum())
    coverage = f"{coded} / {businesses} " + t("coverage", lang).format(review=review)
    header = [t("sector", lang), t("estimate", lang), t("ci", lang), "n", t("examples", lang)]

    def rows(part, with_code):
        return [[escape(f"{x.code} · {x.label}" if with_code else str(x.label)), _pct(x.estimate, lang),
                 _ci(x.ci_low, x.ci_high, lang), _n(x.n, False, lang),
                 "<br>".join(f"“{escape(e.strip())}”" for e in str(x.examples).split(" | ") if e.strip())]
                for x in part.itertuples()]
    chart = bar_chart([f"{c} {lbl}" for c, lbl in zip(sections["code"], sections["label"])], sections["estimate"],
                      lows=sections["ci_low"].tolist(), highs=sections["ci_high"].tolist(),
                      title=t("sections", lang))
    return _section("sectors", t("sector_mix", lang), _p(coverage), f"<h3>{escape(t('sections', lang))}</h3>", chart,
                    _table(header, rows(sections, True)), f"<h3>{escape(t('divisions', lang))}</h3>",
                    _table(header, rows(divisions, True)))


def _alignment(results, lang):
    a = results["alignment_by_training_category"]
    header = [t("group", lang), t("businesses", lang), t("map", lang), t("ci", lang), t("map_category", lang),
              t("own", lang), t("ci", lang), t("map_only", lang), t("own_only", lang)]
    rows = [[escape(str(x["label"])), _n(x["businesses"], x["businesses"] < 30, lang), _pct(x["map_estimate"], lang),
             _ci(x["map_ci_low"], x["map_ci_high"], lang), _pct(x.get("map_category_estimate"), lang),
             _pct(x["own_estimate"], lang), _ci(x["own_ci_low"], x["own_ci_high"], lang), str(x["n_map_only"]),
             str(x["n_own_only"])] for _i, x in a.iterrows()]
    chart = bar_chart(a["label"], a["map_estimate"], lows=a["map_ci_low"].tolist(), highs=a["map_ci_high"].tolist(),
                      secondary=a["own_estimate"].tolist(), title=t("alignment", lang),
                      legend=(t("map", lang), t("own", lang)))
    d = results["disagreements"]
    drows = [[escape(t(x.agreement, lang)), str(x.n), _pct(x.share, lang)] for x in d.itertuples()]
    return _section("alignment", t("alignment", lang), _p(t("alignment_intro", lang)), chart, _table(header, rows),
                    f"<h3>{escape(t('disagreements', lang))}</h3>",
                    _table([t("agreement", lang), "n", t("share", lang)], drows))


def _started(results, lang):
    s = results["started_after_training"]
    header = [t("group", lang), t("either", lang), t("ci", lang), "n", t("by_date", lang), t("by_answer", lang)]
    rows = [[escape(str(x["label"])), _pct(x["either_estimate"], lang), _ci(x["either_ci_low"], x["either_ci_high"], lang),
             _n(x["either_n"], bool(x["either_small"]), lang), _pct(x["date_estimate"], lang),
             _pct(x["answer_estimate"], lang)] for _i, x in s.iterrows()]
    return _section("started", t("started", lang), _p(t("started_intro", lang)), _table(header, rows))


def _revenue(results, lang):
    rev = results["revenue_by_sector"]
    if rev.empty:
        return _section("revenue", t("revenue", lang), _p(rev.attrs.get("note", "")))
    header = [t("sector", lang), "n", t("median", lang) + " (Rp)", t("ci", lang), t("iqr", lang), t("profit", lang)]
    rows = [[escape(str(x.label)), _n(x.n, bool(x.small), lang), _num(x.median, lang),
             f"{_num(x.median_ci_low, lang)} – {_num(x.median_ci_high, lang)}",
             f"{_num(x.q1, lang)} – {_num(x.q3, lang)}", _num(x.profit_median, lang)] for x in rev.itertuples()]
    return _section("revenue", t("revenue", lang), _table(header, rows))


def _crosstab(results, lang):
    c = results["training_category_by_sector"]
    shown = c[c.n >= 5].sort_values(["category", "lift"], ascending=[True, False])
    rows = [[escape(str(x.category_label)), escape(f"{x.section} · {x.section_label}"), _n(x.n, bool(x.small), lang),
             _pct(x.share, lang), _pct(x.overall_share, lang),
             f'<span class="{"hi" if x.lift >= 1.5 else "lo" if x.lift <= 0.67 else ""}">{x.lift:.2f}</span>']
            for x in shown.itertuples()]
    header = [t("category", lang), t("sector", lang), "n", t("share", lang), t("share", lang) + " (∑)", t("lift", lang)]
    return _section("crosstab", t("crosstab", lang), _p(t("crosstab_intro", lang)), _table(header, rows, "compact"))


def _weights(results, lang):
    h = results["headline_estimates"]
    header = [t("estimate", lang), t("unweighted", lang), t("ci", lang), t("weighted", lang), t("ci", lang),
              t("difference", lang)]
    rows = [[escape(t(x.measure, lang)), _pct(x.unweighted, lang), _ci(x.unweighted_ci_low, x.unweighted_ci_high, lang),
             _pct(x.estimate, lang), _ci(x.ci_low, x.ci_high, lang),
             (f"{x.difference * 100:+.1f}" if not math.isnan(x.difference) else "–") + " pp"]
            for x in h.itertuples()]
    w = results["weighting_summary"]
    diag = w.attrs.get("diagnostics", {})
    drows = []
    for key, label in DIAGNOSTICS.items():
        value = diag.get(key)
        shown = (("✓" if value else "✗") if isinstance(value, bool) else
                 _num(value, lang, 0 if key in ("n", "population", "trimmed") else 2) if value is not None else "–")
        drows.append([escape(label[lang]), shown])
    plain = w[~w.margin.str.startswith("training_category=") | w.level.eq("yes")]
    mrows = [[escape(x.margin.replace("training_category=", "")), escape(str(x.label)), _num(x.respondents, lang),
              _pct(x.population_share, lang), _pct(x.unweighted_share, lang), _pct(x.weighted_share, lang)]
             for x in plain.itertuples()]
    mheader = [t("margin", lang), t("level", lang), "n", t("roster", lang), t("unweighted", lang), t("weighted", lang)]
    chart = bar_chart([t(m, lang) for m in h["measure"]], h["estimate"], lows=h["ci_low"].tolist(),
                      highs=h["ci_high"].tolist(), secondary=h["unweighted"].tolist(), title=t("weights", lang),
                      legend=(t("legend_weighted", lang), t("legend_unweighted", lang)))
    return _section("weights", t("weights", lang), _p(t("weights_intro", lang)), chart, _table(header, rows),
                    f"<h3>{escape(t('diagnostics', lang))}</h3>", _table(["", ""], drows),
                    f"<h3>{escape(t('margins', lang))}</h3>", _table(mheader, mrows, "compact"))


def _methods(lang):
    items = "".join(f"<li>{escape(text)}</li>" for text in METHODS[lang])
    return _section("methods", t("methods", lang), f"<ul>{items}</ul>", _p(t("tables_note", lang)))


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


def _render(dataset: Dataset, results: dict, lang: str) -> str:
    created = dataset.manifest.get("created_at", "")
    built = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    synthetic = f'<p class="muted">{escape(t("synthetic", lang))}</p>' if dataset.manifest.get("synthetic") else ""
    nav = "".join(f'<a href="#{a}">{escape(t(k, lang))}</a>' for a, k in (
        ("headline", "headline"), ("response", "response"), ("business", "business_rate"),
        ("sectors", "sector_mix"), ("alignment", "alignment"), ("started", "started"), ("revenue", "revenue"),
        ("crosstab", "crosstab"), ("weights", "weights"), ("methods", "methods")))
    body = "".join([
        _headline(results, lang), _response(results, lang), _business_rate(results, lang),
        _sectors(dataset, results, lang), _alignment(results, lang), _started(results, lang),
        _revenue(results, lang), _crosstab(results, lang), _weights(results, lang), _methods(lang)])
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(t('title', lang))}: {escape(dataset.wave)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{escape(t('title', lang))}</h1><p class=\"muted\">{escape(t('wave', lang))} "
            f"<strong>{escape(dataset.wave)}</strong> · {escape(t('made', lang))} {escape(str(created))} · {built}</p>"
            f"{synthetic}<nav>{nav}</nav></header>{body}</body></html>\n")


def read_tables(out: str | Path) -> dict[str, pd.DataFrame]:
    """Read back the CSV tables of a built report (name → DataFrame)."""
    folder = Path(out) / "tables"
    return {p.stem: pd.read_csv(p) for p in sorted(folder.glob("*.csv"))}
