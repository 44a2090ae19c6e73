"""Stable error codes and the one exception type every capability raises.

A code (``err_report_not_found``) never changes once shipped: scripts, the API's
JSON error bodies and the translated UI messages all key on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class MarsadError(Exception):
    """An error meant for a user: a stable code, a plain message and where it happened.

    ``where`` names the setting, field, file, row or column at fault so the
    user can fix it without reading a traceback.
    """

    code: str
    message: str
    where: str | None = None
    status: int = 400
    exit_code: int = 2
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def to_json(self) -> dict[str, Any]:
        """Render as the JSON body used by the API and `--json` CLI output."""
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.where:
            body["where"] = self.where
        if self.details:
            body["details"] = self.details
        return body


class ConfigError(MarsadError):
    """A setting is malformed or unsafe; the message names the setting and the fix."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(code="err_config", message=message, where=setting, status=500, exit_code=2)


class NotFound(MarsadError):
    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        super().__init__(code=code, message=message, where=where, status=404, exit_code=2)


class Forbidden(MarsadError):
    def __init__(self, code: str = "err_forbidden", message: str = "Not allowed.") -> None:
        super().__init__(code=code, message=message, status=403, exit_code=2)


class InvalidInput(MarsadError):
    def __init__(self, code: str, message: str, where: str | None = None, **details: Any) -> None:
        super().__init__(
            code=code, message=message, where=where, status=422, exit_code=2, details=details
        )
