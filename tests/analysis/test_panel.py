"""Format 2 (the panel), the panel and tracer tables, reference figures, and the report built from them."""
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis import FormatError, build_report, load_dataset
from analysis import panel as P
from analysis.errors import SeedDataError
from analysis.official import load_reference_figures, reference_figures
from analysis.report import PANEL_TABLES, read_tables
from analysis.synthetic import write_synthetic_dataset, write_synthetic_panel
from analysis.weights import RakingError, rake

EARLIER, LATER = "synthetic-w1", "synthetic-w2"


@pytest.fixture(scope="module")
def panel_dir(tmp_path_factory):
    return write_synthetic_panel(tmp_path_factory.mktemp("data") / "panel", alumni=3000, responses=1600, seed=21)


def _copy(source, target):
    shutil.copytree(source, target)
    return target


def _single_wave(panel_dir, target):
    """The earlier wave alone, as its own format-2 export (a wave that follows nothing up)."""
    _copy(panel_dir, target)
    for name in ("responses.csv", "codes.csv", "invitations.csv"):
        table = pd.read_csv(target / name, dtype=str, keep_default_na=False)
        table[table["wave"] == EARLIER].to_csv(target / name, index=False)
    invitations = pd.read_csv(target / "invitations.csv", dtype=str, keep_default_na=False)
    alumni = pd.read_csv(target / "alumni.csv", dtype=str, keep_default_na=False)
    alumni["invitation_status"] = alumni["pid"].map(dict(zip(invitations.pid, invitations.invitation_status)))
    alumni.to_csv(target / "alumni.csv", index=False)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest.update(wave=EARLIER, waves=manifest["waves"][:1])
    (target / "manifest.json").write_text(json.dumps(manifest))
    return target


# ------------------------------------------------------------------ format --
def test_format_2_reads_the_chain_long(panel_dir):
    ds = load_dataset(panel_dir)
    assert ds.manifest["format_version"] == 2 and ds.wave == LATER and ds.earlier_wave == EARLIER and ds.is_panel
    assert [w["name"] for w in ds.waves] == [EARLIER, LATER]
    assert set(ds.responses["wave"]) == {EARLIER, LATER} and set(ds.codes["wave"]) == {EARLIER, LATER}
    first, second = ds.wave_view(EARLIER), ds.wave_view(LATER)
    assert len(first.responses) + len(second.responses) == len(ds.responses)
    assert first.responses["pid"].is_unique and second.responses["pid"].is_unique
    assert first.wave == EARLIER and first.whole is ds and first.wave_view(LATER) is second
    # each view carries its own wave's invitation statuses
    invited = ds.invitations[ds.invitations.wave == EARLIER]
    assert first.alumni["invitation_status"].notna().sum() == len(invited)
    with pytest.raises(FormatError, match="no wave 'nope'"):
        ds.wave_view("nope")


def test_format_1_reads_as_a_chain_of_one(tmp_path):
    ds = load_dataset(write_synthetic_dataset(tmp_path / "v1", alumni=300, responses=150, seed=3))
    assert ds.manifest["format_version"] == 1 and not ds.is_panel and ds.earlier_wave is None
    assert ds.waves == [{"name": "synthetic", "follow_up_of": None, "questionnaire": ds.manifest["questionnaire"]}]
    assert len(ds.invitations) == ds.alumni["invitation_status"].notna().sum()
    assert set(ds.codes["wave"]) == {"synthetic"}
    assert ds.wave_view("synthetic") is ds


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(waves=[]), "non-empty list"),
    (lambda m: m.update(waves=list(reversed(m["waves"]))), "last of 'waves' must be the exported wave"),
    (lambda m: m["waves"][1].update(follow_up_of="elsewhere"), "should follow up 'synthetic-w1'"),
    (lambda m: m.update(waves=[m["waves"][1], m["waves"][1]]), "names a wave twice"),
])
def test_a_manifest_whose_waves_are_not_a_chain_is_refused(panel_dir, tmp_path, change, message):
    copy = _copy(panel_dir, tmp_path / "ds")
    manifest = json.loads((copy / "manifest.json").read_text())
    change(manifest)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(FormatError, match=message):
        load_dataset(copy)


def test_format_2_without_invitations_or_code_waves_is_refused(panel_dir, tmp_path):
    copy = _copy(panel_dir, tmp_path / "ds")
    (copy / "invitations.csv").unlink()
    with pytest.raises(FormatError, match="invitations.csv is missing"):
        load_dataset(copy)
    shutil.copy(panel_dir / "invitations.csv", copy / "invitations.csv")
    codes = pd.read_csv(copy / "codes.csv", dtype=str).drop(columns="wave")
    codes.to_csv(copy / "codes.csv", index=False)
    with pytest.raises(FormatError, match="codes.csv lacks column"):
        load_dataset(copy)


