"""The JSON Schema of scenario files, for editors and for ``risksim schema``."""

from __future__ import annotations

import json
from pathlib import Path

from risksim.scenario.field_docs import described_schema
from risksim.scenario.schema import ScenarioSpec
from risksim.util.files import write_atomically

SCHEMA_FILE = "scenario.schema.json"
"""The committed schema in ``risksim/data`` (a test checks it is current)."""


def schema_text() -> str:
    """The JSON Schema of :class:`ScenarioSpec`, as formatted JSON text, with what each key
    means and its unit (:mod:`risksim.scenario.field_docs`) for editors to show."""
    schema = described_schema(ScenarioSpec.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "risksim scenario"
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def write_schema(path: str | Path) -> Path:
    """Write the schema to ``path`` (under a temporary name first, then renamed)."""
    text = schema_text()
    return write_atomically(Path(path), lambda p: p.write_text(text, "utf-8"))
