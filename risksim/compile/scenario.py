"""Load a scenario: YAML → validated spec → portfolio → compiled plan, errors with lines.

Every problem becomes one :class:`~risksim.errors.InputError` of the form
``file:line: dotted.path: message``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from risksim.errors import InputError, excerpt
from risksim.portfolio import Portfolio, generate_portfolio
from risksim.scenario.access import Access
from risksim.scenario.base import PATTERN_MEANINGS
from risksim.scenario.schema import ScenarioSpec
from risksim.scenario.yaml_loader import format_path, line_for, load_yaml

if TYPE_CHECKING:
    from risksim.compile.plan import SimulationPlan

DEFAULT_SCENARIO = "default_scenario.yaml"
"""The embedded default scenario, in ``risksim/data``."""

PORTFOLIO_SUFFIXES = (".csv", ".parquet")
"""The kinds of portfolio file a scenario may name."""

_MISMATCH = {"float_type", "float_parsing", "int_type", "int_parsing", "int_from_float",
             "dict_type", "model_type", "model_attributes_type", "string_type", "bool_type",
             "bool_parsing", "list_type", "literal_error", "is_instance_of"}
"""Error types that only say "this union branch does not fit"."""

Loc = tuple[str | int, ...]


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario with its loans: typed, immutable.

    Attributes
    ----------
    spec : ScenarioSpec
        The validated contents of the scenario file.
    portfolio : Portfolio
        The loans (loaded from the portfolio file or generated).
    source : str
        The file it came from, or ``"<mapping>"``.
    access : Access
        The folders its files may be read from and whether its connection settings apply.
    """

    spec: ScenarioSpec
    portfolio: Portfolio
    source: str
    access: Access

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.spec.name

    @property
    def parties(self) -> tuple[str, ...]:
        """Party names in the order declared."""
        return tuple(self.spec.arrangement.parties)

    @functools.cached_property
    def plan(self) -> SimulationPlan:
        """The scenario compiled for the engine (once; loading compiles it to validate)."""
        from risksim.compile.build import compile_plan

        return compile_plan(self)

    def hash(self) -> str:
        """SHA-256 of the validated spec and of every loan attribute (hex)."""
        return self._digest

    @functools.cached_property
    def _digest(self) -> str:
        """:meth:`hash`, computed once (the scenario is immutable)."""
        digest = hashlib.sha256()
        digest.update(json.dumps(self.spec.model_dump(mode="json"), sort_keys=True).encode())
        digest.update(self.portfolio.fingerprint())
        return digest.hexdigest()


ScenarioSource = Scenario | str | Path | Mapping[str, Any]
"""What every entry point takes as a scenario: a loaded one, a YAML file, or a mapping."""


