"""Hardened YAML loading that remembers the line of every value.

The loader only *composes* the YAML node graph (``yaml.SafeLoader`` never constructs
anything here) and builds plain Python data from it with YAML 1.2 core-schema rules:

* booleans are only ``true``/``false`` (any case), so ``no``, ``on`` or ``y`` stay strings;
* nulls are ``~``, ``null`` (any case) and empty values;
* integers are decimal (``010`` is ten, ``1_000`` is allowed), ``0x`` hex or ``0o`` octal;
* floats include ``5e4``, ``.5``, ``1_000.5``, ``.inf``, ``-.inf`` and ``.nan``;
* everything else, and every quoted or block scalar, is a string (dates included).

Duplicate keys, complex keys, unknown tags, several documents, alias bombs, deep nesting
and syntax errors all become an :class:`~risksim.errors.InputError` with file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import yaml
from yaml.error import Mark
from yaml.nodes import Node, ScalarNode, SequenceNode

from risksim.errors import InputError, excerpt

Path = tuple[str | int, ...]

MAX_NODES = 1_000_000
"""Most values (aliases expanded, keys included) one document may produce."""

MAX_DEPTH = 100
"""Most levels of nesting one document may have (the root is level 1)."""

_STD = "tag:yaml.org,2002:"
_IMPLICIT = "tag:risksim,2024:implicit"  # given to every scalar without an explicit tag

_DIGITS = r"[0-9]+(?:_[0-9]+)*"
_NULL = re.compile(r"~|null|", re.IGNORECASE)
_BOOL = re.compile(r"true|false", re.IGNORECASE)
_INT = re.compile(rf"[-+]?{_DIGITS}|0x[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0o[0-7]+(?:_[0-7]+)*")
_FLOAT = re.compile(
    rf"[-+]?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


def _to_int(text: str) -> int:
    return int(text, {"0x": 16, "0o": 8}.get(text[:2], 10))


def _to_float(text: str) -> float:
    lower = text.lower()
    return float(lower.replace(".", "") if lower.endswith((".inf", ".nan")) else text)


# Scalar types in the order an untagged plain scalar is tried: (tag name, pattern, converter).
_SCALAR_TYPES: tuple[tuple[str, re.Pattern[str], Callable[[str], Any]], ...] = (
    ("null", _NULL, lambda text: None),
    ("bool", _BOOL, lambda text: text.lower() == "true"),
    ("int", _INT, _to_int),
    ("float", _FLOAT, _to_float),
)


def format_path(path: Sequence[str | int]) -> str:
    """Render a path the way error messages show it.

    Parameters
    ----------
    path : sequence of str or int
        Mapping keys (str) and sequence indices (int), outermost first.

    Returns
    -------
    str
        E.g. ``"arrangement.layers[1].share"`` for ``("arrangement", "layers", 1, "share")``;
        ``""`` for the empty path.
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def line_for(lines: dict[Path, int], path: Sequence[str | int]) -> int | None:
    """Line of a path, or of its longest prefix that has one.

    Parameters
    ----------
    lines : dict
        The line map returned by :func:`load_yaml`.
    path : sequence of str or int
        The path asked about, e.g. a pydantic error location.

    Returns
    -------
    int or None
        1-based line, or None when not even the root ``()`` is in ``lines``.
    """
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None


