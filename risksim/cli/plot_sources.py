"""What ``risksim plot`` draws from a file: a result folder, a compare folder or a sweep CSV,
and the command-line option of a plot argument."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from risksim.errors import InputError
from risksim.present.plots.frame import MIXED_CURRENCIES


def saved(source: str | Path) -> tuple[Any, str, dict[str, Any]]:
    """What ``risksim plot`` draws from ``source``: (data, what it is, plot options).

    A result folder (``summary.json``: a Result, ``"result"``), a compare folder
    (``parties.csv``, with the currency and lending of ``schemes.csv``: ``"comparison"``)
    or a sweep's CSV (``"sweep"``).
    """
    from risksim.results.result import SUMMARY_FILE, load_result

    source = Path(source)
    if source.is_dir() and (source / SUMMARY_FILE).is_file():
        return load_result(source), "result", {}
    if source.is_dir() and (source / "parties.csv").is_file():
        parties = pd.read_csv(source / "parties.csv", index_col=["scheme", "party"])
        options: dict[str, Any] = {}
        if (source / "schemes.csv").is_file():
            schemes = pd.read_csv(source / "schemes.csv", index_col="scheme")
            options["lending"] = schemes["lending"]
            if "currency" in schemes.columns:
                currencies = set(schemes["currency"])
                options["currency"] = (currencies.pop() if len(currencies) == 1
                                       else MIXED_CURRENCIES)
        return parties, "comparison", options
    if source.is_file() and source.suffix.lower() == ".csv":
        frame = pd.read_csv(source)
        if {"varied", "party", "measure", "value"} <= set(frame.columns):
            return frame, "sweep", {}
    raise InputError("not something to plot: expected a result folder (with summary.json), "
                     "a compare folder (with parties.csv) or a sweep CSV", source=str(source))


def option_named(exc: TypeError) -> str:
    """The command-line option of a plot argument that ``exc`` (an unexpected keyword
    argument) names: ``--level`` from "... unexpected keyword argument 'level'"."""
    text = str(exc)
    name = text.rsplit("'", 2)[-2] if text.count("'") >= 2 else text
    return "--" + name.replace("parties", "party").replace("_", "-")
