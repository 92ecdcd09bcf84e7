"""Building blocks of the scenario schema: strict frozen models and the common field types.

Rates are fractions (0.40, not 40), money is in the scenario's currency, time in years.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from risksim.scenario.currency import check_currency
from risksim.util.suggest import unknown_name_message

Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Money = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
Years = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
Level = Annotated[float, Field(gt=0.0, lt=1.0, allow_inf_nan=False)]
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=64)]
Currency = Annotated[str, AfterValidator(check_currency),
                     Field(json_schema_extra={"pattern": CURRENCY_PATTERN})]
PATTERN_MEANINGS = {
    NAME_PATTERN: "a name of lower-case letters, digits and _, starting with a letter",
    CURRENCY_PATTERN: "a three-letter currency code in capitals (ISO 4217: CNY, EUR, USD, ...)",
}
"""What each pattern of the schema means, for error messages."""

RESERVED_NAMES = {"gross", "simulation"}


class StrictModel(BaseModel):
    """A frozen model that rejects unknown keys and suggests the nearest valid one."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            valid = set(cls.model_fields)
            for key in data:
                if key not in valid:
                    raise PydanticCustomError(
                        "unknown_key", unknown_name_message("key", key, valid), {"key": key})
        return data


def located(message: str, *at: str | int) -> PydanticCustomError:
    """A validation error placed at ``at`` below the model that raises it.

    A model validator's error belongs to the whole model; this one names the key (or list
    index) inside it that is wrong, so the error message points at that line of the file.
    """
    escaped = message.replace("{", "{{").replace("}", "}}")
    return PydanticCustomError("located", escaped, {"at": list(at)})
