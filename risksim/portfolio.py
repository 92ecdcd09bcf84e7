"""Portfolio: the loans of a scenario, held column by column.

A portfolio is loaded from a CSV (or Parquet) file with every column checked, or generated
from segment specifications with a seed. Rates are fractions, money is in the scenario's
currency, tenors are in years.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from risksim.errors import InputError, escape_controls, excerpt
from risksim.util.suggest import unknown_name_message

if TYPE_CHECKING:
    from risksim.scenario.schema import Segment

AMORTISATIONS = ("bullet", "instalment")
LOADING_PREFIX = "loading_"


def _in_unit_interval(x: np.ndarray) -> np.ndarray:
    return (x >= 0.0) & (x <= 1.0)


def _positive(x: np.ndarray) -> np.ndarray:
    return x > 0.0


def _non_negative(x: np.ndarray) -> np.ndarray:
    return x >= 0.0


def _correlation_range(x: np.ndarray) -> np.ndarray:
    return (x >= 0.0) & (x < 1.0)


def _whole_year(x: np.ndarray) -> np.ndarray:
    return (x >= 0.0) & (x == np.floor(x))


def _flag(x: np.ndarray) -> np.ndarray:
    return (x == 0.0) | (x == 1.0)


@dataclass(frozen=True)
class Column:
    """How one portfolio column is read and checked.

    Parameters
    ----------
    name : str
        Column name in the file.
    numeric : bool
        True for float columns, False for text columns.
    default : object
        Value used when the column is absent; ``None`` marks a required column.
    check : callable, optional
        Vectorised predicate that must hold for every value (numeric columns).
    expected : str
        What a valid value is, for the error message.
    """

    name: str
    numeric: bool
    default: object = None
    check: Callable[[np.ndarray], np.ndarray] | None = None
    expected: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("loan_id", numeric=False),
    Column("exposure", numeric=True, check=_non_negative, expected="an amount >= 0"),
    Column("pd", numeric=True, check=_in_unit_interval, expected="a probability in [0, 1]"),
    Column("lgd", numeric=True, check=_in_unit_interval, expected="a fraction in [0, 1]"),
    Column("lgd_sd", numeric=True, default=0.0, check=_non_negative, expected="an sd >= 0"),
    Column("tenor_years", numeric=True, default=1.0, check=_positive, expected="years > 0"),
    Column("amortisation", numeric=False, default="bullet"),
    Column("origination_year", numeric=True, default=0.0, check=_whole_year,
           expected="a whole number of years >= 0"),
    Column("borrower_id", numeric=False, default=""),
    Column("sector", numeric=False, default=""),
    Column("region", numeric=False, default=""),
    Column("size_class", numeric=False, default=""),
    Column("rating", numeric=False, default=""),
    Column("purpose", numeric=False, default=""),
    Column("lender", numeric=False, default=""),
    Column("first_loan", numeric=True, default=0.0, check=_flag, expected="0 or 1"),
    Column("guarantee_age_years", numeric=True, default=0.0, check=_non_negative,
           expected="years >= 0"),
    Column("interest_rate", numeric=True, default=0.0, check=_non_negative,
           expected="an annual rate >= 0 (a fraction)"),
    Column("collateral_type", numeric=False, default="none"),
    Column("collateral_value", numeric=True, default=0.0, check=_non_negative,
           expected="an amount >= 0"),
    Column("collateral_haircut", numeric=True, default=0.0, check=_in_unit_interval,
           expected="a fraction in [0, 1]"),
    Column("annual_sales_eur_m", numeric=True, default=np.nan, check=_positive,
           expected="EUR millions > 0"),
    Column("rho", numeric=True, default=np.nan, check=_correlation_range,
           expected="a correlation in [0, 1)"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
SYNONYMS = {"ead": "exposure"}


@dataclass(frozen=True, eq=False)
class Portfolio:
    """Loans held column by column (one numpy array per attribute, one entry per loan).

    Attributes
    ----------
    columns : Mapping[str, numpy.ndarray]
        Every column of :data:`COLUMNS`: ``exposure`` (money), ``pd`` (annual default
        probability), ``lgd`` (mean loss given default, fraction of the loss base) and
        ``lgd_sd`` (its standard deviation; 0 means fixed), ``tenor_years``, ``amortisation``
        (``bullet`` or ``instalment``), ``origination_year`` (the loan's vintage: the year
        of the horizon it is granted in, 0 for the first), ``borrower_id``, segment
        attributes (``sector``, ``region``, ``size_class``, ``rating``, ``purpose``,
        ``collateral_type``), ``lender`` (the bank that granted it, for per-bank terms),
        ``first_loan`` (1 for a borrower's first bank loan), ``guarantee_age_years`` (years
        the borrower has used guarantees), ``interest_rate`` (annual, fraction),
        ``collateral_value`` (money) with ``collateral_haircut`` (fraction),
        ``annual_sales_eur_m`` (for the Basel SME correlation; NaN when unknown) and ``rho``
        (asset correlation given per loan; NaN when not given).
    loadings : Mapping[str, numpy.ndarray]
        Per-loan factor loadings by factor name (from ``loading_<factor>`` columns).
    """

    columns: Mapping[str, np.ndarray]
    loadings: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lengths = {len(v) for v in (*self.columns.values(), *self.loadings.values())}
        if len(lengths) > 1:
            raise ValueError(f"portfolio columns differ in length: {sorted(lengths)}")

    def __len__(self) -> int:
        return len(self.columns["loan_id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    @property
    def n_loans(self) -> int:
        """Number of loans."""
        return len(self)

    def to_frame(self) -> pd.DataFrame:
        """The loans as a DataFrame, one row per loan, one column per attribute."""
        data = dict(self.columns)
        data.update({LOADING_PREFIX + k: v for k, v in self.loadings.items()})
        return pd.DataFrame(data)

    def fingerprint(self) -> bytes:
        """Bytes that change whenever any loan attribute changes (for scenario hashes)."""
        frame = self.to_frame()
        return pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, source: str = "<frame>") -> Portfolio:
        """Check a DataFrame of loans column by column and build a portfolio.

        Raises
        ------
        InputError
            Naming the source, the line (header is line 1) and the column of the first
            bad value.
        """
        return _check_frame(frame, source, lines=np.arange(len(frame)) + 2)

    @classmethod
    def from_file(cls, path: str | Path, source: str | None = None,
                  column_defaults: Mapping[str, float | str] | None = None) -> Portfolio:
        """Load loans from a CSV file (or ``.parquet`` when pyarrow is installed).

        ``column_defaults`` gives every loan a value for a column the file lacks; an
        InputError at ``portfolio.column_defaults.<column>`` if the file has the column, the
        name is unknown or the value is not valid for it.
        """
        path = Path(path)
        name = source or str(path)
        if not path.is_file():
            raise InputError(f"portfolio file not found: {path}", source=name)
        if path.suffix.lower() == ".parquet":
            frame = _read_parquet(path, name)
            header_line, lines = 1, np.arange(len(frame)) + 2
        else:
            frame, header_line, lines = _read_csv(path, name)
        for column, value in (column_defaults or {}).items():
            frame[column] = _default_column(column, value, frame)
        return _check_frame(frame, name, lines=lines, header_line=header_line)


def _default_column(column: str, value: float | str, frame: pd.DataFrame) -> str:
    """The text of a column default, after checking it as the column's values are checked."""
    path = f"portfolio.column_defaults.{column}"
    spec = {c.name: c for c in COLUMNS}.get(SYNONYMS.get(column, column))
    if spec is None or spec.name == "loan_id":
        raise InputError(unknown_name_message("column", column, sorted(COLUMN_NAMES[1:])),
                         path=path)
    if spec.name in frame.columns or column in frame.columns:
        raise InputError(f"the file has a '{column}' column; column_defaults only fills "
                         "missing columns", path=path)
    if spec.numeric and (isinstance(value, str) or not np.isfinite(value) or (
            spec.check is not None and not spec.check(np.array([value], dtype=float))[0])):
        raise InputError(f"{excerpt(value)} is not {spec.expected}", path=path)
    if spec.name == "amortisation" and value not in AMORTISATIONS:
        raise InputError(f"{excerpt(value)} is not one of {', '.join(AMORTISATIONS)}", path=path)
    return str(value)


