"""A scenario's currency is an ISO 4217 code; what people write instead gets the code."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import risksim
from risksim.cli.commands import main
from tests.builders import scenario_mapping


@pytest.mark.parametrize(("written", "meant"), [
    ("RMB", "CNY"), ("人民币", "CNY"), ("CNH", "CNY"), ("cny", "CNY"), ("yuan", "CNY"),
    ("EUX", "EUR"), ("US$", "USD"), ("日元", "JPY")])
def test_a_name_or_near_code_is_refused_with_the_code_meant(written: str, meant: str) -> None:
    mapping = scenario_mapping()
    mapping["currency"] = written
    with pytest.raises(risksim.InputError) as raised:
        risksim.load_scenario(mapping)
    assert str(raised.value) == (f"<mapping>: currency: '{written}' is not an ISO 4217 "
                                 f"currency code; did you mean '{meant}'?")


def test_a_code_like_nothing_gets_examples() -> None:
    mapping = scenario_mapping()
    mapping["currency"] = "QQQ"
    with pytest.raises(risksim.InputError, match=r"'QQQ' is not an ISO 4217 currency code "
                                                 r"\(such as CNY, EUR, USD\)$"):
        risksim.load_scenario(mapping)


@pytest.mark.parametrize("code", ["CNY", "EUR", "USD", "JPY", "KRW", "HKD", "GBP"])
def test_iso_codes_are_accepted(code: str) -> None:
    mapping = scenario_mapping()
    mapping["currency"] = code
    assert risksim.load_scenario(mapping).spec.currency == code


def test_validate_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "scheme.yaml"
    text = Path(__file__).parents[1].joinpath("data", "bad", "good_reference.yaml").read_text()
    path.write_text(text.replace("currency: CNY", "currency: RMB"))  # line 2
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {path}:2: currency: 'RMB' is not an ISO 4217 currency "
                             "code; did you mean 'CNY'?\n")