def test_a_second_response_in_a_wave_or_an_unknown_wave_is_refused(panel_dir, tmp_path):
    copy = _copy(panel_dir, tmp_path / "ds")
    responses = pd.read_csv(copy / "responses.csv", dtype=str, keep_default_na=False)
    pd.concat([responses, responses.iloc[[5]]]).to_csv(copy / "responses.csv", index=False)
    with pytest.raises(FormatError, match=f"line {len(responses) + 2}: a second response"):
        load_dataset(copy)
    responses.assign(wave="elsewhere").to_csv(copy / "responses.csv", index=False)
    with pytest.raises(FormatError, match="wave.s. elsewhere are not in the manifest"):
        load_dataset(copy)


# ------------------------------------------------------------------ weights --
def test_attrition_weights_reproduce_the_earlier_respondents_weighted_margins(panel_dir):
    pf = P.panel_frame(load_dataset(panel_dir))
    assert pf.weights is not None and pf.weights.converged
    panel, w = pf.panel, pf.panel_weights()
    earlier = panel["earlier_weight"]
    assert w.sum() == pytest.approx(earlier.sum()) == pytest.approx(3000)
    for margin in ("tracer_status", "business"):
        target = earlier.groupby(panel[margin], observed=True).sum()
        achieved = pd.Series(w).groupby(panel[margin].to_numpy()).sum()
        np.testing.assert_allclose(achieved.reindex(target.index).to_numpy(), target.to_numpy(), rtol=1e-6)
    assert not np.allclose(w[pf.followed], earlier[pf.followed])  # attrition changed the weights


def test_rake_refuses_bad_population_weights():
    frame = pd.DataFrame({"a": ["x", "y", "x"]})
    with pytest.raises(RakingError, match="population weights"):
        rake(frame, frame, ["a"], population_weights=[1.0, -1.0, 1.0])


def test_tracer_status_is_the_answer_or_derived_from_the_work_questions():
    answers = pd.DataFrame({"tracer_status": ["studying", None, None],
                            "job_status": ["4", "2", None], "job_search": [None, None, "looking_for_work"]})
    assert P.tracer_status(answers).tolist() == ["studying", "self_employed", "looking"]


# ------------------------------------------------------------------- tables --
def test_panel_tables_are_consistent(panel_dir):
    ds = load_dataset(panel_dir)
    status = P.panel_status(ds)
    overall = status.iloc[0]
    assert overall.both + overall.earlier_only + overall.later_only + overall.neither == overall.roster == 3000
    earlier_respondents = (ds.wave_view(EARLIER).responses["status"] == "submitted").sum()
    assert overall.both + overall.earlier_only == earlier_respondents
    by_status = status[status.level == "earlier_status"]
    assert by_status.both.sum() == overall.both
    # who stays depends on the earlier status (the synthetic truth): the self-employed stay most
    retention = by_status.set_index("group")["retention"]
    assert retention["self_employed"] > retention["not_looking"]

    transitions = P.status_transitions(ds)
    assert (transitions.groupby("from_status")["share"].sum().round(9) == 1).all()
    assert transitions.n.sum() == overall.both

    survival = P.business_survival(ds, lang="id")
    assert survival.loc[0, "group"] == "(all)" and {"training_category", "section"} <= set(survival.level)
    assert ((survival.ci_low <= survival.estimate) & (survival.estimate <= survival.ci_high)).all()
    sections = survival[survival.level == "section"].set_index("group")
    assert sections.loc["I", "estimate"] > sections.loc["S", "estimate"]  # the truth: food stalls survive more
    new = P.new_business_between_waves(ds)
    assert new.n.iloc[0] == new.n.iloc[1] + new.n.iloc[2]
    # like every table, they also take the (exported wave's) survey frame
    from analysis import survey_frame

    assert P.business_survival(survey_frame(ds), lang="id").equals(survival)


def test_tracer_tables_per_wave(panel_dir):
    ds = load_dataset(panel_dir)
    waiting = P.waiting_time(ds)
    assert set(waiting.wave) == {EARLIER, LATER}  # the follow-up asks newcomers
    first = waiting[(waiting.wave == EARLIER) & (waiting.group == "(all)")].iloc[0]
    assert first.share_before + first.share_after + first.share_not_yet == pytest.approx(1)
    assert first.ci_low <= first["median"] <= first.ci_high
    uses = P.incentive_use(ds)
    assert set(uses.use) == {"daily_needs", "savings", "business_capital", "debt", "other"}
    daily = uses[(uses.wave == EARLIER) & (uses.use == "daily_needs")].iloc[0]
    assert 0.7 < daily.estimate < 0.9  # the synthetic truth is 0.8
    income = P.income_change(ds)
    assert set(income.measure) == {"between_waves", "since_training"}
    between = income[income.measure == "between_waves"].iloc[0]
    assert between.n == P.panel_status(ds).iloc[0].both


def test_income_needs_the_financial_answers(tmp_path):
    ds = load_dataset(write_synthetic_panel(tmp_path / "ds", alumni=800, responses=400, include_financial=False))
    table = P.income_change(ds)
    assert table.empty and "include-financial" in table.attrs["note"]