def _read_csv(path: Path, source: str) -> tuple[pd.DataFrame, int, np.ndarray]:
    """The cells of a CSV file as text, the header's line and the line each row starts on.

    Blank lines are skipped but still counted, so every error names the line of the file
    (a row with more or fewer cells than the header is itself an error at its line).
    """
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1  # the line the next row starts on
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, skipinitialspace=True, strict=True)
            for cells in reader:
                line, start = start, reader.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue
                if header is None:
                    header, header_line = cells, line
                elif len(cells) != len(header):
                    raise InputError(f"{len(cells)} cells where the header has {len(header)}",
                                     source=source, line=line)
                else:
                    rows.append(cells)
                    lines.append(line)
    except csv.Error as exc:
        raise InputError(f"cannot read CSV: {exc}", source=source, line=start) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read CSV: not UTF-8 text ({exc.reason} at byte {exc.start})",
                         source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read CSV: {exc.strerror}", source=source) from None
    if header is None:
        raise InputError("the file is empty: expected a header line (loan_id,exposure,pd,lgd"
                         ",...) and one line per loan", source=source)
    return (pd.DataFrame(rows, columns=header, dtype=object), header_line,
            np.array(lines, dtype=np.int64))


def _read_parquet(path: Path, source: str) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError("reading Parquet needs pyarrow: pip install 'risksim[parquet]'",
                         source=source) from None
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise InputError(f"cannot read Parquet: {str(exc).strip().splitlines()[0]}",
                         source=source) from None
    return frame.astype({c: str for c in frame.columns if frame[c].dtype == object})


