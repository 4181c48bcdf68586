"""Synthetic research datasets with a known truth, for examples, tests and benchmarks.

:func:`write_synthetic_dataset` writes a directory in the ``jejak-dataset`` format
(``docs/DATASET.md``) without the web app: a roster drawn from the seed catalogue and
provinces, 1–3 trainings per person, and answers whose response propensity and business
rate depend on age, sex, province and training category (so unweighted estimates are
biased and weighting helps).  Business descriptions are real-looking answers from
``seeds/sectors/labelled_descriptions.csv``, coded with their labelled KBLI codes; about
half of the businesses are in a sector in line with one of the person's trainings.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .linkage import load_sector_map, training_divisions
from .resources import labelled_csv_path, seeds_dir

_MONEY = ("business_revenue", "business_profit", "wage", "income_before", "income_now")


def synthetic_population(alumni: int, *, seed: int = 0, trainings: pd.DataFrame | None = None) -> dict[str, Any]:
    """Draw a roster with its truth: people, enrollments and each person's business status.

    Returns a dict with ``people`` (DataFrame: pid, province, sex, birth_year, cohort, age,
    first_category, propensity, runs_business), ``enrollments`` and ``trainings``.

    Examples
    --------
    >>> pop = synthetic_population(1000, seed=3)
    >>> len(pop["people"]), bool(0.2 < pop["people"]["runs_business"].mean() < 0.6)
    (1000, True)
    """
    rng = np.random.default_rng(seed)
    seeds = seeds_dir()
    catalogue = pd.read_csv(seeds / "trainings.csv", dtype=str, keep_default_na=False) \
        if trainings is None else trainings
    categories = pd.read_csv(seeds / "training_categories.csv", dtype={"code": str})
    provinces = pd.read_csv(seeds / "provinces.csv", dtype={"code": str})
    n = alumni
    pid = np.char.add("P", np.char.zfill(np.arange(n).astype(str), 15))
    province = rng.choice(provinces["code"].to_numpy(), size=n, p=provinces["population_weight"] /
                          provinces["population_weight"].sum())
    sex = np.where(rng.random(n) < 0.52, "M", "F")
    age = np.clip(rng.gamma(4.0, 5.0, n) + 18, 18, 64).astype(int)
    birth_year = 2026 - age
    cohort = np.char.add("G", np.char.zfill(rng.integers(1, 31, n).astype(str), 2))

    share = categories.set_index("code")["popularity"]
    cat_codes = share.index.to_numpy()
    per_person = rng.choice([1, 2, 3], size=n, p=[0.3, 0.4, 0.3])
    owner = np.repeat(np.arange(n), per_person)
    enrol_cat = rng.choice(cat_codes, size=owner.size, p=(share / share.sum()).to_numpy())
    by_cat = {c: catalogue.loc[catalogue["category"] == c, "code"].to_numpy() for c in cat_codes}
    codes = np.empty(owner.size, dtype=object)
    for c, pool in by_cat.items():
        mask = enrol_cat == c
        if len(pool):
            codes[mask] = rng.choice(pool, size=int(mask.sum()))
    done = pd.Timestamp("2020-04-01") + pd.to_timedelta(rng.integers(0, 1340, owner.size), unit="D")
    enrollments = pd.DataFrame({"pid": pid[owner], "training_code": codes,
                                "completed_at": done.strftime("%Y-%m-%d")}).dropna(subset=["training_code"])
    first_cat = pd.Series(enrol_cat).groupby(owner).first().reindex(range(n)).to_numpy()
    has_food = pd.Series(enrol_cat == "food_beverage").groupby(owner).any().reindex(range(n)).to_numpy()
    java = np.isin(province, ["31", "32", "33", "34", "35", "36"])
    # Truth: business more common with age, among men, food/beverage trainees, outside Java.
    logit_b = -1.1 + 0.03 * (age - 30) + 0.25 * (sex == "M") + 0.9 * has_food + 0.3 * (~java)
    runs_business = rng.random(n) < 1 / (1 + np.exp(-logit_b))
    # Response propensity: younger, women, Java and IT/sales trainees answer more.
    logit_r = (-0.2 - 0.045 * (age - 30) + 0.35 * (sex == "F") + 0.5 * java
               + 0.4 * np.isin(first_cat, ["it", "sales_marketing"]) - 0.5 * has_food)
    propensity = 1 / (1 + np.exp(-logit_r))
    people = pd.DataFrame({"pid": pid, "province": province, "sex": sex, "birth_year": birth_year,
                           "cohort": cohort, "age": age, "first_category": first_cat,
                           "propensity": propensity, "runs_business": runs_business})
    return {"people": people, "enrollments": enrollments, "trainings": catalogue}


def write_synthetic_dataset(out: str | Path, *, alumni: int = 2000, responses: int = 800, seed: int = 0,
                            include_financial: bool = True, wide: bool = False) -> Path:
    """Write a synthetic ``jejak-dataset`` directory and return its path.

    Parameters
    ----------
    out : str or pathlib.Path
        Directory to create (parents too); existing dataset files are replaced.
    alumni, responses : int
        Roster size and number of responses (about 85% submitted, 12% partial, 3% declined).
    seed : int
    include_financial : bool, default True
        Write ``business_revenue`` and ``business_profit``.
    wide : bool, default False
        Also write one ``training_usefulness`` column per training (as the real export
        does), for realistic file sizes in benchmarks.

    Examples
    --------
    >>> import tempfile
    >>> path = write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=300, responses=120, seed=2)
    >>> sorted(p.name for p in path.iterdir())[:3]
    ['alumni.csv', 'codebook.csv', 'codes.csv']
    """
    rng = np.random.default_rng(seed + 7)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pop = synthetic_population(alumni, seed=seed)
    people, enrollments, catalogue = pop["people"], pop["enrollments"], pop["trainings"]
    n = len(people)
    responses = min(responses, n)
    # Efraimidis–Spirakis: sampling without replacement with probability ∝ propensity.
    keys = rng.random(n) ** (1.0 / people["propensity"].to_numpy())
    chosen = np.sort(np.argpartition(-keys, responses - 1)[:responses]) if responses else np.array([], int)
    status = rng.choice(["submitted", "partial", "declined"], size=responses, p=[0.85, 0.12, 0.03])
    invitation = np.full(n, "issued", dtype=object)
    invitation[chosen] = status
    alumni_table = people[["pid", "province", "sex", "birth_year", "cohort"]].assign(invitation_status=invitation)

    resp = people.iloc[chosen].reset_index(drop=True)
    complete = status == "submitted"
    answered = status != "declined"
    m = responses
    business = resp["runs_business"].to_numpy() & complete
    main_business = business & (rng.random(m) < 0.6)
    job_status = np.where(main_business, rng.choice(["1", "2", "3"], size=m, p=[0.65, 0.25, 0.10]),
                          rng.choice(["4", "5", "6", "7", ""], size=m, p=[0.5, 0.05, 0.12, 0.08, 0.25]))
    job_status = np.where(complete, job_status, "")
    side = np.where(complete & ~np.isin(job_status, ["1", "2", "3"]), np.where(business, "yes", "no"), "")
    job_change = np.where(np.isin(job_status, ["1", "2", "3"]),
                          rng.choice(["same_as_before", "new_business"], size=m, p=[0.55, 0.45]),
                          np.where(job_status != "", rng.choice(["same_as_before", "new_job"], size=m), ""))

    labelled = pd.read_csv(labelled_csv_path(), dtype=str, keep_default_na=False)
    divisions_of = training_divisions(catalogue, load_sector_map())
    taken = enrollments.groupby("pid", sort=False)["training_code"].agg(list)
    first_done = pd.to_datetime(enrollments["completed_at"]).groupby(enrollments["pid"]).min()
    pools = {code: np.flatnonzero(labelled["division"].isin(divs).to_numpy()) for code, divs in divisions_of.items()}
    all_rows = np.arange(len(labelled))
    desc_row = np.full(m, -1)
    in_line = np.zeros(m, dtype=bool)
    biz_idx = np.flatnonzero(business)
    want_in_line = rng.random(biz_idx.size) < 0.5
    for k, i in enumerate(biz_idx):
        codes = taken.get(resp.at[i, "pid"], [])
        pool = pools.get(codes[0]) if codes else None
        if want_in_line[k] and pool is not None and pool.size:
            desc_row[i] = rng.choice(pool)
            in_line[i] = True
        else:
            desc_row[i] = rng.choice(all_rows)
    description = np.where(desc_row >= 0, labelled["text"].to_numpy()[np.maximum(desc_row, 0)], "")
    link_p_related = np.where(in_line, 0.8, 0.35)
    related = rng.random(m) < link_p_related
    link = np.where(business, np.where(related, np.where(rng.random(m) < 0.5, "started_because",
                                                          "helped_existing"), "unrelated"), "")
    own_training = np.where(related & business, [" ".join(taken.get(p, [])[:1]) for p in resp["pid"]], "")
    first = resp["pid"].map(first_done)
    offset = rng.integers(-36, 30, m)
    started = (first.dt.to_period("M") + np.where(job_change == "new_business", np.abs(offset) + 1, offset))
    started = np.where(business, started.astype(str), "")
    revenue = np.where(business, np.round(np.exp(rng.normal(15.3, 1.0, m)), -3), np.nan)
    profit = np.where(business, np.round(revenue * rng.uniform(-0.1, 0.45, m), -3), np.nan)

    def blank(values: Any, mask: np.ndarray) -> np.ndarray:
        return np.where(mask, values, "")

    data = {
        "pid": resp["pid"], "wave": "synthetic", "status": status,
        "language": rng.choice(["id", "en"], size=m, p=[0.93, 0.07]),
        "started_at": "2026-10-01T08:00:00Z", "submitted_at": blank("2026-10-01T08:20:00Z", complete),
        "consent": np.where(status == "declined", "no", "yes"),
        "birth_year": blank(resp["birth_year"].astype(str), answered),
        "sex": blank(np.where(resp["sex"] == "M", "male", "female"), answered),
        "province": blank(resp["province"], answered),
        "trainings_finished": blank([" ".join(taken.get(p, [])) for p in resp["pid"]], answered),
    }
    usefulness = {}
    if wide:
        for code in catalogue["code"]:
            usefulness[f"training_usefulness__{code.replace('-', '_')}"] = (code, np.full(m, "", dtype=object))
        for row, pid in enumerate(resp["pid"]):
            if answered[row]:
                for code in taken.get(pid, []):
                    usefulness[f"training_usefulness__{code.replace('-', '_')}"][1][row] = str(rng.integers(1, 5))
        data.update({name: values for name, (_code, values) in usefulness.items()})
    data.update({
        "worked_last_week": blank(np.where(job_status != "", "yes", "no"), complete),
        "job_status": job_status, "job_change": job_change, "side_business": side,
        "business_description": description, "business_started": started,
        "business_channels__social_media": blank(rng.choice(["0", "1"], size=m), business),
    })
    if include_financial:
        data["business_revenue"] = revenue
        data["business_profit"] = profit
    data.update({"business_training_link": link, "business_training": own_training,
                 "satisfaction": blank(rng.choice(["1", "2", "3", "4", "5"], size=m), complete)})
    table = pd.DataFrame(data)

    codebook = _codebook(table.columns, {name: code for name, (code, _v) in usefulness.items()})
    coded = np.flatnonzero(desc_row >= 0)
    codes_table = pd.DataFrame({
        "pid": resp["pid"].to_numpy()[coded], "question": "business_description",
        "kbli5": labelled["kbli5"].to_numpy()[desc_row[coded]],
        "division": labelled["division"].to_numpy()[desc_row[coded]],
        "section": labelled["section"].to_numpy()[desc_row[coded]],
        "confidence": np.round(rng.uniform(0.5, 1.0, coded.size), 3),
        "status": rng.choice(["auto", "review", "manual"], size=coded.size, p=[0.8, 0.1, 0.1]),
        "model_version": "synthetic", "coded_at": "2026-10-02T00:00:00+00:00",
    })
    trainings_table = catalogue[["code", "title", "provider", "category", "description"]]
    files = {"alumni.csv": alumni_table, "trainings.csv": trainings_table, "enrollments.csv": enrollments,
             "responses.csv": table, "codes.csv": codes_table, "codebook.csv": codebook}
    for name, frame in files.items():
        frame.to_csv(out / name, index=False, lineterminator="\r\n", encoding="utf-8")
    manifest = {"format": "jejak-dataset", "format_version": 1, "wave": "synthetic",
                "questionnaire": {"name": "tracer_default", "version": 1}, "created_at": "2026-11-27T00:00:00Z",
                "files": {name: {"rows": len(frame)} for name, frame in files.items()},
                "includes_financial": include_financial, "synthetic": True}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


_TYPES = {
    "pid": ("", "string", ""), "wave": ("", "string", ""), "status": ("", "string", ""),
    "language": ("", "string", ""), "started_at": ("", "datetime", ""), "submitted_at": ("", "datetime", ""),
    "consent": ("consent", "code", "select_one"), "birth_year": ("birth_year", "integer", "integer"),
    "sex": ("sex", "code", "select_one"), "province": ("province", "code", "select_one"),
    "trainings_finished": ("trainings_finished", "string", "select_multiple"),
    "worked_last_week": ("worked_last_week", "code", "select_one"),
    "job_status": ("job_status", "code", "select_one"), "job_change": ("job_change", "code", "select_one"),
    "side_business": ("side_business", "code", "select_one"),
    "business_description": ("business_description", "string", "long_text"),
    "business_started": ("business_started", "string", "month_year"),
    "business_channels__social_media": ("business_channels", "binary", "select_multiple"),
    "business_revenue": ("business_revenue", "integer", "integer"),
    "business_profit": ("business_profit", "integer", "integer"),
    "business_training_link": ("business_training_link", "code", "select_one"),
    "business_training": ("business_training", "string", "select_multiple"),
    "satisfaction": ("satisfaction", "code", "select_one"),
    # tracer-standard items and the follow-up questionnaire's (issue 11)
    "tracer_status": ("tracer_status", "code", "calculate"),
    "first_work_timing": ("first_work_timing", "code", "select_one"),
    "months_to_first_work": ("months_to_first_work", "integer", "integer"),
    "income_before": ("income_before", "integer", "integer"),
    "income_now": ("income_now", "integer", "integer"),
    "skills_improved": ("skills_improved", "code", "select_one"),
    "business_still_running": ("business_still_running", "code", "select_one"),
    "business_closed_reason": ("business_closed_reason", "code", "select_one"),
    "new_business": ("new_business", "code", "select_one"),
}


def _codebook(columns: Iterable[str], usefulness_items: dict[str, str]) -> pd.DataFrame:
    rows = []
    for name in columns:
        if name in usefulness_items:
            question, kind, qtype, item = "training_usefulness", "code", "select_one", usefulness_items[name]
        elif name.startswith("incentive_use__"):
            question, kind, qtype, item = "incentive_use", "binary", "select_multiple", name.split("__", 1)[1]
        else:
            question, kind, qtype = _TYPES[name]
            item = "social_media" if name == "business_channels__social_media" else ""
        rows.append({"variable": name, "question": question, "item": item, "type": kind, "question_type": qtype,
                     "choices_from": "roster_trainings" if name in ("trainings_finished", "business_training")
                     else "", "label_id": name, "label_en": name, "values": "", "relevant": "",
                     "sensitive": "true" if name in _MONEY else "false", "personal": "false"})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ panel --
TRACER_STATUSES = ("working", "self_employed", "studying", "looking", "not_looking")
INCENTIVE_USES = ("daily_needs", "savings", "business_capital", "debt", "other")
SURVIVAL_BY_SECTION = {"I": 0.85, "G": 0.75, "C": 0.5, "S": 0.35, "J": 0.8, "A": 0.6}
"""Truth of the synthetic panel: the chance that a business seen in wave 1 still runs at wave 2."""
DEFAULT_SURVIVAL = 0.6
RETENTION_BY_STATUS = {"self_employed": 0.85, "working": 0.5, "studying": 0.45, "looking": 0.4, "not_looking": 0.35}
"""How likely a wave-1 respondent answers wave 2, by wave-1 status (times the sector factor below)."""
RETENTION_BY_SECTION = {"I": 1.0, "G": 0.9, "J": 1.0, "C": 0.6, "S": 0.4, "A": 0.7}
DEFAULT_RETENTION_FACTOR = 0.7


def simulate_panel(alumni: int = 12_000, *, seed: int = 0) -> dict[str, Any]:
    """A roster with a known two-wave truth, without files (for coverage tests; vectorised).

    Every person has a wave-1 status; owners (``self_employed``, and 20% of ``working``
    with a side business) have a KBLI section and whether the business survives to wave 2
    (:data:`SURVIVAL_BY_SECTION`, +0.05 for a main business, −0.15 for a side one, +0.05 for
    men).  Returns ``people`` (pid, sex, age_group, region, status, owner, section,
    survives) and two functions drawing a sample: ``draw_waves(rng)`` → (answered wave 1,
    answered wave 2) boolean arrays, where answering wave 1 depends on age, sex and region (roster
    variables) and answering wave 2 — only asked of wave-1 respondents — on the wave-1
    status times the business sector (:data:`RETENTION_BY_STATUS`,
    :data:`RETENTION_BY_SECTION`): businesses that close are in sectors, and held by people,
    that drop out more, so the unweighted survival rate among those who stay is biased upward.

    Examples
    --------
    >>> sim = simulate_panel(2000, seed=1)
    >>> people = sim["people"]
    >>> w1, w2 = sim["draw_waves"](np.random.default_rng(0))
    >>> bool((w2 <= w1).all()), bool(0.3 < w1.mean() < 0.7), set(people.status) <= set(TRACER_STATUSES)
    (True, True, True)
    """
    rng = np.random.default_rng(seed)
    n = alumni
    sex = np.where(rng.random(n) < 0.5, "M", "F")
    age_i = rng.choice(3, size=n, p=[0.35, 0.4, 0.25])
    age_group = np.array(["<25", "25-34", "35+"])[age_i]
    region = rng.choice(["java", "sumatra", "east"], size=n, p=[0.55, 0.3, 0.15])
    p_self = 0.12 + 0.08 * age_i + 0.05 * (sex == "M")
    u = rng.random(n)
    cut = np.cumsum(np.column_stack([p_self, np.full(n, 0.4), 0.12 - 0.04 * age_i,
                                     np.full(n, 0.12), np.ones(n)]), axis=1)
    status = np.array(["self_employed", "working", "studying", "looking", "not_looking"])[
        (u[:, None] > cut).sum(axis=1).clip(0, 4)]
    side = (status == "working") & (rng.random(n) < 0.2)
    owner = (status == "self_employed") | side
    sections = np.array(["I", "G", "C", "S", "J", "A"])
    section = np.where(owner, sections[rng.choice(6, size=n, p=[0.3, 0.3, 0.12, 0.12, 0.08, 0.08])], "")
    p_survive = pd.Series(section).map(SURVIVAL_BY_SECTION).fillna(DEFAULT_SURVIVAL).to_numpy(dtype=float)
    p_survive = np.clip(p_survive + 0.05 * (status == "self_employed") - 0.15 * side + 0.05 * (sex == "M"), 0.02, 0.98)
    survives = owner & (rng.random(n) < p_survive)
    people = pd.DataFrame({"pid": np.char.add("P", np.char.zfill(np.arange(n).astype(str), 15)), "sex": sex,
                           "age_group": age_group, "region": region, "status": status, "owner": owner,
                           "business": np.where(owner, "yes", "no"), "section": np.where(owner, section, "(none)"),
                           "survives": np.where(owner, survives.astype(float), np.nan)})
    p1 = 0.25 + 0.2 * (age_i == 0) + 0.1 * (sex == "F") + 0.1 * (region == "java")
    factor = pd.Series(section).map(RETENTION_BY_SECTION).fillna(DEFAULT_RETENTION_FACTOR).to_numpy(dtype=float)
    p2 = pd.Series(status).map(RETENTION_BY_STATUS).to_numpy(dtype=float) * np.where(owner, factor, 1.0)

    def draw_waves(draw: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        w1 = draw.random(n) < p1
        return w1, w1 & (draw.random(n) < p2)

    return {"people": people, "draw_waves": draw_waves}


def write_synthetic_panel(out: str | Path, *, alumni: int = 2000, responses: int = 800, seed: int = 0,
                          include_financial: bool = True, wide: bool = False, newcomers: float = 0.03,
                          earlier: str = "synthetic-w1", later: str = "synthetic-w2") -> Path:
    """Write a synthetic two-wave panel dataset (``jejak-dataset`` format 2) and return its path.

    Wave ``earlier`` is :func:`write_synthetic_dataset`'s wave plus the tracer-standard items
    (``tracer_status``, ``first_work_timing``, ``months_to_first_work``, ``income_before``,
    ``income_now``, ``skills_improved``, ``incentive_use``).  Wave ``later`` follows it up: its
    invitations go to every earlier respondent plus ``newcomers`` × roster others; whether an
    earlier respondent answers depends on their earlier status and business sector
    (:data:`RETENTION_BY_STATUS`, :data:`RETENTION_BY_SECTION`), and whether their business
    still runs on its KBLI section (:data:`SURVIVAL_BY_SECTION`) — so attrition weighting
    matters, as in :func:`simulate_panel`.

    Examples
    --------
    >>> import tempfile, json
    >>> path = write_synthetic_panel(tempfile.mkdtemp() + "/ds", alumni=600, responses=300, seed=2)
    >>> manifest = json.loads((path / "manifest.json").read_text())
    >>> manifest["format_version"], [w["name"] for w in manifest["waves"]]
    (2, ['synthetic-w1', 'synthetic-w2'])
    """
    out = Path(out)
    write_synthetic_dataset(out, alumni=alumni, responses=responses, seed=seed, include_financial=include_financial,
                            wide=wide)
    rng = np.random.default_rng(seed + 11)

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(out / name, dtype=str, keep_default_na=False)

    first, codes1, roster, codebook = read("responses.csv"), read("codes.csv"), read("alumni.csv"), read("codebook.csv")
    first["wave"] = earlier
    m = len(first)
    complete = first["status"].eq("submitted").to_numpy()
    job = first["job_status"]
    main = job.isin(["1", "2", "3"]).to_numpy()
    owner = main | first["side_business"].eq("yes").to_numpy()
    other = rng.choice(["studying", "looking", "not_looking"], size=m, p=[0.2, 0.45, 0.35])
    status = np.select([main, job.isin(["4", "5", "6", "7"]).to_numpy()], ["self_employed", "working"], other)
    first["tracer_status"] = np.where(complete, status, "")
    _tracer_items(first, complete, owner, rng, include_financial)

    # Wave 2: who answers, whose business survives.
    section_of = dict(zip(codes1["pid"], codes1["section"]))
    sections = first["pid"].map(section_of).fillna("").to_numpy(dtype=object)
    p_survive = pd.Series(sections).map(SURVIVAL_BY_SECTION).fillna(DEFAULT_SURVIVAL).to_numpy(dtype=float)
    p_survive = np.clip(p_survive + 0.05 * main - 0.15 * (owner & ~main), 0.02, 0.98)
    has_description = first["business_description"].ne("").to_numpy()
    survives = has_description & (rng.random(m) < p_survive)
    factor = pd.Series(sections).map(RETENTION_BY_SECTION).fillna(DEFAULT_RETENTION_FACTOR).to_numpy(dtype=float)
    retention = pd.Series(status).map(RETENTION_BY_STATUS).to_numpy(dtype=float) * np.where(owner, factor, 1.0)
    answered = complete & (rng.random(m) < retention)
    others = roster.loc[~roster["pid"].isin(first.loc[complete, "pid"]), "pid"].to_numpy()
    fresh = rng.choice(others, size=min(len(others), int(round(newcomers * len(roster)))), replace=False)
    fresh_answered = fresh[rng.random(fresh.size) < 0.5]

    labelled = pd.read_csv(labelled_csv_path(), dtype=str, keep_default_na=False)
    rows_old = np.flatnonzero(answered)
    k, f = rows_old.size, fresh_answered.size
    n2 = k + f
    had = np.concatenate([has_description[rows_old], np.zeros(f, dtype=bool)])
    still = np.concatenate([survives[rows_old], np.zeros(f, dtype=bool)])
    new = (~had | ~still) & (rng.random(n2) < 0.15)
    was_main = np.concatenate([main[rows_old], np.zeros(f, dtype=bool)])
    job2 = np.where(still & was_main, np.concatenate([job.to_numpy()[rows_old], np.full(f, "")]),
                    np.where(new, "1", rng.choice(["4", "5", "6", "7", ""], size=n2, p=[0.45, 0.05, 0.1, 0.1, 0.3])))
    side2 = np.where(np.isin(job2, ["1", "2", "3"]), "", np.where(still, "yes", "no"))
    pick = rng.integers(0, len(labelled), n2)
    old_description = np.concatenate([first["business_description"].to_numpy()[rows_old], np.full(f, "")])
    description = np.where(still, old_description, np.where(new, labelled["text"].to_numpy()[pick], ""))
    other2 = rng.choice(["studying", "looking", "not_looking"], size=n2, p=[0.15, 0.5, 0.35])
    status2 = np.select([np.isin(job2, ["1", "2", "3"]), np.isin(job2, ["4", "5", "6", "7"])],
                        ["self_employed", "working"], other2)
    is_new_person = np.concatenate([np.zeros(k, dtype=bool), np.ones(f, dtype=bool)])
    second = pd.DataFrame({
        "pid": np.concatenate([first["pid"].to_numpy()[rows_old], fresh_answered]), "wave": later,
        "status": "submitted", "language": "id", "started_at": "2027-04-01T08:00:00Z",
        "submitted_at": "2027-04-01T08:15:00Z", "consent": "yes",
        "worked_last_week": np.where(job2 != "", "yes", "no"), "job_status": job2, "side_business": side2,
        "business_description": description, "tracer_status": status2,
        "business_still_running": np.where(had, np.where(still, "yes", "no"), ""),
        "business_closed_reason": np.where(had & ~still, rng.choice(["no_customers", "no_capital", "competition",
                                                                    "health_family", "found_job", "moved", "other"],
                                                                   size=n2), ""),
        "new_business": np.where(~had | ~still, np.where(new, "yes", "no"), ""),
    })
    newcomer_items = second.loc[is_new_person].copy()
    _tracer_items(newcomer_items, np.ones(f, dtype=bool), newcomer_items["job_status"].isin(["1", "2", "3"]).to_numpy(),
                  rng, include_financial)
    if include_financial:
        before = pd.to_numeric(first["income_now"], errors="coerce").to_numpy()[rows_old]
        grown = np.round(before * np.exp(rng.normal(0.05, 0.3, k)), -4)
        second["income_now"] = np.concatenate([grown, pd.to_numeric(newcomer_items["income_now"]).to_numpy()])
        second["income_now"] = second["income_now"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    for column in ("first_work_timing", "months_to_first_work", "skills_improved", "income_before",
                   *[c for c in newcomer_items.columns if c.startswith("incentive_use__")]):
        if column in newcomer_items.columns:
            second[column] = ""
            second.loc[is_new_person, column] = newcomer_items[column].to_numpy()
    columns = list(first.columns) + [c for c in second.columns if c not in first.columns]
    panel = pd.concat([first, second], ignore_index=True).reindex(columns=columns).fillna("")

    coded2 = np.flatnonzero(description != "")
    kept = still[coded2]
    carried = codes1.drop_duplicates("pid").set_index("pid").reindex(second["pid"].to_numpy()[coded2[kept]])
    carried = carried.reset_index().rename(columns={"index": "pid"})
    fresh_rows = pick[coded2[~kept]]
    recoded = pd.DataFrame({"pid": second["pid"].to_numpy()[coded2[~kept]], "question": "business_description",
                            "kbli5": labelled["kbli5"].to_numpy()[fresh_rows],
                            "division": labelled["division"].to_numpy()[fresh_rows],
                            "section": labelled["section"].to_numpy()[fresh_rows], "confidence": "0.9",
                            "status": "auto", "model_version": "synthetic", "coded_at": "2027-04-02T00:00:00Z"})
    codes2 = pd.concat([carried.dropna(subset=["section"]), recoded], ignore_index=True)
    codes = pd.concat([codes1.assign(wave=earlier), codes2[list(codes1.columns)].assign(wave=later)],
                      ignore_index=True)
    codes = codes[["pid", "wave", *[c for c in codes1.columns if c != "pid"]]]

    status_w2 = pd.Series("issued", index=pd.Index(np.concatenate([first.loc[complete, "pid"].to_numpy(), fresh])))
    status_w2[second["pid"].to_numpy()] = "submitted"
    invitations = pd.concat([
        roster.loc[roster["invitation_status"].ne(""), ["pid", "invitation_status"]].assign(wave=earlier),
        pd.DataFrame({"pid": status_w2.index, "invitation_status": status_w2.to_numpy(), "wave": later}),
    ], ignore_index=True)[["pid", "wave", "invitation_status"]]
    roster["invitation_status"] = roster["pid"].map(status_w2).fillna("")

    extra = [c for c in columns if c not in set(codebook["variable"])]
    codebook = pd.concat([codebook, _codebook(extra, {}).astype(str)], ignore_index=True)
    files = {"alumni.csv": roster, "responses.csv": panel, "codes.csv": codes, "codebook.csv": codebook,
             "invitations.csv": invitations}
    for name, frame in files.items():
        frame.to_csv(out / name, index=False, lineterminator="\r\n", encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = {name: info["rows"] for name, info in manifest["files"].items()}
    counts.update({name: len(frame) for name, frame in files.items()})
    manifest.update(format_version=2, wave=later, questionnaire={"name": "tracer_followup", "version": 1},
                    waves=[{"name": earlier, "follow_up_of": None,
                            "questionnaire": {"name": "tracer_default", "version": 1}},
                           {"name": later, "follow_up_of": earlier,
                            "questionnaire": {"name": "tracer_followup", "version": 1}}],
                    files={name: {"rows": rows} for name, rows in counts.items()})
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


def _tracer_items(table: pd.DataFrame, complete: np.ndarray, owner: np.ndarray, rng: np.random.Generator,
                  include_financial: bool) -> None:
    """Add the tracer-standard answers to ``table`` in place (blank where not ``complete``)."""
    m = len(table)
    timing = np.where(complete, rng.choice(["before", "after", "not_yet"], size=m, p=[0.35, 0.5, 0.15]), "")
    table["first_work_timing"] = timing
    months = np.minimum(rng.geometric(0.15, m) - 1, 120)
    table["months_to_first_work"] = np.where(timing == "after", months.astype(str), "")
    if include_financial:
        before = np.round(np.exp(rng.normal(14.6, 0.7, m)), -4)
        now = np.round(before * np.exp(rng.normal(0.15 + 0.1 * owner, 0.35, m)), -4)
        table["income_before"] = np.where(complete, before.astype(np.int64).astype(str), "")
        table["income_now"] = np.where(complete, now.astype(np.int64).astype(str), "")
    table["skills_improved"] = np.where(complete, np.where(rng.random(m) < 0.9, "yes", "no"), "")
    chance = {"daily_needs": 0.8, "savings": 0.33, "business_capital": 0.2, "debt": 0.11, "other": 0.05}
    for use, p in chance.items():
        chosen = rng.random(m) < np.clip(p + 0.25 * owner * (use == "business_capital"), 0, 1)
        table[f"incentive_use__{use}"] = np.where(complete, chosen.astype(int).astype(str), "")
