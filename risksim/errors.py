"""The one error type for bad input: it knows the file, the line and the field; and how a
value from the input is quoted in a message (short and escaped)."""

from __future__ import annotations

import re
from collections.abc import Sequence

EXCERPT_CHARS = 40
"""At most this many characters of a value from the input are quoted back in a message."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0 and C1 control characters and DEL: never written raw to a terminal or a file."""


def escape_controls(text: str) -> str:
    r"""``text`` with every control character written as its escape (``\x1b``, ``\n``).

    What is left prints as it reads, on one line: no terminal escape sequence, no line
    break, no NUL.
    """
    return _CONTROL.sub(lambda match: repr(match[0])[1:-1], text)


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """A value from the input as a message quotes it: ``repr`` style, control characters
    escaped, cut to ``limit`` characters of the value (``'SHELL=/bin/bash…'``).

    A message never echoes more of a file than this, so an error cannot be made to show
    a file's contents.
    """
    if isinstance(value, str):
        cut = value[:limit]
        return escape_controls(repr(cut)) + ("…" if len(value) > limit else "")
    text = escape_controls(repr(value))
    return text if len(text) <= limit else text[:limit] + "…"


class InputError(ValueError):
    """Bad input from a scenario file, a portfolio file or an argument.

    Rendered as one line, ``file:line: dotted.path: message``; the parts that are
    unknown are left out (``file: message`` when neither line nor path is known). An error
    found together with others of the same input (every error of a scenario file) renders
    as one such line each, in the order of the file: :meth:`lines`.

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
    also : sequence of InputError, optional
        Further errors of the same input, after this one.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        path: str | None = None,
        also: Sequence[InputError] = (),
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.path = path
        self.also = tuple(also)
        super().__init__(str(self))

    def lines(self) -> list[str]:
        """One line per error: this one, then each of :attr:`also`."""
        return [self._line(), *(line for error in self.also for line in error.lines())]

    def _line(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        parts = [p for p in (where, self.path) if p]
        return escape_controls(": ".join([*parts, self.message]))

    def __str__(self) -> str:
        return "\n".join(self.lines())