def _check_frame(frame: pd.DataFrame, source: str, lines: np.ndarray | None,
                 header_line: int | None = 1) -> Portfolio:
    """Check every column and build the portfolio.

    ``lines`` holds the line of the file each row comes from and ``header_line`` the
    header's, for the error messages (None: not from a file, no line is named).
    """
    frame = frame.rename(columns={c: c.strip() for c in frame.columns})
    _check_header(frame, source, header_line)
    frame = frame.rename(columns=SYNONYMS)
    n = len(frame)
    if n == 0:
        raise InputError("the portfolio has no loans", source=source)

    def fail(column: str, row: int, message: str) -> InputError:
        line = None if lines is None else int(lines[row])
        return InputError(message, source=source, line=line, path=column)

    columns: dict[str, np.ndarray] = {}
    for col in COLUMNS:
        if col.name not in frame.columns:
            if col.default is None:
                raise InputError(f"missing required column '{col.name}'", source=source,
                                 line=header_line)
            columns[col.name] = np.full(n, col.default, dtype=float if col.numeric else object)
            continue
        raw = frame[col.name]
        columns[col.name] = (_numeric_column(raw, col, fail) if col.numeric
                             else _text_column(raw, col, fail))
    loadings = {name[len(LOADING_PREFIX):]: _numeric_column(frame[name], Column(
        name, numeric=True, check=np.isfinite, expected="a finite number"), fail)
        for name in frame.columns if name.startswith(LOADING_PREFIX)}
    _check_loans(columns, fail)
    return Portfolio(columns=columns, loadings=loadings)


def _check_header(frame: pd.DataFrame, source: str, header_line: int | None) -> None:
    names = list(frame.columns)
    for alias, canonical in SYNONYMS.items():
        if alias in names and canonical in names:
            raise InputError(f"columns {excerpt(alias)} and '{canonical}' both given; keep one",
                             source=source, line=header_line)
    known = set(COLUMN_NAMES) | set(SYNONYMS)
    for name in names:
        if name not in known and not name.startswith(LOADING_PREFIX):
            raise InputError(unknown_name_message("column", name, sorted(known)),
                             source=source, line=header_line)
    duplicated = [n for n in names if names.count(n) > 1]
    if duplicated:
        raise InputError(f"column {excerpt(duplicated[0])} appears twice", source=source,
                         line=header_line)


