"""Tests of risksim.scenario.yaml_loader: YAML 1.2 core scalars, line map and hardening."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from risksim.errors import InputError
from risksim.scenario import yaml_loader
from risksim.scenario.yaml_loader import Path, format_path, line_for, load_yaml


def load_error(text: str) -> InputError:
    """The InputError that loading ``text`` as ``f.yaml`` raises."""
    with pytest.raises(InputError) as info:
        load_yaml(text, "f.yaml")
    return info.value


def scalar(text: str) -> Any:
    """The value of ``v`` in the one-line document ``v: <text>``."""
    data, _ = load_yaml(f"v: {text}\n", "f.yaml")
    return data["v"]


def assert_plain(value: Any) -> None:
    """Fail unless ``value`` is built only from dict, list, str, int, float, bool and None."""
    if isinstance(value, dict):
        assert type(value) is dict
        for key, item in value.items():
            assert type(key) in (str, int, float, bool)
            assert_plain(item)
    elif isinstance(value, list):
        assert type(value) is list
        for item in value:
            assert_plain(item)
    else:
        assert value is None or type(value) in (str, int, float, bool)


# 1. Plain output, in file order


def test_output_is_plain_data_in_file_order() -> None:
    text = "zeta: 1\nalpha: [x, 2.5, true, ~]\nmid: {b: 1, a: 2}\n"
    data, _ = load_yaml(text, "f.yaml")
    assert data == {"zeta": 1, "alpha": ["x", 2.5, True, None], "mid": {"b": 1, "a": 2}}
    assert list(data) == ["zeta", "alpha", "mid"]
    assert list(data["mid"]) == ["b", "a"]
    assert_plain(data)


# 2. Booleans


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False),
     ("FALSE", False), ("tRuE", True)],
)
def test_true_and_false_in_any_case_are_booleans(text: str, expected: bool) -> None:
    assert scalar(text) is expected


@pytest.mark.parametrize(
    "text", ["yes", "no", "Yes", "NO", "on", "off", "On", "OFF", "y", "n", "Y", "N"]
)
def test_yaml_1_1_booleans_stay_strings(text: str) -> None:
    value = scalar(text)
    assert value == text
    assert type(value) is str


def test_norway_stays_norway() -> None:
    data, _ = load_yaml("countries: [SE, NO, DK]\n", "f.yaml")
    assert data == {"countries": ["SE", "NO", "DK"]}


# 3. Null


@pytest.mark.parametrize("text", ["~", "null", "Null", "NULL", "nUlL", ""])
def test_null_forms(text: str) -> None:
    data, _ = load_yaml(f"v: {text}\n", "f.yaml")
    assert data == {"v": None}


def test_empty_values_in_block_sequence_and_flow_mapping_are_null() -> None:
    data, _ = load_yaml("a:\n  -\n  - x\nb: {c: , d}\n", "f.yaml")
    assert data == {"a": [None, "x"], "b": {"c": None, "d": None}}


# 4. Integers


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("42", 42), ("-42", -42), ("+7", 7), ("1_000_000", 1_000_000),
     ("-1_000", -1000), ("010", 10), ("007", 7), ("0x1F", 31), ("0xff_ff", 65535),
     ("0o17", 15), ("0o7_7", 63), ("12345678901234567890123", 12345678901234567890123)],
)
def test_integers(text: str, expected: int) -> None:
    value = scalar(text)
    assert value == expected
    assert type(value) is int


# 5. Floats


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5e4", 50000.0), ("5E4", 50000.0), ("1e7", 10_000_000.0), ("1.0e7", 10_000_000.0),
     ("2.5e-3", 0.0025), ("-1E+2", -100.0), ("-2.5", -2.5), ("+2.5", 2.5), (".5", 0.5),
     ("-.5", -0.5), ("1.", 1.0), ("1_000.5", 1000.5), ("0.0", 0.0),
     (".inf", math.inf), (".Inf", math.inf), (".INF", math.inf), ("+.inf", math.inf),
     ("-.inf", -math.inf), ("-.Inf", -math.inf), ("-.INF", -math.inf)],
)
def test_floats(text: str, expected: float) -> None:
    value = scalar(text)
    assert value == expected
    assert type(value) is float


@pytest.mark.parametrize("text", [".nan", ".NaN", ".NAN"])
def test_nan(text: str) -> None:
    value = scalar(text)
    assert type(value) is float
    assert math.isnan(value)


# 6. Strings


@pytest.mark.parametrize(
    "text",
    ["2024-01-01", "2024-01-01T10:00:00Z", "12:30", "1:30:00", "0b101", "1_", "_1", "1__0",
     "0x", "0xZZ", "0o8", ".", "e5", "1e", "1.2.3", "+.nan", ".infinity", "nan", "inf",
     "=", "<<", "hello world", "Infinity"],
)
def test_other_plain_scalars_are_strings(text: str) -> None:
    value = scalar(text)
    assert value == text
    assert type(value) is str


@pytest.mark.parametrize(
    ("text", "expected"),
    [("'5'", "5"), ('"5e4"', "5e4"), ("'true'", "true"), ('"null"', "null"), ("''", ""),
     ('"~"', "~"), ("'010'", "010"), ('"0x1F"', "0x1F")],
)
def test_quoted_scalars_are_strings(text: str, expected: str) -> None:
    assert scalar(text) == expected


def test_block_scalars_are_strings() -> None:
    data, _ = load_yaml("a: |\n  5\nb: >\n  true\n", "f.yaml")
    assert data == {"a": "5\n", "b": "true\n"}


# 7. Duplicate keys


def test_duplicate_key_under_a_sequence_item() -> None:
    text = (
        "arrangement:\n"
        "  layers:\n"
        "    - party: bank\n"
        "      share_of_loss: 0.2\n"
        "      party: state\n"
    )
    error = load_error(text)
    assert str(error) == (
        "f.yaml:5: arrangement.layers[0].party: duplicate key 'party' (first at line 3)"
    )
    assert (error.source, error.line, error.path) == ("f.yaml", 5, "arrangement.layers[0].party")


def test_duplicate_key_at_the_root() -> None:
    error = load_error("a: 1\nb: 2\n\na: 3\n")
    assert str(error) == "f.yaml:4: a: duplicate key 'a' (first at line 1)"


def test_duplicate_key_in_a_flow_mapping() -> None:
    error = load_error("x:\n  - {p: 1,\n     p: 2}\n")
    assert str(error) == "f.yaml:3: x[0].p: duplicate key 'p' (first at line 2)"


def test_equal_int_and_bool_keys_are_duplicates() -> None:
    error = load_error("1: a\ntrue: b\n")
    assert str(error) == "f.yaml:2: [True]: duplicate key 'True' (first at line 1)"


def test_same_key_in_different_mappings_is_fine() -> None:
    data, _ = load_yaml("a: {x: 1}\nb: {x: 2}\n", "f.yaml")
    assert data == {"a": {"x": 1}, "b": {"x": 2}}


# 8. Keys must be scalars


def test_scalar_keys_of_every_kind() -> None:
    data, lines = load_yaml("1: a\n1.5: b\nx: c\n'2': d\n", "f.yaml")
    assert data == {1: "a", 1.5: "b", "x": "c", "2": "d"}
    assert [type(key) for key in data] == [int, float, str, str]
    assert lines == {(): 1, (1,): 1, ("1.5",): 2, ("x",): 3, ("2",): 4}
    data, _ = load_yaml("false: off\n", "f.yaml")
    assert data == {False: "off"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n  ? [x, y]\n  : 1\n", "f.yaml:2: a: a mapping key must be a scalar, not a sequence"),
        ("? {x: 1}\n: 1\n", "f.yaml:1: a mapping key must be a scalar, not a mapping"),
        ("k: &k [1]\n*k : 2\n", "f.yaml:2: a mapping key must be a scalar, not a sequence"),
        ("~: 1\n", "f.yaml:1: a mapping key cannot be null"),
        ("? \n: 1\n", "f.yaml:1: a mapping key cannot be null"),
    ],
)
def test_complex_and_null_keys_are_rejected(text: str, expected: str) -> None:
    assert str(load_error(text)) == expected


# 9. Syntax errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: h: i\n",
            "f.yaml:7: YAML syntax error: mapping values are not allowed here",
        ),
        ("a: 1\n  b: 2\n", "f.yaml:2: YAML syntax error: mapping values are not allowed here"),
        (
            "a: 1\nb:\n  - x\n - y\n",
            "f.yaml:4: YAML syntax error: expected <block end>, but found "
            "'<block sequence start>' (while parsing a block mapping at line 1)",
        ),
        (
            "a: [1, 2\nb: 3\n",
            "f.yaml:2: YAML syntax error: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence at line 1)",
        ),
        (
            "a: 'open\nb: 2\n",
            "f.yaml:3: YAML syntax error: found unexpected end of stream "
            "(while scanning a quoted scalar at line 1)",
        ),
        (
            'a: 1\nkey: "bad \\q"\n',
            "f.yaml:2: YAML syntax error: found unknown escape character 'q' "
            "(while scanning a double-quoted scalar at line 2)",
        ),
        (
            "a: 1\nb: @x\n",
            "f.yaml:2: YAML syntax error: found character '@' that cannot start any token",
        ),
        ("a: 1\nb: *nowhere\n", "f.yaml:2: YAML syntax error: found undefined alias 'nowhere'"),
        (
            "a: &x 1\nb: &x 2\n",
            "f.yaml:2: YAML syntax error: duplicate anchor 'x' (first at line 1)",
        ),
        (
            'a: 1\nb: "\\UFFFFFFFF"\n',
            "f.yaml:2: YAML syntax error: escape sequence outside the Unicode range",
        ),
        (
            'a: 1\nb: "\\U00110000"\n',
            "f.yaml:2: YAML syntax error: escape sequence outside the Unicode range",
        ),
        (
            "a: 1\n\nb: x\x01y\n",
            "f.yaml:3: YAML syntax error: character #x0001 is not allowed "
            "(special characters are not allowed)",
        ),
    ],
)
def test_syntax_errors_name_the_line(text: str, expected: str) -> None:
    error = load_error(text)
    assert str(error) == expected
    assert not isinstance(error, yaml.YAMLError)


# 10. Tags


def test_python_tag_is_rejected_and_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(os, "system", calls.append)
    error = load_error('run: !!python/object/apply:os.system ["echo hi"]\n')
    assert str(error) == "f.yaml:1: run: unsupported tag '!!python/object/apply:os.system'"
    assert calls == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!python/name:os.system\n", "f.yaml:1: a: unsupported tag '!!python/name:os.system'"),
        ("a:\n  - !foo 1\n", "f.yaml:2: a[0]: unsupported tag '!foo'"),
        ("a: !foo {b: 1}\n", "f.yaml:1: a: unsupported tag '!foo'"),
        ("a: !<tag:ex.com,2024:x> 1\n", "f.yaml:1: a: unsupported tag 'tag:ex.com,2024:x'"),
        ("a: !!binary aGk=\n", "f.yaml:1: a: unsupported tag '!!binary'"),
        ("a: !!timestamp 2024-01-01\n", "f.yaml:1: a: unsupported tag '!!timestamp'"),
        ("a: !!set {x}\n", "f.yaml:1: a: unsupported tag '!!set'"),
        ("a: !!omap [x: 1]\n", "f.yaml:1: a: unsupported tag '!!omap'"),
        ("a: !!str [1]\n", "f.yaml:1: a: unsupported tag '!!str'"),
        ("a: !!map [1]\n", "f.yaml:1: a: unsupported tag '!!map'"),
        ("a: !!seq {b: 1}\n", "f.yaml:1: a: unsupported tag '!!seq'"),
        ("a: !!int [1]\n", "f.yaml:1: a: unsupported tag '!!int'"),
    ],
)
def test_unsupported_tags_are_named(text: str, expected: str) -> None:
    assert str(load_error(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("!!str 5", "5"), ("!!str true", "true"), ("!!str", ""), ("!!int '12'", 12),
     ("!!int 0x10", 16), ("!!float 1", 1.0), ("!!float '5e4'", 50000.0), ("!!bool 'TRUE'", True),
     ("!!null ''", None), ("!!null ~", None), ("!!map {b: 1}", {"b": 1}), ("!!seq [1]", [1]),
     ("!<tag:yaml.org,2002:int> '3'", 3)],
)
def test_standard_tags_are_honoured(text: str, expected: Any) -> None:
    value = scalar(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("!!int abc", "'abc' is not a valid !!int"), ("!!int 1.5", "'1.5' is not a valid !!int"),
     ("!!float 1e", "'1e' is not a valid !!float"), ("!!bool yes", "'yes' is not a valid !!bool"),
     ("!!null 0", "'0' is not a valid !!null")],
)
def test_value_that_does_not_fit_its_tag(text: str, expected: str) -> None:
    assert str(load_error(f"a: 1\nv: {text}\n")) == f"f.yaml:2: v: {expected}"


# 11. Anchors, aliases and alias bombs


def test_aliases_are_expanded_into_independent_copies() -> None:
    text = "base: &b {x: 1}\ncopy: *b\nitems:\n  - *b\n  - &n 5\n  - *n\n"
    data, lines = load_yaml(text, "f.yaml")
    assert data == {"base": {"x": 1}, "copy": {"x": 1}, "items": [{"x": 1}, 5, 5]}
    assert data["copy"] is not data["base"]
    assert lines == {
        (): 1,
        ("base",): 1, ("base", "x"): 1,
        ("copy",): 2, ("copy", "x"): 1,
        ("items",): 3, ("items", 0): 4, ("items", 0, "x"): 1, ("items", 1): 5, ("items", 2): 6,
    }


def test_alias_as_a_key() -> None:
    data, lines = load_yaml("a: &k name\n*k : 2\n", "f.yaml")
    assert data == {"a": "name", "name": 2}
    assert lines == {(): 1, ("a",): 1, ("name",): 2}


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_billion_laughs_is_stopped() -> None:
    error = load_error(BILLION_LAUGHS)
    assert error.message == "more than 1,000,000 values (too many aliases?)"
    assert error.source == "f.yaml"


def test_value_limit_counts_every_key_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: [1, 2]\nb: x\n"  # root, a, [..], 1, 2, b, x: seven values
    monkeypatch.setattr(yaml_loader, "MAX_NODES", 7)
    assert load_yaml(text, "f.yaml")[0] == {"a": [1, 2], "b": "x"}
    monkeypatch.setattr(yaml_loader, "MAX_NODES", 6)
    assert str(load_error(text)) == "f.yaml:2: b: more than 6 values (too many aliases?)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x [1, *x]\n", "f.yaml:1: a[1]: recursive alias: a value cannot contain itself"),
        ("a: &m\n  self: *m\n", "f.yaml:2: a.self: recursive alias: a value cannot contain itself"),
    ],
)
def test_recursive_alias_is_an_error(text: str, expected: str) -> None:
    assert str(load_error(text)) == expected


def test_nesting_up_to_the_limit_loads() -> None:
    data, _ = load_yaml("[" * 100 + "]" * 100, "f.yaml")
    expected: list[Any] = []
    for _ in range(99):
        expected = [expected]
    assert data == expected


def test_nesting_beyond_the_limit_is_an_error() -> None:
    error = load_error("a: 1\n\nb: " + "[" * 100 + "]" * 100 + "\n")
    assert str(error) == "f.yaml:3: YAML syntax error: more than 100 levels of nesting"


def test_nesting_built_from_aliases_is_limited() -> None:
    text = "a: &a " + "[" * 60 + "]" * 60 + "\nb: " + "[" * 60 + "*a" + "]" * 60 + "\n"
    error = load_error(text)
    assert error.message == "more than 100 levels of nesting"
    assert error.path == "b" + "[0]" * 99
    assert error.line == 1


# 12. Empty and multiple documents


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "  \n# c\n"])
def test_empty_document(text: str) -> None:
    assert load_yaml(text, "f.yaml") == (None, {(): 1})


def test_explicit_null_document_keeps_its_line() -> None:
    assert load_yaml("# c\n\nnull\n", "f.yaml") == (None, {(): 3})


def test_one_document_with_markers_is_fine() -> None:
    assert load_yaml("---\na: 1\n...\n", "f.yaml") == ({"a": 1}, {(): 2, ("a",): 2})


@pytest.mark.parametrize(
    ("text", "line"), [("a: 1\n---\nb: 2\n", 2), ("---\na: 1\n---\n", 3), ("x\n--- y\n", 2)]
)
def test_several_documents_are_an_error(text: str, line: int) -> None:
    assert str(load_error(text)) == f"f.yaml:{line}: expected one YAML document, found a second one"


# 13. The line map

MULTI_LEVEL = """\
name: demo
arrangement:
  kind: tranche
  layers:
    - party: bank
      share_of_loss: 0.2
    - {party: state,
       share_of_loss: 0.8}
    -
      party: fund
  tags: [a, b,
    c]