def test_without_a_follow_up_the_panel_explains_and_the_tracer_tables_remain(panel_dir, tmp_path):
    ds = load_dataset(_single_wave(panel_dir, tmp_path / "one"))
    assert not ds.is_panel and ds.earlier_wave is None
    for function in (P.panel_status, P.status_transitions, P.business_survival, P.new_business_between_waves):
        table = function(ds)
        assert table.empty and "no follow-up wave" in table.attrs["note"]
    assert not P.waiting_time(ds).empty and not P.incentive_use(ds).empty
    assert set(P.income_change(ds).measure) == {"since_training"}
    report = build_report(ds, tmp_path / "out", lang="en")
    html = report.html.read_text(encoding="utf-8")
    assert "This dataset has no follow-up wave" in html and "Waiting time to the first job or business" in html
    assert not pd.read_csv(report.tables["waiting_time"]).empty


def test_a_follow_up_whose_earlier_wave_has_no_respondents_is_explained(panel_dir, tmp_path):
    copy = _copy(panel_dir, tmp_path / "ds")
    responses = pd.read_csv(copy / "responses.csv", dtype=str, keep_default_na=False)
    responses.loc[responses.wave == EARLIER, "status"] = "partial"
    responses.to_csv(copy / "responses.csv", index=False)
    ds = load_dataset(copy)
    for function in (P.status_transitions, P.business_survival, P.new_business_between_waves):
        table = function(ds)
        assert table.empty and "has no respondents" in table.attrs["note"]
    assert P.waiting_time(ds).wave.unique().tolist() == [LATER]
    for lang, text in (("en", "Wave synthetic-w1 has no respondents"), ("id", "tidak memiliki responden")):
        html = build_report(copy, tmp_path / f"out-{lang}", lang=lang).html.read_text(encoding="utf-8")
        assert text in html


# --------------------------------------------------------- reference figures --
def test_reference_figures_are_the_published_ones_marked_as_context(panel_dir):
    figures = load_reference_figures()
    assert len(figures) == 9 and set(figures.date) == {"2020-08", "2024-02", "2024-08"}
    got = dict(zip(zip(figures.indicator, figures.date), figures.value))
    assert got[("skills_improved", "2020-08")] == 88.92 and got[("incentive_debt", "2020-08")] == 11.23
    assert got[("skills_improved", "2024-08")] == 91.81 and got[("incentive_business_capital", "2024-02")] == 31.76
    table = reference_figures(load_dataset(panel_dir), lang="id")
    assert (table.comparison == "context, not the same population").all() and table.source.str.contains("BPS").all()
    assert table.jejak_estimate.notna().all() and (table.jejak_n > 0).all()
    assert table.label.iloc[0] == "Keterampilan meningkat"


def test_a_bad_reference_file_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "figures.csv"
    bad.write_text("indicator,value,unit,population,source,date,citation\n"
                   "skills_improved,88.92,percent,p,s,2020-08,c\nskills_improved,lots,percent,p,s,2020-08,c\n")
    with pytest.raises(SeedDataError, match="line 3: value 'lots' is not a number"):
        load_reference_figures(bad)
    (tmp_path / "short.csv").write_text("indicator,value\nx,1\n")
    with pytest.raises(SeedDataError, match="lacks rows or column"):
        load_reference_figures(tmp_path / "short.csv")


# ------------------------------------------------------------------- report --
def test_report_of_a_panel_writes_every_panel_table_equal_to_the_api(panel_dir, tmp_path):
    report = build_report(panel_dir, tmp_path / "out", lang="en")
    html = report.html.read_text(encoding="utf-8")
    assert "Tracking over time" in html and "Business survival" in html and "Beside official figures" in html
    assert "Context, not the same population." in html
    written = read_tables(tmp_path / "out")
    ds = load_dataset(panel_dir)
    for name, function in PANEL_TABLES.items():
        expected = function(ds, lang="en")
        assert name in written and len(written[name]) == len(expected), name
        numeric = expected.select_dtypes("number").columns
        pd.testing.assert_frame_equal(written[name][numeric].reset_index(drop=True),
                                      expected[numeric].reset_index(drop=True), check_dtype=False, rtol=1e-9)


def test_indonesian_panel_report(panel_dir, tmp_path):
    html = build_report(panel_dir, tmp_path / "out", lang="id").html.read_text(encoding="utf-8")
    for text in ("Pelacakan dari waktu ke waktu", "Kelangsungan usaha", "Di samping angka resmi",
                 "Sebagai konteks, bukan populasi yang sama.", "Masa tunggu hingga pekerjaan atau usaha pertama"):
        assert text in html


def test_cli_report_on_a_panel(run_cli, panel_dir, tmp_path):
    result = run_cli("report", str(panel_dir), "--out", str(tmp_path / "out"), "--lang", "en")
    assert result.returncode == 0, result.stderr
    for name in ("panel_status", "status_transitions", "business_survival", "waiting_time", "income_change",
                 "incentive_use", "reference_figures"):
        assert (tmp_path / "out" / "tables" / f"{name}.csv").is_file()