FailFn = Callable[[str, int, str], InputError]


def _numeric_column(raw: pd.Series, col: Column, fail: FailFn) -> np.ndarray:
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    text = _as_text(raw)
    blank = text.eq("").to_numpy() | text.str.lower().isin(["nan", "na", "null"]).to_numpy()
    if col.default is not None and blank.all():
        return np.full(len(raw), col.default, dtype=float)
    if blank.any():
        row = int(np.argmax(blank))
        raise fail(col.name, row, f"missing value (expected {col.expected or 'a number'})")
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.argmax(bad))
        kind = "a finite number" if np.isinf(values[row]) else "a number"
        raise fail(col.name, row, f"{excerpt(text.iloc[row])} is not {kind}")
    if col.check is not None:
        with np.errstate(invalid="ignore"):
            bad = ~col.check(values)
        if bad.any():
            row = int(np.argmax(bad))
            raise fail(col.name, row, f"{values[row]:g} is not {col.expected}")
    return values


def _text_column(raw: pd.Series, col: Column, fail: FailFn) -> np.ndarray:
    """The column as text; loans with the same value share one string object (a sector
    repeated over a million loans costs a pointer per loan, not a string)."""
    codes, distinct = pd.factorize(_as_text(raw))
    control = [i for i, text in enumerate(distinct) if escape_controls(text) != text]
    if control:
        raise fail(col.name, int(np.argmax(codes == control[0])),
                   f"{excerpt(distinct[control[0]])}: expected text without control "
                   "characters (NUL, escape, line breaks, ...)")
    values = np.asarray(distinct, dtype=object)[codes]
    if col.default is None:
        blank = values == ""
        if blank.any():
            raise fail(col.name, int(np.argmax(blank)), "missing value")
    else:
        values[values == ""] = col.default
    return values


def _as_text(raw: pd.Series) -> pd.Series:
    """The column as stripped text, missing values as empty strings."""
    return raw.astype("string").fillna("").str.strip().astype(object)


def _check_loans(columns: dict[str, np.ndarray], fail: FailFn) -> None:
    ids = columns["loan_id"]
    _, first, counts = np.unique(ids.astype(str), return_index=True, return_counts=True)
    if (counts > 1).any():
        dup = ids[first[counts > 1][0]]
        raise fail("loan_id", int(np.flatnonzero(ids == dup)[1]),
                   f"duplicate loan_id {excerpt(dup)}")
    bad = ~np.isin(columns["amortisation"], AMORTISATIONS)
    if bad.any():
        row = int(np.argmax(bad))
        raise fail("amortisation", row, f"{excerpt(columns['amortisation'][row])} is not one "
                   f"of {', '.join(AMORTISATIONS)}")
    mean, sd = columns["lgd"], columns["lgd_sd"]
    bad = (sd > 0) & (sd**2 >= mean * (1 - mean))
    if bad.any():
        row = int(np.argmax(bad))
        raise fail("lgd_sd", row, f"{sd[row]:g} is too large for a beta LGD with mean "
                   f"{mean[row]:g} (sd^2 must be below mean*(1-mean))")
    blank_borrower = columns["borrower_id"] == ""
    columns["borrower_id"] = np.where(blank_borrower, ids, columns["borrower_id"])


# ----------------------------------------------------------------------------------------
# Generation from segment specifications
# ----------------------------------------------------------------------------------------