empty:
nested:
  deep:
    deeper: [1, {x: 2}]
"""


def test_line_map_of_a_multi_level_document() -> None:
    data, lines = load_yaml(MULTI_LEVEL, "f.yaml")
    assert data == {
        "name": "demo",
        "arrangement": {
            "kind": "tranche",
            "layers": [
                {"party": "bank", "share_of_loss": 0.2},
                {"party": "state", "share_of_loss": 0.8},
                {"party": "fund"},
            ],
            "tags": ["a", "b", "c"],
        },
        "empty": None,
        "nested": {"deep": {"deeper": [1, {"x": 2}]}},
    }
    layers: Path = ("arrangement", "layers")
    assert lines == {
        (): 1,
        ("name",): 1,
        ("arrangement",): 2,
        ("arrangement", "kind"): 3,
        layers: 4,
        (*layers, 0): 5,
        (*layers, 0, "party"): 5,
        (*layers, 0, "share_of_loss"): 6,
        (*layers, 1): 7,
        (*layers, 1, "party"): 7,
        (*layers, 1, "share_of_loss"): 8,
        (*layers, 2): 10,
        (*layers, 2, "party"): 10,
        ("arrangement", "tags"): 11,
        ("arrangement", "tags", 0): 11,
        ("arrangement", "tags", 1): 11,
        ("arrangement", "tags", 2): 12,
        ("empty",): 13,
        ("nested",): 14,
        ("nested", "deep"): 15,
        ("nested", "deep", "deeper"): 16,
        ("nested", "deep", "deeper", 0): 16,
        ("nested", "deep", "deeper", 1): 16,
        ("nested", "deep", "deeper", 1, "x"): 16,
    }


def test_root_line_is_the_first_node() -> None:
    assert load_yaml("# header\n\n- a\n- b\n", "f.yaml")[1] == {(): 3, (0,): 3, (1,): 4}


# line_for and format_path


LINES: dict[Path, int] = {(): 1, ("a",): 2, ("a", 0): 3, ("a", 0, "b"): 4}


@pytest.mark.parametrize(
    ("path", "expected"),
    [((), 1), (("a",), 2), (("a", 0, "b"), 4), (("a", 0, "missing", "deeper"), 3),
     (("a", 1), 2), (("zzz",), 1), (["a", 0], 3), (("a", 0, "b", 7), 4)],
)
def test_line_for_falls_back_to_the_longest_known_prefix(
    path: Sequence[str | int], expected: int
) -> None:
    assert line_for(LINES, path) == expected


def test_line_for_without_root_is_none() -> None:
    assert line_for({("a",): 2}, ("b", 1)) is None
    assert line_for({}, ()) is None
    assert line_for({("a",): 2}, ("a", 1)) == 2


@pytest.mark.parametrize(
    ("path", "expected"),
    [((), ""), (("a",), "a"), (("a", "b"), "a.b"),
     (("arrangement", "layers", 1, "share"), "arrangement.layers[1].share"),
     ((0,), "[0]"), ((0, "a"), "[0].a"), (("a", 0, 1), "a[0][1]"), (["x", 2], "x[2]")],
)
def test_format_path(path: Sequence[str | int], expected: str) -> None:
    assert format_path(path) == expected


def test_lines_map_paths_that_format_path_renders() -> None:
    _, lines = load_yaml(MULTI_LEVEL, "f.yaml")
    assert format_path(max(lines, key=len)) == "nested.deep.deeper[1].x"


# Robustness: nothing but InputError ever escapes

YAMLISH = st.text(alphabet=list("ab01.eE_-+:[]{},&*!?|>'\"\\ \n\t#~%@x"), max_size=40)


@settings(max_examples=400, deadline=None, database=None)
@given(YAMLISH)
def test_arbitrary_text_gives_plain_data_or_input_error(text: str) -> None:
    try:
        data, lines = load_yaml(text, "f.yaml")
    except InputError as error:
        assert error.source == "f.yaml"
        return
    assert_plain(data)
    assert () in lines
    assert all(line >= 1 for line in lines.values())
