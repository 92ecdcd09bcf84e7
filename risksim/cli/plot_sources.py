"""What ``risksim plot`` draws from a file: a result folder, a compare folder or a sweep CSV,
and the command-line option of a plot argument."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from risksim.errors import InputError
from risksim.results.comparison import PARTIES_CSV, Comparison
from risksim.results.fee_curve import FeeCurve
from risksim.results.result import SUMMARY_FILE, load_result
from risksim.results.sweep import Sweep


def saved(source: str | Path) -> tuple[Any, str, dict[str, Any]]:
    """What ``risksim plot`` draws from ``source``: (data, what it is, plot options).

    A result folder (``summary.json``: a Result, ``"result"``), a compare folder
    (``parties.csv``, ``schemes.csv`` and ``comparison.json``: ``"comparison"``),
    a fee curve's CSV (``risksim price --set ... --out``: ``"fee_curve"``) or a sweep's CSV
    (``"sweep"``).
    """
    source = Path(source)
    if source.is_dir() and (source / SUMMARY_FILE).is_file():
        return load_result(source), "result", {}
    if source.is_dir() and (source / PARTIES_CSV).is_file():
        return Comparison.load(source), "comparison", {}
    if source.is_file() and source.suffix.lower() == ".csv":
        if FeeCurve.is_fee_curve_table(pd.read_csv(source, nrows=1)):
            return FeeCurve.load(source), "fee_curve", {}
        swept = Sweep.load(source)
        if Sweep.is_sweep_table(swept.table):
            return swept, "sweep", {}
    raise InputError("not something to plot: expected a result folder (with summary.json), "
                     "a compare folder (with parties.csv), a fee curve CSV or a sweep CSV",
                     source=str(source))


def option_named(exc: TypeError) -> str:
    """The command-line option of a plot argument that ``exc`` (an unexpected keyword
    argument) names: ``--level`` from "... unexpected keyword argument 'level'"."""
    text = str(exc)
    name = text.rsplit("'", 2)[-2] if text.count("'") >= 2 else text
    return "--" + name.replace("parties", "party").replace("_", "-")