def load_yaml(text: str, source: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML text safely into plain data, with the line of every value.

    Parameters
    ----------
    text : str
        The YAML text (one document).
    source : str
        File name used in error messages.

    Returns
    -------
    data : Any
        Dicts (in file order), lists, str, int, float, bool and None only; None for an
        empty document.
    lines : dict
        1-based line per path: for a mapping entry the line of its key, for a sequence item
        the line where the item starts, and for ``()`` the line of the root (1 when empty).

    Raises
    ------
    InputError
        On a syntax error, several documents, a duplicate or non-scalar key, an unsupported
        tag, a value that does not fit its explicit tag, a recursive alias, more than
        ``MAX_NODES`` values or more than ``MAX_DEPTH`` levels.
    """
    root = _compose(text, source)
    if root is None:
        return None, {(): 1}
    builder = _Builder(source)
    builder.lines[()] = _line(root)
    return builder.value(root, ()), builder.lines


class _Alias(Node):
    """A use of an alias: the anchored node plus where the alias itself appears."""

    def __init__(self, target: Node, mark: Mark) -> None:
        super().__init__(target.tag, target, mark, mark)


class _Loader(yaml.SafeLoader):
    """Composer that tags untagged scalars for our own resolution and guards nesting depth."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _IMPLICIT
        return self.DEFAULT_SEQUENCE_TAG if kind is SequenceNode else self.DEFAULT_MAPPING_TAG

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        mark, anchor = event.start_mark, event.anchor
        if self.check_event(yaml.AliasEvent):
            self.get_event()
            if anchor not in self.anchors:
                raise yaml.composer.ComposerError(
                    None, None, f"found undefined alias '{anchor}'", mark
                )
            return _Alias(self.anchors[anchor], mark)
        if anchor in self.anchors:
            first = self.anchors[anchor].start_mark.line + 1
            raise yaml.composer.ComposerError(
                None, None, f"duplicate anchor '{anchor}' (first at line {first})", mark
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"more than {MAX_DEPTH} levels of nesting", mark
            )
        node = super().compose_node(parent, index)
        self._depth -= 1
        return node

    def compose_root(self) -> tuple[Node | None, Mark | None]:
        """Compose the first document; also return where a second one starts, if any."""
        self.get_event()  # STREAM-START
        root = None if self.check_event(yaml.StreamEndEvent) else self.compose_document()
        second = None if self.check_event(yaml.StreamEndEvent) else self.peek_event().start_mark
        return root, second


def _compose(text: str, source: str) -> Node | None:
    try:
        loader = _Loader(text)
        try:
            root, second = loader.compose_root()
        except (ValueError, OverflowError) as exc:  # chr() of an escape like "\UFFFFFFFF"
            raise yaml.scanner.ScannerError(
                None, None, "escape sequence outside the Unicode range", loader.get_mark()
            ) from exc
        finally:
            loader.dispose()
    except (yaml.MarkedYAMLError, yaml.reader.ReaderError) as exc:
        raise _syntax_error(exc, text, source) from None
    if second is not None:
        raise InputError(
            "expected one YAML document, found a second one", source=source, line=second.line + 1
        )
    return root


def _syntax_error(
    exc: yaml.MarkedYAMLError | yaml.reader.ReaderError, text: str, source: str
) -> InputError:
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        message = f"character #x{exc.character:04x} is not allowed ({exc.reason})"
        return InputError(f"YAML syntax error: {message}", source=source, line=line)
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context and exc.context_mark:
        message += f" ({exc.context} at line {exc.context_mark.line + 1})"
    return InputError(
        f"YAML syntax error: {message}", source=source, line=mark.line + 1 if mark else None
    )


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag


def _path_key(key: str | int | float) -> str | int:
    return key if isinstance(key, str | int) else repr(key)


class _Builder:
    """Turns a composed node graph into plain data, filling the line map on the way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[Path, int] = {}
        self.count = 0
        self.open: set[int] = set()  # ids of the collections being built (alias cycles)

    def error(self, message: str, node: Node, path: Path) -> InputError:
        return InputError(message, source=self.source, line=_line(node), path=format_path(path))

    def value(self, node: Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.error(f"more than {MAX_NODES:,} values (too many aliases?)", node, path)
        if len(path) >= MAX_DEPTH:
            raise self.error(f"more than {MAX_DEPTH} levels of nesting", node, path)
        target = node.value if isinstance(node, _Alias) else node
        if id(target) in self.open:
            raise self.error("recursive alias: a value cannot contain itself", node, path)
        if isinstance(target, ScalarNode):
            return self.scalar(target, path)
        self.open.add(id(target))
        if isinstance(target, SequenceNode):
            self.check_tag(target, "seq", path)
            result: Any = self.sequence(target, path)
        else:  # MappingNode
            self.check_tag(target, "map", path)
            result = self.mapping(target, path)
        self.open.discard(id(target))
        return result

    def check_tag(self, node: Node, expected: str, path: Path) -> None:
        if node.tag != _STD + expected:
            raise self.error(f"unsupported tag '{_show_tag(node.tag)}'", node, path)

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        text: str = node.value
        if node.tag == _IMPLICIT:
            if node.style is None:  # plain, i.e. not quoted nor a block scalar
                for _, pattern, convert in _SCALAR_TYPES:
                    if pattern.fullmatch(text):
                        return convert(text)
            return text
        if node.tag == _STD + "str":
            return text
        for name, pattern, convert in _SCALAR_TYPES:
            if node.tag == _STD + name:
                if not pattern.fullmatch(text):
                    raise self.error(f"{excerpt(text)} is not a valid !!{name}", node, path)
                return convert(text)
        raise self.error(f"unsupported tag '{_show_tag(node.tag)}'", node, path)

    def sequence(self, node: Node, path: Path) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            self.lines[child] = _line(item)
            items.append(self.value(item, child))
        return items

    def mapping(self, node: Node, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            line = _line(key_node)
            target = key_node.value if isinstance(key_node, _Alias) else key_node
            if not isinstance(target, ScalarNode):
                kind = "sequence" if isinstance(target, SequenceNode) else "mapping"
                raise self.error(f"a mapping key must be a scalar, not a {kind}", key_node, path)
            key = self.value(key_node, path)
            if key is None:
                raise self.error("a mapping key cannot be null", key_node, path)
            child = (*path, _path_key(key))
            if key in first_lines:
                raise self.error(f"duplicate key {excerpt(str(key))} (first at line "
                                 f"{first_lines[key]})", key_node, child)
            first_lines[key] = line
            self.lines[child] = line
            result[key] = self.value(value_node, child)
        return result
