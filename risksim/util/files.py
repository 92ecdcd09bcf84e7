"""Writing files safely: under a temporary name first, renamed when complete; CSV text that
a spreadsheet opens as text, never as a formula."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from risksim.errors import escape_controls

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is read as a formula by spreadsheets (OWASP, "CSV
injection"): such text cells are written with a leading apostrophe."""


def write_atomically(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write`` on a new temporary file beside ``path``, then rename it to ``path``.

    A reader never sees a half-written file, and a failed write leaves nothing behind. The
    temporary file is created exclusively (never through a link someone left in its
    place), and the rename replaces a link at ``path`` rather than writing through it.
    """
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def safe_text(value: Any) -> Any:
    """A cell as a CSV file holds it: text that would start a formula gets a leading ``'``
    and control characters are escaped (``\\x1b``); anything but text is returned as is."""
    if not isinstance(value, str):
        return value
    return escape_controls(("'" + value) if value.startswith(FORMULA_STARTS) else value)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`safe_text` applied to its text cells, index and column names
    (numbers untouched; ``frame`` itself is not changed)."""
    safe = frame.copy(deep=False)
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column])
                or pd.api.types.is_bool_dtype(safe[column])):
            safe[column] = safe[column].map(safe_text)
    safe.columns = _safe_index(safe.columns)
    safe.index = _safe_index(safe.index)
    return safe


def _safe_index(index: pd.Index) -> pd.Index:
    """An index (or columns) with :func:`safe_text` applied to its text labels, level by
    level for a MultiIndex."""
    if isinstance(index, pd.MultiIndex):
        levels: list[Any] = [_safe_index(level) for level in index.levels]
        return index.set_levels(levels)
    return index if pd.api.types.is_numeric_dtype(index) else index.map(safe_text)


def csv_text(frame: pd.DataFrame, **options: Any) -> str:
    """``frame.to_csv(**options)`` of the :func:`spreadsheet_safe` frame, as text."""
    return str(spreadsheet_safe(frame).to_csv(**options))


def write_csv(frame: pd.DataFrame, path: Path, **options: Any) -> Path:
    """Write ``frame`` as CSV to ``path`` atomically, text cells :func:`spreadsheet_safe`."""
    safe = spreadsheet_safe(frame)
    return write_atomically(path, lambda temporary: safe.to_csv(temporary, **options))
