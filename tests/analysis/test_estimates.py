"""Weighted estimates on synthetic populations with a known truth and known non-response."""
import numpy as np
import pandas as pd
import pytest

from analysis import rake, weighted_mean, weighted_median, weighted_proportion, weighted_quantile
from analysis.estimates import estimate_table


def _survey(seed: int, n: int = 20_000):
    """Population whose outcome and response both depend on region, sex and age."""
    rng = np.random.default_rng(seed)
    pop = pd.DataFrame({
        "region": rng.choice(["java", "sumatra", "east"], size=n, p=[0.55, 0.3, 0.15]),
        "sex": rng.choice(["M", "F"], size=n),
        "age": rng.choice(["<25", "25-34", "35+"], size=n, p=[0.3, 0.4, 0.3]),
    })
    p_business = (0.15 + 0.25 * (pop.age == "35+") + 0.1 * (pop.sex == "M") + 0.15 * (pop.region == "east"))
    pop["business"] = (rng.random(n) < p_business).astype(float)
    pop["revenue"] = np.exp(rng.normal(15 + 0.5 * (pop.age == "35+") + 0.3 * (pop.region == "east"), 0.8))
    # Who answers: the young, women and Java — the opposite of who runs a business.
    propensity = 0.08 + 0.25 * (pop.age == "<25") + 0.12 * (pop.sex == "F") + 0.2 * (pop.region == "java")
    sample = pop[rng.random(n) < propensity].reset_index(drop=True)
    return pop, sample


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_weighted_ci_covers_the_truth_where_the_unweighted_estimate_is_biased(seed):
    pop, sample = _survey(seed)
    truth = pop.business.mean()
    weights = rake(sample, pop, ["region", "sex", "age"], trim=None)
    raw = weighted_proportion(sample.business)
    weighted = weighted_proportion(sample.business, weights)
    assert not raw.ci_low <= truth <= raw.ci_high  # non-response bias, far outside its own CI
    assert truth - raw.estimate > 0.015
    assert weighted.ci_low <= truth <= weighted.ci_high
    assert weighted.n == len(sample) and not weighted.small


def test_calibration_variance_is_not_larger_than_ignoring_the_margins():
    pop, sample = _survey(4)
    weights = rake(sample, pop, ["region", "sex", "age"], trim=None)
    with_calibration = weighted_proportion(sample.business, weights)
    plain_weights = weighted_proportion(sample.business, weights.weights)
    assert with_calibration.estimate == pytest.approx(plain_weights.estimate)
    assert with_calibration.se <= plain_weights.se


def test_coverage_over_repeated_samples_is_close_to_95_percent():
    rng = np.random.default_rng(0)
    pop, _ = _survey(10, n=20_000)
    truth = pop.business.mean()
    propensity = (0.08 + 0.25 * (pop.age == "<25") + 0.12 * (pop.sex == "F") + 0.2 * (pop.region == "java"))
    covered = 0
    runs = 60
    for _ in range(runs):
        sample = pop[rng.random(len(pop)) < propensity].reset_index(drop=True)
        weights = rake(sample, pop, ["region", "sex", "age"], trim=None)
        e = weighted_proportion(sample.business, weights)
        covered += e.ci_low <= truth <= e.ci_high
    assert covered / runs >= 0.85


def test_domain_estimates_use_the_domain_only():
    pop, sample = _survey(5)
    weights = rake(sample, pop, ["region", "sex", "age"], trim=None)
    east = (sample.region == "east").to_numpy()
    e = weighted_proportion(sample.business, weights, domain=east)
    truth = pop.loc[pop.region == "east", "business"].mean()
    assert e.n == east.sum() and e.ci_low <= truth <= e.ci_high
    assert e.population == pytest.approx((pop.region == "east").sum())


def test_weighted_median_with_woodruff_interval_covers_the_truth():
    pop, sample = _survey(6)
    weights = rake(sample, pop, ["region", "sex", "age"], trim=None)
    truth = pop.revenue.median()
    e = weighted_median(sample.revenue, weights)
    assert e.ci_low <= truth <= e.ci_high
    assert e.ci_low < e.estimate < e.ci_high


def test_mean_matches_the_textbook_formula_without_weights():
    y = np.array([2.0, 4.0, 4.0, 5.0, 7.0, 9.0])
    e = weighted_mean(y)
    assert e.estimate == pytest.approx(y.mean())
    assert e.se == pytest.approx(y.std(ddof=1) / np.sqrt(len(y)))


def test_missing_values_and_small_cells():
    e = weighted_proportion([1, 0, np.nan, 1])
    assert e.n == 3 and e.small and e.estimate == pytest.approx(2 / 3)
    empty = weighted_proportion([np.nan, np.nan])
    assert empty.n == 0 and np.isnan(empty.estimate)
    all_yes = weighted_proportion(np.ones(50))
    assert all_yes.estimate == 1 and all_yes.ci_high == 1 and 0.9 < all_yes.ci_low < 1


def test_quantile_definition_and_table_helper():
    assert weighted_quantile([3, 1, 2], [1, 1, 1], 0.5) == 2
    assert weighted_quantile([1, 2], [1, 3], 0.3) == 2
    frame = pd.DataFrame({"y": [1, 0, 1, 1], "g": ["a", "a", "b", "b"]})
    table = estimate_table(frame, "y", by="g")
    assert table.group.tolist() == ["(all)", "a", "b"] and table.n.tolist() == [4, 2, 2]