def load_scenario(source: ScenarioSource | None = None, *,
                  allow_dirs: Sequence[str | Path] = (), trust: bool = False) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source : str, Path, Mapping, Scenario or None
        A YAML file, a mapping with the file's structure (relative portfolio paths then
        resolve against the working directory), an already loaded scenario (returned as
        is), or None for the embedded default scenario.
    allow_dirs : sequence of path, optional
        Folders besides the scenario's own (the working directory for a mapping) that its
        portfolio file may be read from; see :mod:`risksim.scenario.access`.
    trust : bool, default False
        Let the scenario's own ``simulation.address`` and ``backend: dask`` apply (they open
        network connections, so an untrusted scenario naming them is refused).

    Raises
    ------
    InputError
        ``file:line: dotted.path: message`` for the first problem found.
    """
    if isinstance(source, Scenario):
        return source
    if source is None:
        text = resources.files("risksim.data").joinpath(DEFAULT_SCENARIO).read_text("utf-8")
        data, lines = load_yaml(text, DEFAULT_SCENARIO)
        return _build(data, lines, DEFAULT_SCENARIO, Access.of(Path.cwd(), allow_dirs, trust))
    if isinstance(source, Mapping):
        return _build(dict(source), {}, "<mapping>", Access.of(Path.cwd(), allow_dirs, trust))
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("scenario file not found", source=str(source)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the scenario file: {exc}", source=str(source)) from None
    data, lines = load_yaml(text, str(source))
    return _build(data, lines, str(source), Access.of(path.parent, allow_dirs, trust))


def derive_scenario(scenario: Scenario, data: Mapping[str, Any], source: str) -> Scenario:
    """A scenario from ``data``, a changed copy of ``scenario``'s spec mapping.

    The loans are reused when ``data`` leaves the portfolio section as it was; otherwise
    they are loaded again under ``scenario``'s access (a relative portfolio file resolving
    against its folder).

    Parameters
    ----------
    scenario : Scenario
        The scenario ``data`` was derived from (e.g. ``spec.model_dump()`` with a value set).
    data : Mapping
        The new scenario's keys, as in a scenario file.
    source : str
        What errors name as the file, e.g. ``"b1.yaml with guarantor share 0.3"``.

    Raises
    ------
    InputError
        ``source: dotted.path: message`` for the first problem of the new scenario.
    """
    return _build(dict(data), {}, source, scenario.access, reuse=scenario)


def _build(data: Any, lines: dict[Loc, int], source: str, access: Access,
           reuse: Scenario | None = None) -> Scenario:
    if not isinstance(data, dict):
        raise InputError("expected a mapping of scenario keys (name, currency, portfolio, ...)",
                         source=source, line=line_for(lines, ()))
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise _errors(exc.errors(), data, lines, source) from None
    try:
        access.check_connections(spec.simulation.address, spec.simulation.backend)
        portfolio = (reuse.portfolio if reuse is not None
                     and spec.portfolio == reuse.spec.portfolio
                     else _load_portfolio(spec, access))
        scenario = Scenario(spec=spec, portfolio=portfolio, source=source, access=access)
        _check_sampling(scenario)  # compiling checks what the portfolio must satisfy
    except InputError as exc:
        if exc.source is not None:
            raise
        loc = parse_path(exc.path or "")
        raise InputError(exc.message, source=source, line=line_for(lines, loc),
                         path=exc.path) from None
    return scenario


def _check_sampling(scenario: Scenario) -> None:
    """Compile the plan; when the file asks for QMC or importance sampling, refuse a default
    model that supports neither, at the setting that asks."""
    settings = scenario.spec.simulation
    asked = [key for key in ("tail_level", "qmc_replicates") if getattr(settings, key) is not None]
    model = scenario.plan.default_model
    if asked:
        try:
            model.factor_sampling()
        except InputError as exc:
            raise InputError(exc.message, path=f"simulation.{asked[0]}") from None


def _load_portfolio(spec: ScenarioSpec, access: Access) -> Portfolio:
    if spec.portfolio.generate is not None:
        return generate_portfolio(spec.portfolio.generate.segments, spec.portfolio.generate.seed)
    assert spec.portfolio.file is not None
    path = access.data_file(spec.portfolio.file, PORTFOLIO_SUFFIXES, "portfolio.file")
    return Portfolio.from_file(path, source=str(access.folder / spec.portfolio.file),
                               column_defaults=spec.portfolio.column_defaults)


def _errors(errors: Sequence[ErrorDetails], data: Any, lines: dict[Loc, int],
            source: str) -> InputError:
    """Every error of a file, in the order of its lines: one per place (a value that fits
    no branch of a union: one error saying what each branch expects), the errors of union
    branches that fit the value less than another left out."""
    found = [(_data_path(e, data), e) for e in errors]
    kept = [(loc, e) for loc, e in found
            if not any(_superseded(loc, e, other, f) for other, f in found if f is not e)]
    if not kept:  # every error is a branch mismatch: keep the first of them
        kept = found[:1]
    kept.sort(key=lambda item: line_for(lines, item[0]) or 0)
    places = list(dict.fromkeys(loc for loc, _ in kept))
    located = [_error_at(loc, [e for other, e in kept if other == loc], lines, source)
               for loc in places]
    first, *rest = [error for group in located for error in group]
    return InputError(first.message, source=source, line=first.line, path=first.path,
                      also=rest)


def _error_at(loc: Loc, errors: list[ErrorDetails], lines: dict[Loc, int],
              source: str) -> list[InputError]:
    """The errors at one place: one for a value that fits no branch of a union, else each."""
    line, path = line_for(lines, loc), format_path(loc)
    if len(errors) > 1 and all(e["type"] in _MISMATCH for e in errors):
        return [InputError(_expected_one_of(errors), source=source, line=line, path=path)]
    messages = dict.fromkeys(_message(e) for e in errors)
    return [InputError(m, source=source, line=line, path=path) for m in messages]


def _superseded(loc: Loc, error: ErrorDetails, other: Loc, other_error: ErrorDetails) -> bool:
    """Whether ``error`` comes from a union branch that fits the value less than the branch
    of ``other_error`` (which then tells the user more).

    A branch mismatch loses to a real error at its place or to any error below it (that
    branch accepted the value's type); an unknown key loses to an error of a branch that
    accepted the keys of the same mapping.
    """
    if error["type"] in _MISMATCH:
        return other[:len(loc)] == loc and (
            len(other) > len(loc) or other_error["type"] not in _MISMATCH)
    if error["type"] == "unknown_key":
        mapping = loc[:-1]
        return other[:len(mapping)] == mapping and other_error["type"] != "unknown_key" and (
            len(other) > len(mapping) or other_error["type"] not in _MISMATCH)
    return False


def _expected_one_of(errors: Sequence[ErrorDetails]) -> str:
    """One message for a value that fits no branch of a union: what each branch expects."""
    wanted = []
    for error in errors:
        text = re.sub(r"^Input should be ", "", error["msg"]).split(", unable")[0]
        wanted.append(re.sub(r"^a valid dictionary or instance of \w+$", "a mapping", text))
    return f"expected {' or '.join(dict.fromkeys(wanted))} (got {excerpt(errors[0].get('input'))})"


def _data_path(error: ErrorDetails, data: Any) -> Loc:
    """The error's location with pydantic's union-branch tags removed (keys of the data only)."""
    path: list[str | int] = []
    node = data
    for part in error["loc"]:
        if _has_child(node, part):
            node = node[part]
        elif error["type"] == "missing" and part == error["loc"][-1]:
            pass
        else:
            continue
        path.append(part)
    if error["type"] == "unknown_key":
        path.append(error.get("ctx", {})["key"])
    if error["type"] == "located":
        path.extend(error.get("ctx", {})["at"])
    return tuple(path)


def _has_child(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _message(error: ErrorDetails) -> str:
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "missing":
        return "missing required key"
    bounds = {"less_than_equal": ("le", "is above"), "less_than": ("lt", "is not below"),
              "greater_than": ("gt", "is not above"), "greater_than_equal": ("ge", "is below")}
    if kind in bounds:
        key, words = bounds[kind]
        bound = ctx[key]
        shown = f"{bound:g}" if isinstance(bound, float) else bound  # 1, not 1.0
        hint = ""
        if key in ("le", "lt") and bound == 1 and isinstance(value, int | float) and value > 1:
            hint = f" (rates and levels are fractions: {value / 100:g} for {value:g}%)"
        return f"{excerpt(value)} {words} {shown}{hint}"
    if kind == "string_pattern_mismatch" and ctx["pattern"] in PATTERN_MEANINGS:
        return f"expected {PATTERN_MEANINGS[ctx['pattern']]} (got {excerpt(value)})"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]} (got {excerpt(value)})"
    message = re.sub(r"^(Value|Assertion) error, ", "", error["msg"])
    if kind in ("unknown_key", "located", "value_error", "assertion_error") or isinstance(
            value, dict | list):
        return message
    return f"{message} (got {excerpt(value)})"


_EXPECTED = {"float_parsing": "a number", "float_type": "a number", "int_parsing": "a whole number",
             "int_type": "a whole number", "int_from_float": "a whole number",
             "model_type": "a mapping of keys", "model_attributes_type": "a mapping of keys",
             "dict_type": "a mapping of keys", "list_type": "a list", "string_type": "text",
             "bool_type": "true or false", "bool_parsing": "true or false"}
"""What a value of each pydantic type error should have been."""

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> Loc:
    """The tuple form of a dotted path: ``"layers[1].share"`` → ``("layers", 1, "share")``."""
    return tuple(int(index) if index else name for name, index in _PATH_PART.findall(path))
