"""The generated docs are current, and the scenario-file reference covers every key."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from risksim.cli import docs, main
from risksim.scenario.field_docs import EXAMPLES, FIELDS
from risksim.scenario.json_schema import schema_text
from tests.builders import ROOT

STALE = "docs/ is stale: regenerate it with `risksim docs` (then commit docs/)"


def test_committed_docs_are_current() -> None:
    assert docs.stale_files(ROOT / "docs", main) == [], STALE


def test_the_picture_is_checked_by_its_stamp_not_its_pixels(tmp_path: Path) -> None:
    result = docs.tour_result()
    picture = docs.write_picture(result, tmp_path / "tour.png")
    stamp = json.loads(docs.read_stamp(picture) or "{}")
    assert stamp["n_sims"] == docs.TOUR["n_sims"] and stamp["kind"] == "exceedance"
    assert docs.read_stamp(picture) == docs.picture_stamp(result)
    assert docs.read_stamp(tmp_path / "missing.png") is None
    other = result.losses.iloc[:-1]  # other losses, other stamp
    assert docs.picture_stamp(type(result)(losses=other)) != docs.picture_stamp(result)


def test_every_key_of_the_schema_is_described_with_a_valid_example() -> None:
    schema = json.loads(schema_text())
    models = {"ScenarioSpec": schema, **schema["$defs"]}
    keys = {f"{model}.{key}" for model, node in models.items()
            for key in node.get("properties", {})}
    assert keys == set(FIELDS), "describe each new key in risksim/scenario/field_docs.py"
    for model, node in models.items():
        for key, prop in node.get("properties", {}).items():
            assert prop["description"].startswith(FIELDS[f"{model}.{key}"][1])
    examples = docs._examples(schema)
    assert keys <= set(examples), sorted(keys - set(examples))
    for name, value in EXAMPLES.items():
        model, key = name.split(".")
        prop = dict(models[model]["properties"][key], **{"$defs": schema["$defs"]})
        jsonschema.Draft202012Validator(prop).validate(value)  # no meta-check: fast


def test_scenario_reference_lists_every_key_and_column() -> None:
    text = (ROOT / "docs" / "scenario.md").read_text("utf-8")
    for name in FIELDS:
        assert f"| `{name.split('.')[1]}` |" in text
    assert "| `loan_id` | text | **required** |" in text


def test_every_scenario_file_and_the_readme_point_at_the_docs() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for page in ("docs/tour.md", "docs/cli.md", "docs/scenario.md", "docs/glossary.md"):
        assert page in readme
    for path in [*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("benchmarks/*.yaml")]:
        assert path.read_text("utf-8").startswith(
            "# yaml-language-server: $schema=../risksim/data/scenario.schema.json\n"), path
