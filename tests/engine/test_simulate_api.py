"""simulate(): defaults from the scenario file, overrides, and bad arguments."""

from __future__ import annotations

import math

import pytest

import risksim
from risksim.models.analytic import finite_pool_default_pmf
from tests.builders import scenario_mapping, segment


@pytest.fixture(scope="module")
def scenario() -> risksim.Scenario:
    mapping = scenario_mapping([segment(count=100, pd=0.05)], n_sims=300, seed=4)
    mapping["simulation"]["levels"] = [0.9, 0.99]
    return risksim.load_scenario(mapping)


def test_none_means_as_the_scenario_says(scenario: risksim.Scenario) -> None:
    result = risksim.simulate(scenario)
    assert len(result.losses) == 300
    assert result.metadata["seed"] == 4
    assert result.levels == [0.9, 0.99]
    assert result.summary().columns.tolist() == [
        "EL", "EL_se", "SD", "SD_se", "VaR_0.9", "VaR_0.9_lo", "VaR_0.9_hi", "ES_0.9",
        "ES_0.9_se", "VaR_0.99", "VaR_0.99_lo", "VaR_0.99_hi", "ES_0.99", "ES_0.99_se"]
    assert result.summary().index.tolist() == ["gross", "bank"]


def test_overrides_win(scenario: risksim.Scenario) -> None:
    result = risksim.simulate(scenario, n_sims=50, seed=9, levels=[0.5])
    assert (len(result.losses), result.metadata["seed"], result.levels) == (50, 9, [0.5])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_sims": 0}, "n_sims: 0 simulations: expected at least 1"),
    ({"seed": -1}, "seed: seed -1: expected an integer >= 0"),
    ({"backend": "gpu"}, "backend: unknown backend 'gpu'"),
    ({"backend": "serial", "workers": 2}, "workers: 2 workers need the process or dask "
                                          "backend, not serial"),
    ({"backend": "process", "address": "tcp://127.0.0.1:1"},
     "address: an address is a Dask scheduler's: use it with the dask backend, not process"),
    ({"levels": [0.99, 1.0]}, "levels: [0.99, 1.0]: expected levels strictly between 0 and 1"),
])
def test_bad_arguments_raise_input_errors(scenario: risksim.Scenario, kwargs: dict,
                                          message: str) -> None:
    with pytest.raises(risksim.InputError) as raised:
        risksim.simulate(scenario, **kwargs)
    assert str(raised.value).startswith(message)


def test_exceedance_probability_table(scenario: risksim.Scenario) -> None:
    # 100 loans of 1 with LGD 1 under a one-factor Gaussian copula (PD 5%, R = 0.15): the
    # gross loss is the number of defaults D, whose exact law is the finite homogeneous
    # pool's (Vasicek 1987; risksim.models.analytic, an integral over the factor), so
    # P(L > 0) = 1 − P(D = 0) and P(L > 10) = P(D ≥ 11). Each estimate is a binomial
    # proportion over N simulations: within 4 of its standard errors √(p(1 − p)/N).
    # Losses never exceed the book's 100, so P(L > 1e9) is 0 exactly.
    n_sims = 2_000
    result = risksim.simulate(scenario, n_sims=n_sims, seed=1)
    table = result.exceedance([0.0, 10.0, 1e9])
    gross = table[table["party"] == "gross"].set_index("threshold")
    pmf = finite_pool_default_pmf(100, 0.05, 0.15)
    for threshold, exact in ((0.0, 1.0 - pmf[0]), (10.0, pmf[11:].sum())):
        row = gross.loc[threshold]
        se = math.sqrt(exact * (1.0 - exact) / n_sims)
        assert abs(row["probability"] - exact) <= 4 * se, (threshold, row["probability"], exact)
        assert row["se"] == pytest.approx(se, rel=0.25)  # the estimated error, near the true
        assert row["lower"] <= row["probability"] <= row["upper"]
    assert gross.loc[1e9, "probability"] == 0.0
    assert table.columns.tolist() == ["party", "threshold", "probability", "se", "lower",
                                      "upper"]


def test_several_workers_without_a_backend_mean_worker_processes(
        scenario: risksim.Scenario) -> None:
    result = risksim.simulate(scenario, n_sims=50, seed=9, workers=2)
    assert (result.metadata["backend"], result.metadata["workers"]) == ("process", 2)
    assert result.losses.equals(risksim.simulate(scenario, n_sims=50, seed=9).losses)
