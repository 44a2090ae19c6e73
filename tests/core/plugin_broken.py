"""A plugin module whose import fails, as a half-installed plugin's would."""

from __future__ import annotations

import marsad_package_that_is_not_installed  # noqa: F401
