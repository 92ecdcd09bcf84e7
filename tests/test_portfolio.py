"""Portfolios: CSV loading with every column checked, and the segment generator."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.special import ndtr, ndtri

import risksim
from risksim.errors import InputError
from risksim.portfolio import Portfolio, generate_portfolio
from risksim.scenario.schema import Segment


def write(tmp_path: Path, text: str, name: str = "loans.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_with_required_columns_gets_documented_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "loan_id,ead,pd,lgd\nA,100,0.01,0.45\nB,250.5,0.2,0.6\n")
    book = Portfolio.from_file(path)
    assert len(book) == 2
    assert book["exposure"].tolist() == [100.0, 250.5]  # `ead` is a synonym
    assert book["borrower_id"].tolist() == ["A", "B"]    # one borrower per loan
    assert book["tenor_years"].tolist() == [1.0, 1.0]
    assert book["amortisation"].tolist() == ["bullet", "bullet"]
    assert book["lgd_sd"].tolist() == [0.0, 0.0]
    assert np.isnan(book["rho"]).all() and np.isnan(book["annual_sales_eur_m"]).all()
    frame = book.to_frame()
    assert Portfolio.from_frame(frame).to_frame().equals(frame)


def test_optional_columns_and_loadings_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "loan_id,exposure,pd,lgd,lgd_sd,tenor_years,amortisation,"
                           "borrower_id,sector,rating,rho,loading_trade\n"
                           "A,100,0.01,0.45,0.2,3,instalment,X,trade,B,0.12,0.3\n")
    book = Portfolio.from_file(path)
    assert book["amortisation"][0] == "instalment"
    assert book["borrower_id"][0] == "X"
    assert (book["sector"][0], book["rating"][0]) == ("trade", "B")
    assert book.loadings["trade"].tolist() == [0.3]
    assert book["rho"].tolist() == [0.12]


@pytest.mark.parametrize(("text", "line", "message"), [
    ("loan_id,exposure,pd,lgd\nA,100,0.01,0.45\nB,100,1.01,0.45\n", 3, "pd: 1.01 is not a "
     "probability in [0, 1]"),
    ("loan_id,exposure,pd,lgd\nA,100,0.01,nan\n", 2, "lgd: missing value"),
    ("loan_id,exposure,pd,lgd,amortisation\nA,100,0.01,0.4,balloon\n", 2,
     "amortisation: 'balloon' is not one of bullet, instalment"),
    ("loan_id,exposure,pd,lgd,lgd_sd\nA,100,0.01,0.5,0.6\n", 2, "lgd_sd: 0.6 is too large"),
    ("loan_id,exposure,ead,pd,lgd\nA,1,1,0.1,0.1\n", 1, "columns 'ead' and 'exposure' both"),
    ("loan_id,exposure,pd,lgd,tenor_years\nA,1,0.1,0.1,0\n", 2, "tenor_years: 0 is not years"),
    ("loan_id,exposure,pd,lgd,rho\nA,1,0.1,0.1,1\n", 2, "rho: 1 is not a correlation in"),
    ("loan_id,exposure,pd,lgd\n,1,0.1,0.1\n", 2, "loan_id: missing value"),
    ("loan_id,exposure,pd,lgd\n", None, "the portfolio has no loans"),
])
def test_csv_errors_name_line_and_column(tmp_path: Path, text: str, line: int | None,
                                         message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as raised:
        Portfolio.from_file(path)
    assert raised.value.line == line
    assert message in str(raised.value)
    assert str(raised.value).startswith(str(path))


def test_parquet_is_read_like_csv(tmp_path: Path) -> None:
    csv = write(tmp_path, "loan_id,exposure,pd,lgd,sector\nA,100,0.01,0.45,trade\n")
    parquet = tmp_path / "loans.parquet"
    Portfolio.from_file(csv).to_frame().to_parquet(parquet)
    assert Portfolio.from_file(parquet).to_frame().equals(Portfolio.from_file(csv).to_frame())


def segments(**extra: object) -> list[Segment]:
    spec = {"name": "s", "count": 20_000, "exposure": {"median": 1e6, "p95": 5e6}, "pd": 0.03,
            "lgd": 0.5, **extra}
    return [Segment.model_validate(spec)]


def lognormal_quantile_se(q: float, n: int, mu: float, sigma: float, x: float) -> float:
    """se of a sample q-quantile: √(q(1−q)/n)/f(x_q), f the lognormal density at x_q."""
    density = math.exp(-((math.log(x) - mu) ** 2) / (2 * sigma**2)) / (
        x * sigma * math.sqrt(2 * math.pi))
    return math.sqrt(q * (1 - q) / n) / density


def test_lognormal_sizes_match_median_and_p95() -> None:
    book = generate_portfolio(segments(), seed=4)
    sizes = book["exposure"]
    mu, sigma = math.log(1e6), (math.log(5e6) - math.log(1e6)) / 1.6448536269514722
    for q, target in ((0.5, 1e6), (0.95, 5e6)):
        se = lognormal_quantile_se(q, sizes.size, mu, sigma, target)
        assert abs(np.quantile(sizes, q) - target) <= 4 * se


def test_capped_sizes_follow_the_truncated_lognormal() -> None:
    book = generate_portfolio(segments(exposure={"median": 1e6, "p95": 5e6, "cap": 3e6}), 4)
    sizes = book["exposure"]
    assert sizes.max() <= 3e6
    mu, sigma = math.log(1e6), (math.log(5e6) - math.log(1e6)) / 1.6448536269514722
    top = float(ndtr((math.log(3e6) - mu) / sigma))
    median = math.exp(mu + sigma * float(ndtri(top / 2)))  # median of the truncated law
    # density of the truncated law at its median: lognormal density / F(cap)
    se = lognormal_quantile_se(0.5, sizes.size, mu, sigma, median) * top
    assert abs(np.median(sizes) - median) <= 4 * se


def test_tenor_mix_frequencies_and_ids() -> None:
    book = generate_portfolio(segments(tenor_years={1: 0.6, 2: 0.2, 3: 0.2}), seed=9)
    n = len(book)
    for tenor, weight in ((1.0, 0.6), (2.0, 0.2), (3.0, 0.2)):
        share = float(np.mean(book["tenor_years"] == tenor))
        assert abs(share - weight) <= 4 * math.sqrt(weight * (1 - weight) / n)
    assert book["loan_id"][0] == "s-000001" and book["loan_id"][-1] == f"s-{n:06d}"


def test_same_seed_same_book_other_seed_other_book() -> None:
    a, b, c = (generate_portfolio(segments(), seed) for seed in (1, 1, 2))
    assert a.to_frame().equals(b.to_frame())
    assert not a.to_frame().equals(c.to_frame())
    assert a.fingerprint() != c.fingerprint()


def test_collateral_value_scales_with_exposure() -> None:
    book = generate_portfolio(segments(collateral={"type": "patent", "value_to_exposure": 1.2,
                                                   "haircut": 0.7}), seed=1)
    assert np.allclose(book["collateral_value"], 1.2 * book["exposure"])
    assert set(book["collateral_type"]) == {"patent"}
    scenario = risksim.load_scenario({
        "name": "c", "currency": "CNY",
        "portfolio": {"generate": {"seed": 1, "segments": [
            {"name": "s", "count": 3, "exposure": 100.0, "pd": 1.0, "lgd": 0.5,
             "collateral": {"type": "patent", "value_to_exposure": 1.2, "haircut": 0.7}}]}},
        "defaults": {"correlation": 0.1},
        "arrangement": {"parties": ["bank"], "layers": [{"party": "bank", "residual": True}]}})
    # Loss = LGD × (EAD − (1 − haircut) × collateral) = 0.5 × (100 − 0.3 × 120) = 32 a loan.
    losses = risksim.simulate(scenario, n_sims=5, seed=1).losses
    assert np.allclose(losses["gross"], 3 * 32.0)


def test_column_defaults_fill_missing_columns_only(tmp_path: Path) -> None:
    path = write(tmp_path, "loan_id,exposure,pd,lgd,rho\nA,100,0.01,0.45,0.1\n")
    book = Portfolio.from_file(path, column_defaults={"tenor_years": 3, "sector": "trade"})
    assert (book["tenor_years"][0], book["sector"][0]) == (3.0, "trade")
    for defaults, message in (({"rho": 0.2}, "the file has a 'rho' column"),
                              ({"tenor_years": -1}, "-1 is not years > 0"),
                              ({"tenr_years": 3}, "did you mean 'tenor_years'?")):
        with pytest.raises(InputError) as raised:
            Portfolio.from_file(path, column_defaults=defaults)
        assert raised.value.path.startswith("portfolio.column_defaults.")
        assert message in str(raised.value)
