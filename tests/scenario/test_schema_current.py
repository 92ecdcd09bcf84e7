"""The committed JSON Schema matches the pydantic models, and validates real scenario files."""

from __future__ import annotations

import json

from risksim.scenario.json_schema import SCHEMA_FILE, schema_text
from risksim.scenario.yaml_loader import load_yaml
from tests.builders import ROOT


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "risksim" / "data" / SCHEMA_FILE).read_text("utf-8")
    assert committed == schema_text(), (
        "risksim/data/scenario.schema.json is stale: regenerate it with "
        "`risksim schema -o risksim/data/scenario.schema.json`")


def test_schema_accepts_every_scenario_file_and_rejects_a_typo() -> None:
    import jsonschema

    schema = json.loads(schema_text())
    files = [*ROOT.glob("scenarios/*.yaml"), ROOT / "benchmarks" / "b1.yaml",
             ROOT / "risksim" / "data" / "default_scenario.yaml"]
    assert len(files) >= 4
    for path in files:
        data, _ = load_yaml(path.read_text("utf-8"), str(path))
        jsonschema.validate(data, schema)
    data["arrangement"]["layers"][0]["sahre_of_loss"] = 0.5
    validator = jsonschema.Draft202012Validator(schema)
    assert any("sahre_of_loss" in error.message for error in validator.iter_errors(data))


def test_every_scenario_file_points_editors_at_the_schema() -> None:
    for path in ROOT.glob("scenarios/*.yaml"):
        first = path.read_text("utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../risksim/data/scenario.schema.json"
