"""Raking: margins reproduced, pooling of small cells, trimming, diagnostics."""
import numpy as np
import pandas as pd
import pytest

from analysis import RakingError, rake, survey_weights, weight_diagnostics
from analysis.dataset import load_dataset
from analysis.synthetic import write_synthetic_dataset


def _population(n=20_000, seed=5):
    rng = np.random.default_rng(seed)
    population = pd.DataFrame({
        "region": rng.choice(["java", "sumatra", "east"], size=n, p=[0.55, 0.3, 0.15]),
        "sex": rng.choice(["M", "F"], size=n),
        "age": rng.choice(["<25", "25-34", "35+"], size=n, p=[0.3, 0.4, 0.3]),
    })
    propensity = (0.15 + 0.2 * (population.region == "java") + 0.1 * (population.sex == "F")
                  + 0.15 * (population.age == "<25"))
    responded = rng.random(n) < propensity
    return population, population[responded].reset_index(drop=True)


def test_raking_reproduces_every_margin_and_the_population_size():
    population, sample = _population()
    result = rake(sample, population, ["region", "sex", "age"], trim=None)
    assert result.converged
    assert result.weights.sum() == pytest.approx(len(population))
    for margin in ("region", "sex", "age"):
        achieved = pd.Series(result.weights).groupby(sample[margin]).sum()
        np.testing.assert_allclose(achieved.sort_index(), population[margin].value_counts().sort_index(), rtol=1e-6)
    assert (result.margins.weighted_share - result.margins.population_share).abs().max() < 1e-6


def test_trimming_caps_large_weights_and_the_margins_still_hold():
    population, sample = _population()
    # Keep only 40 respondents from the east: their weights become very large.
    east = sample.index[sample.region == "east"]
    sample = sample.drop(east[40:]).reset_index(drop=True)
    untrimmed = rake(sample, population, ["region", "sex", "age"], trim=None)
    trimmed = rake(sample, population, ["region", "sex", "age"], trim=3.0)
    assert untrimmed.weights.max() > 3.0 * np.median(untrimmed.weights)
    assert trimmed.trim_rounds >= 1
    assert trimmed.weights.max() < untrimmed.weights.max()
    assert trimmed.diagnostics["deff_kish"] < untrimmed.diagnostics["deff_kish"]
    # Trimming then re-raking keeps the margins.
    by_sex = pd.Series(trimmed.weights).groupby(sample.sex).sum()
    np.testing.assert_allclose(by_sex.sort_index(), population.sex.value_counts().sort_index(), rtol=1e-6)


def test_levels_with_few_respondents_are_pooled_not_left_unreachable():
    population = pd.DataFrame({"province": ["11"] * 50 + ["12"] * 50 + ["13"] * 5 + ["14"] * 5})
    sample = pd.DataFrame({"province": ["11"] * 20 + ["12"] * 20 + ["13"] * 2})  # nobody from 14
    result = rake(sample, population, ["province"], min_cell=10, trim=None)
    assert result.converged
    assert result.collapsed["province"] == ["13", "14"]
    assert result.weights.sum() == pytest.approx(110)
    # Two respondents are still too few for a level of their own: merged into the smallest level.
    assert set(result.margins.level) == {"11", "12"}
    assert result.margins.set_index("level").loc["12", "weighted_total"] == pytest.approx(50)


def test_missing_values_are_their_own_level():
    population = pd.DataFrame({"sex": ["M"] * 40 + ["F"] * 40 + [None] * 20})
    sample = pd.DataFrame({"sex": ["M"] * 20 + ["F"] * 10 + [None] * 10})
    result = rake(sample, population, ["sex"], min_cell=1, trim=None)
    assert set(result.margins.level) == {"M", "F", "(missing)"}
    assert result.weights[-1] == pytest.approx(2.0)


def test_diagnostics_give_kish_design_effect_and_effective_n():
    d = weight_diagnostics(np.ones(10))
    assert d["deff_kish"] == 1 and d["n_effective"] == 10 and d["ratio"] == 1
    d = weight_diagnostics([1, 3])
    assert d["deff_kish"] == pytest.approx(1.25) and d["n_effective"] == pytest.approx(1.6)


def test_bad_input_is_reported():
    population = pd.DataFrame({"sex": ["M", "F"]})
    with pytest.raises(RakingError, match="no respondents"):
        rake(population.iloc[:0], population, ["sex"])
    with pytest.raises(RakingError, match="unknown margin"):
        rake(population, population, ["age"])


def test_survey_weights_of_a_dataset_sum_to_the_roster(tmp_path):
    ds = load_dataset(write_synthetic_dataset(tmp_path / "ds", alumni=3000, responses=1200, seed=3))
    result = survey_weights(ds)
    assert result.converged and result.weights.sum() == pytest.approx(3000)
    assert result.diagnostics["max"] <= 5.0 * result.diagnostics["median"] * 1.01 + 1e-9
    assert {"province", "sex", "age_group", "cohort", "training_category=it"} <= set(result.margins.margin)
    invited = survey_weights(ds, frame="invited")
    assert invited.weights.sum() == pytest.approx(3000)  # the synthetic wave invites everyone