def generate_portfolio(segments: list[Segment], seed: int) -> Portfolio:
    """Draw a synthetic portfolio from segment specifications.

    Each segment gives a loan count, an exposure (fixed, or lognormal by median and 95th
    percentile, optionally capped: drawn from the lognormal truncated at the cap, never
    clamped), an annual PD, a tenor (fixed or a mix ``{years: weight}``), an LGD (fixed or
    beta by mean and sd) and segment attributes. Loan ids are ``<segment>-<n>``.

    Parameters
    ----------
    segments : list of Segment
        The scenario's segment specifications.
    seed : int
        Seed of the generator (independent of the simulation seed).
    """
    rng = np.random.Generator(np.random.PCG64DXSM(np.random.SeedSequence(seed)))
    parts = [_segment_frame(seg, rng) for seg in segments]
    frame = pd.concat(parts, ignore_index=True)
    for column in COLUMNS:  # an attribute some segments set and others do not
        if column.name in frame.columns and column.default is not None:
            frame[column.name] = frame[column.name].where(frame[column.name].notna(),
                                                          column.default)
    return _check_frame(frame, "<generated>", lines=None, header_line=None)


def _segment_frame(seg: Segment, rng: np.random.Generator) -> pd.DataFrame:
    n = seg.count
    data: dict[str, Any] = {
        "loan_id": [f"{seg.name}-{i + 1:06d}" for i in range(n)],
        "exposure": _draw_exposure(seg, rng),
        "pd": np.full(n, seg.pd),
        "tenor_years": _draw_mix(seg.tenor_years, seg.count, rng),
        "origination_year": _draw_mix(seg.origination_year, seg.count, rng),
        "amortisation": seg.amortisation,
        "size_class": seg.size_class or seg.name,
    }
    if isinstance(seg.lgd, float):
        data["lgd"], data["lgd_sd"] = seg.lgd, 0.0
    else:
        data["lgd"], data["lgd_sd"] = seg.lgd.beta.mean, seg.lgd.beta.sd
    for attr in ("sector", "region", "rating", "purpose", "annual_sales_eur_m",
                 "guarantee_age_years", "interest_rate"):
        value = getattr(seg, attr)
        if value is not None:
            data[attr] = value
    if seg.first_loan is not None:
        data["first_loan"] = float(seg.first_loan)
    if seg.lender is not None:
        data["lender"] = (np.full(n, seg.lender) if isinstance(seg.lender, str)
                          else _draw_names(seg.lender, n, rng))
    if seg.collateral is not None:
        data["collateral_type"] = seg.collateral.type
        data["collateral_value"] = seg.collateral.value_to_exposure * data["exposure"]
        data["collateral_haircut"] = seg.collateral.haircut
    frame = pd.DataFrame(data)
    return frame.astype({c: float for c in frame.columns if c in _NUMERIC}).astype(
        {c: str for c in frame.columns if c not in _NUMERIC})


_NUMERIC = {c.name for c in COLUMNS if c.numeric}


def _draw_exposure(seg: Segment, rng: np.random.Generator) -> np.ndarray:
    spec = seg.exposure
    if isinstance(spec, float):
        return np.full(seg.count, spec)
    mu = np.log(spec.median)
    sigma = (np.log(spec.p95) - mu) / ndtri(0.95)
    top = 1.0 if spec.cap is None else float(ndtr((np.log(spec.cap) - mu) / sigma))
    u = rng.random(seg.count) * top
    sizes = np.rint(np.exp(mu + sigma * ndtri(u)))
    return sizes if spec.cap is None else np.minimum(sizes, spec.cap)  # rint may round up


def _draw_names(mix: Mapping[str, float], count: int, rng: np.random.Generator) -> np.ndarray:
    """Names drawn from a mix ``{name: weight}`` (e.g. the lender of each loan)."""
    names = np.array(list(mix.keys()))
    weights = np.array(list(mix.values()), dtype=float)
    return names[rng.choice(names.size, size=count, p=weights / weights.sum())]


def _draw_mix(spec: float | Mapping[float, float] | Mapping[int, float], count: int,
              rng: np.random.Generator) -> np.ndarray:
    """A fixed value, or values drawn from a mix ``{value: weight}`` (tenors, vintages)."""
    if not isinstance(spec, Mapping):
        return np.full(count, float(spec))
    values = np.array(list(spec.keys()), dtype=float)
    weights = np.array(list(spec.values()), dtype=float)
    return rng.choice(values, size=count, p=weights / weights.sum())
