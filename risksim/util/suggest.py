"""Messages for unknown names, with the nearest valid name suggested."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from risksim.errors import excerpt


def unknown_name_message(kind: str, name: object, valid: Iterable[str]) -> str:
    """``unknown key 'sahre'; did you mean 'share'?`` (or the list of valid names).

    Parameters
    ----------
    kind : str
        What the name is, e.g. ``"key"`` or ``"column"``.
    name : object
        The name that was given.
    valid : iterable of str
        The names that are accepted at that place.
    """
    choices = sorted(valid)
    close = difflib.get_close_matches(str(name), choices, n=1, cutoff=0.6)
    if close:
        return f"unknown {kind} {excerpt(str(name))}; did you mean '{close[0]}'?"
    return f"unknown {kind} {excerpt(str(name))}; expected one of: {', '.join(choices)}"
