"""The one error type for bad input: it knows the file, the line and the field."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a scenario file, a portfolio file or an argument.

    Rendered as one line, ``file:line: dotted.path: message``; the parts that are
    unknown are left out (``file: message`` when neither line nor path is known).

    Parameters
    ----------
    message : str
        What is wrong and what was expected, e.g. ``"1.4 is above 1"``.
    source : str, optional
        The file name (as the user gave it) or ``"<mapping>"`` for in-memory input.
    line : int, optional
        1-based line number in ``source``.
    path : str, optional
        Dotted path of the field, e.g. ``"arrangement.layers[1].share_of_loss"``.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.path = path
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        parts = [p for p in (where, self.path) if p]
        return ": ".join([*parts, self.message])
