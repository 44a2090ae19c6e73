"""Settings of the detect capability, each one a ``MARSAD_<NAME>`` variable.

Kept beside the capability (the core's Settings lists the shell's own);
``setting_docs()`` gives the rows for docs/configuration.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _


class DetectSettings(BaseSettings):
    """Which model flags posts, and the decision thresholds it uses."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    detect_model: Path | None = Field(
        None,
        description="Model folder used by `marsad detect run`, `marsad detect text` and "
        "`POST /api/v1/classify`: one written by `marsad detect train` (`model.joblib`) or a "
        "local Hugging Face folder (`config.json`; needs the `transformers` extra, nothing "
        "is downloaded). Empty: the model shipped in the package. `--model DIR` overrides it.",
    )
    detect_thresholds: str = Field(
        "",
        description="Per-label decision thresholds overriding the model's, as `LABEL=VALUE` "
        "pairs separated by commas, e.g. `hate=0.6,offensive=0.7` (labels: offensive, hate, "
        "violence, extremism; values between 0 and 1). `--threshold` and the API's "
        "`thresholds` field override these in turn.",
    )

    @field_validator("detect_model", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # MARSAD_DETECT_MODEL= (empty) means the shipped model, not the working folder.
        return None if isinstance(value, str) and not value.strip() else value

    def thresholds(self, scored: Iterable[str] | None = None) -> dict[str, float]:
        """The default threshold overrides, validated (``InvalidInput`` naming the setting).

        ``scored``: the labels the model in use scores; overrides of other labels
        are left out (a setting meant for the full model must not break a
        model trained for one task).
        """
        items = [p.strip() for p in self.detect_thresholds.split(",") if p.strip()]
        found = parse_thresholds(items, where="MARSAD_DETECT_THRESHOLDS")
        if scored is not None:
            keep = set(scored)
            found = {k: v for k, v in found.items() if k in keep}
        return found


def parse_thresholds(
    items: Iterable[str], *, where: str, labels: Iterable[str] | None = None
) -> dict[str, float]:
    """Parse ``LABEL=VALUE`` items into ``{label: value}``; raise ``InvalidInput``.

    ``labels`` are the labels allowed (default: every task Marsad scores).
    """
    from marsad.detect.model import TASKS

    allowed = tuple(labels) if labels is not None else TASKS
    out: dict[str, float] = {}
    for item in items:
        label, sep, raw = item.partition("=")
        label = label.strip()
        if not sep or not label:
            raise InvalidInput(
                "err_threshold",
                _("expected LABEL=VALUE, got {item}").format(item=repr(item)),
                where,
            )
        if label not in allowed:
            raise InvalidInput(
                "err_threshold",
                _("unknown label {label}; expected one of {labels}").format(
                    label=repr(label), labels=", ".join(allowed)
                ),
                where,
            )
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not 0.0 < value < 1.0:
            raise InvalidInput(
                "err_threshold",
                _("the threshold of {label} must be a number between 0 and 1, got {value}").format(
                    label=label, value=repr(raw.strip())
                ),
                where,
            )
        out[label] = value
    return out


def merged_thresholds(*layers: Mapping[str, float] | None) -> dict[str, float]:
    """Later layers win: settings, then the command line or the request."""
    out: dict[str, float] = {}
    for layer in layers:
        out.update(layer or {})
    return out


def setting_docs() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every detect setting."""
    rows = []
    for name, field in DetectSettings.model_fields.items():
        default = "" if field.default is None else str(field.default)
        rows.append((f"MARSAD_{name.upper()}", default, field.description or ""))
    return rows
