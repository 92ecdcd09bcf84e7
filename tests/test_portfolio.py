"""Portfolios: CSV loading with every column checked, and the segment generator."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.special import ndtr, ndtri

import risksim
from risksim.errors import InputError
from risksim.portfolio import COLUMN_NAMES, Portfolio, generate_portfolio
from risksim.scenario.schema import Segment

Z95 = float(ndtri(0.95))


def write(tmp_path: Path, text: str, name: str = "loans.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------
# Loading a CSV file
# ----------------------------------------------------------------------------------------

def test_csv_with_required_columns_gets_documented_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "loan_id,ead,pd,lgd\nA,100,0.01,0.45\nB,250.5,0.2,0.6\n")
    book = Portfolio.from_file(path)
    assert len(book) == book.n_loans == 2
    assert set(book.columns) == set(COLUMN_NAMES)
    for name in COLUMN_NAMES:  # numbers as float64, text as Python strings
        values = book[name]
        assert values.shape == (2,)
        if values.dtype == object:
            assert all(isinstance(v, str) for v in values), name
        else:
            assert values.dtype == np.float64, name
    assert book["loan_id"].dtype == object and book["pd"].dtype == np.float64
    assert book["exposure"].tolist() == [100.0, 250.5]  # `ead` is a synonym
    assert book["pd"].tolist() == [0.01, 0.2]
    assert book["lgd"].tolist() == [0.45, 0.6]
    assert book["borrower_id"].tolist() == ["A", "B"]    # one borrower per loan
    assert book["tenor_years"].tolist() == [1.0, 1.0]
    assert book["amortisation"].tolist() == ["bullet", "bullet"]
    assert book["lgd_sd"].tolist() == [0.0, 0.0]
    assert book["collateral_type"].tolist() == ["none", "none"]
    assert book["collateral_value"].tolist() == [0.0, 0.0]
    assert book["sector"].tolist() == ["", ""]
    assert book["lender"].tolist() == ["", ""] and book["purpose"].tolist() == ["", ""]
    assert book["first_loan"].tolist() == [0.0, 0.0]
    assert book["interest_rate"].tolist() == [0.0, 0.0]
    assert np.isnan(book["rho"]).all() and np.isnan(book["annual_sales_eur_m"]).all()
    assert dict(book.loadings) == {}


def test_to_frame_round_trips_through_from_frame_and_a_csv_file(tmp_path: Path) -> None:
    path = write(tmp_path, "loan_id,exposure,pd,lgd,borrower_id,sector,rho\n"
                           "A,100,0.01,0.45,X,trade,0.12\nB,250.5,0.2,0.6,,,0.2\n")
    frame = Portfolio.from_file(path).to_frame()
    assert list(frame["borrower_id"]) == ["X", "B"]  # a blank borrower is the loan itself
    assert Portfolio.from_frame(frame).to_frame().equals(frame)
    again = tmp_path / "again.csv"
    frame.to_csv(again, index=False)
    assert Portfolio.from_file(again).to_frame().equals(frame)


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
    assert book["tenor_years"].tolist() == [3.0]


def test_spaces_quotes_crlf_bom_and_blank_lines_are_read(tmp_path: Path) -> None:
    text = ('\ufeffloan_id, exposure ,pd,lgd\r\n'
            '\r\n'
            '"A", 100 ,0.01,0.45\r\n'
            '"B,2",200,0.02,0.5\r\n'
            '\r\n')
    book = Portfolio.from_file(write(tmp_path, text))
    assert book["loan_id"].tolist() == ["A", "B,2"]
    assert book["exposure"].tolist() == [100.0, 200.0]


H = "loan_id,exposure,pd,lgd"
"""The header of the required columns."""

# Each bad CSV: the text, the line of the file the error names (header = line 1, first loan =
# line 2; None when no line applies), the column (None for the file as a whole) and a part of
# the message.
CSV_ERRORS: dict[str, tuple[str, int | None, str | None, str]] = {
    "negative-exposure": (f"{H}\nA,100,0.01,0.45\nB,-5,0.01,0.45\n", 3, "exposure",
                          "-5 is not an amount >= 0"),
    "pd-above-one": (f"{H}\nA,100,0.01,0.45\nB,100,1.01,0.45\n", 3, "pd",
                     "1.01 is not a probability in [0, 1]"),
    "empty-pd": (f"{H}\nA,100,0.01,0.45\nB,100,,0.45\n", 3, "pd",
                 "missing value"),
    "NaN-lgd": (f"{H}\nA,100,0.01,NaN\n", 2, "lgd",
                "missing value"),
    "nan-lgd": (f"{H}\nA,100,0.01,nan\n", 2, "lgd",
                "missing value"),
    "pd-not-a-number": (f"{H}\nA,100,abc,0.45\n", 2, "pd",
                        "'abc' is not a number"),
    "thousands-separator": (f'{H}\nA,"1,000",0.01,0.45\n', 2, "exposure",
                            "'1,000' is not a number"),
    "infinite-exposure": (f"{H}\nA,1,0.1,0.1\nB,inf,0.1,0.1\n", 3, "exposure",
                          "'inf' is not a finite number"),
    "overflowing-exposure": (f"{H}\nA,1e400,0.1,0.1\n", 2, "exposure",
                             "'1e400' is not a finite number"),
    "infinite-tenor": (f"{H},tenor_years\nA,1,0.1,0.1,inf\n", 2, "tenor_years",
                       "'inf' is not a finite number"),
    "missing-column": ("loan_id,exposure,lgd\nA,100,0.45\n", 1, None,
                       "missing required column 'pd'"),
    "unknown-column": (f"{H},pdd\nA,100,0.01,0.45,0.1\n", 1, None,
                       "unknown column 'pdd'; did you mean 'pd'?"),
    "duplicate-column": (f"{H},pd\nA,100,0.01,0.45,0.1\n", 1, None,
                         "column 'pd' appears twice"),
    "ead-and-exposure": ("loan_id,exposure,ead,pd,lgd\nA,1,1,0.1,0.1\n", 1, None,
                         "columns 'ead' and 'exposure' both given"),
    "duplicate-loan-id": (f"{H}\nL1,1,0.1,0.1\nL2,1,0.1,0.1\nL1,1,0.1,0.1\n", 4, "loan_id",
                          "duplicate loan_id 'L1'"),
    "empty-loan-id": (f"{H}\n,1,0.1,0.1\n", 2, "loan_id",
                      "missing value"),
    "unknown-amortisation": (f"{H},amortisation\nA,100,0.01,0.4,balloon\n", 2, "amortisation",
                             "'balloon' is not one of bullet, instalment"),
    "lgd-sd-too-large": (f"{H},lgd_sd\nA,100,0.01,0.5,0.6\n", 2, "lgd_sd",
                         "0.6 is too large"),
    "zero-tenor": (f"{H},tenor_years\nA,1,0.1,0.1,0\n", 2, "tenor_years",
                   "0 is not years > 0"),
    "rho-one": (f"{H},rho\nA,1,0.1,0.1,1\n", 2, "rho",
                "1 is not a correlation in"),
    "first-loan-not-a-flag": (f"{H},first_loan\nA,1,0.1,0.1,1\nB,1,0.1,0.1,2\n", 3,
                              "first_loan", "2 is not 0 or 1"),
    "negative-interest": (f"{H},interest_rate\nA,1,0.1,0.1,-0.05\n", 2, "interest_rate",
                          "-0.05 is not an annual rate >= 0"),
    "loading-not-a-number": (f"{H},loading_trade\nA,1,0.1,0.1,x\n", 2, "loading_trade",
                             "'x' is not a number"),
    # Blank lines count: the bad loan is on line 5 of the file, the third data row.
    "blank-line-before": (f"{H}\nA,1,0.1,0.1\n\nB,1,0.1,0.1\nC,1,1.5,0.1\n", 5, "pd",
                          "1.5 is not a probability"),
    "blank-lines-before-header": (f"\n\n{H},pdd\nA,1,0.1,0.1,1\n", 3, None,
                                  "unknown column 'pdd'"),
    # A quoted cell may span lines in CSV, but no text cell may hold a line break (it
    # would break every table and terminal line it reaches): refused where it starts.
    "quoted-newline": (f'{H}\n"A\nB",1,0.1,0.1\nC,1,1.5,0.1\n', 2, "loan_id",
                       "'A\\nB': expected text without control characters"),
    "nul-in-id": (f"{H}\nA\x00B,1,0.1,0.1\n", 2, "loan_id",
                  "'A\\x00B': expected text without control characters"),
    "escape-in-sector": (f"{H},sector\nA,1,0.1,0.1,\x1b[31mred\n", 2, "sector",
                         "'\\x1b[31mred': expected text without control characters"),
    "too-many-cells": (f"{H}\nA,1,0.1,0.1\nB,1,0.1,0.1,9\n", 3, None,
                       "5 cells where the header has 4"),
    "too-few-cells": (f"{H}\nA,1,0.1\n", 2, None,
                      "3 cells where the header has 4"),
    "bad-quote": (f'{H}\nA,1,0.1,0.1\n"B"x,1,0.1,0.1\n', 3, None,
                  "cannot read CSV"),
    "header-only": (f"{H}\n", None, None,
                    "the portfolio has no loans"),
    "empty-file": ("", None, None,
                   "the file is empty"),
    "blank-file": ("\n \n", None, None,
                   "the file is empty"),
}


@pytest.mark.parametrize(("text", "line", "column", "message"), CSV_ERRORS.values(),
                         ids=CSV_ERRORS.keys())
def test_csv_errors_name_line_and_column(tmp_path: Path, text: str, line: int | None,
                                         column: str | None, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as raised:
        Portfolio.from_file(path)
    error = raised.value
    assert (error.source, error.line, error.path) == (str(path), line, column)
    assert message in error.message
    where = str(path) if line is None else f"{path}:{line}"
    assert str(error) == ": ".join(p for p in (where, column, error.message) if p)


def test_a_file_that_is_not_utf8_or_not_parquet_is_one_error(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("loan_id,exposure,pd,lgd\nK\xf6ln,1,0.1,0.1\n".encode("latin-1"))
    with pytest.raises(InputError, match="cannot read CSV: not UTF-8 text"):
        Portfolio.from_file(latin)
    fake = write(tmp_path, "loan_id,exposure,pd,lgd\n", "loans.parquet")
    with pytest.raises(InputError, match="cannot read Parquet") as raised:
        Portfolio.from_file(fake)
    assert raised.value.source == str(fake)
    with pytest.raises(InputError, match="portfolio file not found"):
        Portfolio.from_file(tmp_path / "absent.csv")


def test_parquet_is_read_like_csv(tmp_path: Path) -> None:
    csv = write(tmp_path, "loan_id,exposure,pd,lgd,sector\nA,100,0.01,0.45,trade\n")
    parquet = tmp_path / "loans.parquet"
    Portfolio.from_file(csv).to_frame().to_parquet(parquet)
    assert Portfolio.from_file(parquet).to_frame().equals(Portfolio.from_file(csv).to_frame())


def test_column_defaults_fill_missing_columns_only(tmp_path: Path) -> None:
    path = write(tmp_path, "loan_id,exposure,pd,lgd,rho\nA,100,0.01,0.45,0.1\n")
    book = Portfolio.from_file(path, column_defaults={"tenor_years": 3, "sector": "trade"})
    assert (book["tenor_years"][0], book["sector"][0]) == (3.0, "trade")
    for defaults, message in (({"rho": 0.2}, "the file has a 'rho' column"),
                              ({"tenor_years": -1}, "-1 is not years > 0"),
                              ({"tenor_years": math.inf}, "inf is not years > 0"),
                              ({"tenr_years": 3}, "did you mean 'tenor_years'?")):
        with pytest.raises(InputError) as raised:
            Portfolio.from_file(path, column_defaults=defaults)
        assert raised.value.path == f"portfolio.column_defaults.{next(iter(defaults))}"
        assert message in str(raised.value)


# ----------------------------------------------------------------------------------------
# Generating loans from segments
# ----------------------------------------------------------------------------------------

def segment(**extra: Any) -> Segment:
    spec = {"name": "s", "count": 20_000, "exposure": {"median": 1e6, "p95": 5e6}, "pd": 0.03,
            "lgd": 0.5, **extra}
    return Segment.model_validate(spec)


def lognormal_density(x: float, mu: float, sigma: float) -> float:
    """f(x) = exp(−(ln x − μ)² / 2σ²) / (x σ √(2π))."""
    return math.exp(-((math.log(x) - mu) ** 2) / (2 * sigma**2)) / (
        x * sigma * math.sqrt(2 * math.pi))


def quantile_se(q: float, n: int, density_at_quantile: float) -> float:
    """Standard error of the sample q-quantile of n draws: √(q(1−q)/n) / f(x_q).

    The sample quantile is asymptotically normal around x_q with variance q(1−q) / (n f(x_q)²),
    f the density of the law the draws come from, at its q-quantile x_q.
    """
    return math.sqrt(q * (1 - q) / n) / density_at_quantile


def test_counts_per_segment_and_fixed_exposure() -> None:
    book = generate_portfolio([segment(name="small", count=300, exposure=2.5e5, pd=0.04),
                               segment(name="large", count=120, lgd=0.3)], seed=3)
    assert len(book) == 420
    small = book["size_class"] == "small"
    assert small.sum() == 300 and (book["size_class"] == "large").sum() == 120
    assert all(loan_id.startswith("small-") for loan_id in book["loan_id"][small])
    assert book["loan_id"][0] == "small-000001" and book["loan_id"][-1] == "large-000120"
    assert (book["exposure"][small] == 2.5e5).all()  # a fixed exposure is every loan's
    assert (book["pd"][small] == 0.04).all() and (book["pd"][~small] == 0.03).all()
    assert (book["lgd"][~small] == 0.3).all() and (book["lgd_sd"] == 0.0).all()
    assert len(set(book["exposure"][~small])) > 100  # the lognormal segment varies


def test_lognormal_sizes_match_median_and_p95() -> None:
    book = generate_portfolio([segment()], seed=4)
    sizes = book["exposure"]
    mu, sigma = math.log(1e6), (math.log(5e6) - math.log(1e6)) / Z95
    for q, target in ((0.5, 1e6), (0.95, 5e6)):
        se = quantile_se(q, sizes.size, lognormal_density(target, mu, sigma))
        assert abs(np.quantile(sizes, q) - target) <= 4 * se, q


def test_capped_sizes_follow_the_truncated_lognormal() -> None:
    cap = 3e6
    book = generate_portfolio([segment(exposure={"median": 1e6, "p95": 5e6, "cap": cap})], 4)
    sizes = book["exposure"]
    assert sizes.max() <= cap
    mu, sigma = math.log(1e6), (math.log(5e6) - math.log(1e6)) / Z95
    top = float(ndtr((math.log(cap) - mu) / sigma))  # F(cap): the mass kept below the cap
    median = math.exp(mu + sigma * float(ndtri(top / 2)))  # median of the truncated law
    # The truncated law's density is f(x) / F(cap) below the cap.
    se = quantile_se(0.5, sizes.size, lognormal_density(median, mu, sigma) / top)
    assert abs(np.median(sizes) - median) <= 4 * se


def test_sizes_rounded_to_whole_units_stay_below_a_fractional_cap() -> None:
    # Sizes in [2.5, 2.7) round to 3: the cap still holds.
    book = generate_portfolio([segment(exposure={"median": 2.0, "p95": 3.0, "cap": 2.7})], 1)
    assert book["exposure"].max() <= 2.7
    assert (book["exposure"] == 2.7).any()


def test_tenor_mix_frequencies_within_four_binomial_standard_errors() -> None:
    book = generate_portfolio([segment(tenor_years={1: 0.6, 2: 0.2, 3: 0.2})], seed=9)
    n = len(book)
    assert set(book["tenor_years"]) == {1.0, 2.0, 3.0}
    for tenor, weight in ((1.0, 0.6), (2.0, 0.2), (3.0, 0.2)):
        share = float(np.mean(book["tenor_years"] == tenor))
        assert abs(share - weight) <= 4 * math.sqrt(weight * (1 - weight) / n), tenor


def test_same_seed_same_book_other_seed_other_book() -> None:
    a, b, c = (generate_portfolio([segment(tenor_years={1: 0.5, 3: 0.5})], seed)
               for seed in (1, 1, 2))
    assert a.to_frame().equals(b.to_frame())
    assert a.fingerprint() == b.fingerprint()
    assert (a["exposure"] != c["exposure"]).mean() > 0.99
    assert (a["tenor_years"] != c["tenor_years"]).any()
    assert a.fingerprint() != c.fingerprint()


def test_collateral_value_scales_with_exposure() -> None:
    book = generate_portfolio([segment(collateral={"type": "patent", "value_to_exposure": 1.2,
                                                   "haircut": 0.7})], seed=1)
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


def test_lender_mix_frequencies_within_four_binomial_standard_errors() -> None:
    # Each loan's lender is drawn from the mix: the count of "a" is Binomial(n, 0.3).
    n, weight = 20_000, 0.3
    seg = Segment(name="s", count=n, exposure=1.0, pd=0.01, lgd=0.5,
                  lender={"a": weight, "b": 1 - weight}, first_loan=True, purpose="investment")
    book = generate_portfolio([seg], seed=3)
    count = int((book["lender"] == "a").sum())
    assert abs(count - n * weight) <= 4 * math.sqrt(n * weight * (1 - weight))
    assert set(book["lender"]) == {"a", "b"}
    assert (book["first_loan"] == 1.0).all() and (book["purpose"] == "investment").all()
