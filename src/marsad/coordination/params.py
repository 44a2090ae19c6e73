"""The parameters of a coordination run over the store, as the API, the CLI and jobs take them.

One model, so a run asked for on the web, on the command line or as a
background job with the same values is the same run: its defaults (every
method; ``count`` weighting for ``shares`` alone, see
:func:`marsad.coordination.service.default_weighting`) are decided here and in
the service, never in a shell.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from marsad.coordination.service import METHODS, default_weighting, parse_methods
from marsad.core.errors import InvalidInput

__all__ = ["RunParams", "make_params"]


class RunParams(BaseModel):
    """What to detect over the posts store; every field has the run's default."""

    model_config = ConfigDict(extra="forbid")

    methods: list[str] | None = Field(
        None, description='links, text, hashtags, shares; none or ["all"] = every method.'
    )
    window: int = Field(
        60, ge=0, le=366 * 86400, description="Seconds within which actions coincide."
    )
    min_repeat: int = Field(
        3,
        ge=1,
        le=1_000_000,
        description="Fewest distinct objects a pair must share (count: participation).",
    )
    weighting: Literal["surprise", "count"] | None = Field(
        None,
        description="surprise (discounts virality) or count (CooRTweet's model); "
        "default: count for shares alone, else surprise.",
    )
    min_surprise: float | None = Field(
        None, description="Fixed -log10 p threshold (default: log10 of the candidate pairs)."
    )
    min_cluster_size: int = Field(2, ge=2, le=1_000_000, description="Smallest group reported.")
    creation_days: int = Field(
        30,
        ge=0,
        le=36_600,
        description="Days within which a group's members count as created together.",
    )

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        chosen = parse_methods(value)
        unknown = [m for m in chosen if m not in METHODS]
        if unknown:
            raise ValueError(
                f"unknown method {', '.join(unknown)}; use {', '.join(METHODS)} or all"
            )
        return chosen

    def chosen_methods(self) -> list[str]:
        """The methods the run uses (every one when none was named)."""
        return parse_methods(self.methods)

    def chosen_weighting(self) -> Literal["surprise", "count"]:
        """The weighting the run uses (the service's default when none was named)."""
        return self.weighting or default_weighting(self.chosen_methods())


def make_params(**values: Any) -> RunParams:
    """:class:`RunParams` from keyword values, or InvalidInput naming the field at fault."""
    try:
        return RunParams(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "parameters"
        message = str(first["msg"]).removeprefix("Value error, ")
        code = "err_coordination_method" if where == "methods" else "err_coordination_input"
        raise InvalidInput(code, message, where=where) from None
