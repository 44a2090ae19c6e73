"""The capability registry's contract: the pluggy hooks every capability implements.

Each capability (built-in or third-party) is one module that implements some of
these hooks with ``@hookimpl``. Built-ins are listed in ``DEFAULT_PLUGINS`` and go
through exactly the same path as a plugin found by the ``marsad.plugins`` entry
point group or named in ``MARSAD_PLUGINS=module,module``. No other list of
capabilities exists in the code: models, routers, CLI, templates, static files,
navigation, settings sections, demo data, job kinds and reference types are all
collected from these hooks.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pluggy

from marsad.core.errors import ConfigError

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter
    from pydantic import BaseModel

    from marsad.core.jobs.kinds import JobKind, PeriodicJob
    from marsad.core.refs import RefType

PROJECT = "marsad"
ENTRY_POINT_GROUP = "marsad.plugins"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class NavEntry:
    """One link in the page header.

    ``label`` is an English msgid, translated when the page is rendered (mark it
    with ``marsad.core.i18n.markers.N_`` so ``make messages`` extracts it).
    ``section`` decides who sees it: everyone, signed-in staff, or admins.
    """

    href: str
    label: str
    section: Literal["public", "staff", "admin"] = "staff"
    order: int = 100


@dataclass(frozen=True)
class DemoContext:
    """What a capability's demo-data hook is given (``marsad demo``)."""

    settings: Any
    engine: Any
    sessions: Any


class CapabilitySpec:
    """The hooks. A plugin implements only those it needs; each returns data, not side effects
    (``marsad_cli`` excepted, which mounts commands on the app it is given)."""

    @hookspec
    def marsad_models(self) -> list[str]:  # type: ignore[empty-body]
        """Module names whose import defines this capability's tables on ``Base.metadata``."""

    @hookspec
    def marsad_routers(self) -> list[APIRouter]:  # type: ignore[empty-body]
        """FastAPI routers (API and pages) to include in the web app."""

    @hookspec
    def marsad_cli(self, app: typer.Typer) -> None:
        """Mount this capability's sub-app(s) and commands on the ``marsad`` command."""

    @hookspec
    def marsad_templates(self) -> list[Path]:  # type: ignore[empty-body]
        """Folders of Jinja2 templates (searched after the web shell's own)."""

    @hookspec
    def marsad_static(self) -> list[tuple[str, Path]]:  # type: ignore[empty-body]
        """(name, folder) pairs served at ``/static/<name>/`` (vendored assets only)."""

    @hookspec
    def marsad_nav(self) -> list[NavEntry]:  # type: ignore[empty-body]
        """Links this capability adds to the page header."""

    @hookspec
    def marsad_settings(self) -> list[tuple[str, type[BaseModel]]]:  # type: ignore[empty-body]
        """(section name, settings model) pairs nested in the settings tree."""

    @hookspec
    def marsad_demo_data(self, context: DemoContext) -> list[str]:  # type: ignore[empty-body]
        """Load sample data for ``marsad demo``; return lines that describe what was loaded."""

    @hookspec
    def marsad_job_kinds(self) -> list[JobKind]:  # type: ignore[empty-body]
        """Background job kinds this capability can run (``posts.ingest``, ``detect.run``…)."""

    @hookspec
    def marsad_periodic_jobs(self) -> list[PeriodicJob]:  # type: ignore[empty-body]
        """Jobs ``marsad scheduler`` submits on a schedule unless settings say otherwise."""

    @hookspec
    def marsad_references(self) -> list[RefType]:  # type: ignore[empty-body]
        """Typed reference prefixes (``post``, ``report``…) this capability resolves."""

    @hookspec
    def marsad_on_event(self, session: Any, events: list[Any]) -> None:
        """React to events (``marsad.core.events``) inside the emitter's transaction.

        Called once per batch, inside a SAVEPOINT; must be quick and do no network
        I/O (record a delivery or a job instead). A failure is logged and rolled
        back alone, never the emitter's work.
        """

    @hookspec
    def marsad_places_imported(self, session: Any) -> dict[str, int]:  # type: ignore[empty-body]
        """Boundaries were just imported (``marsad geo import``), in ``session``'s
        transaction: place again what this capability stored with a point but no area
        (``PlaceIndex.locate``); return how many, by kind (``{"reports": 3}``)."""

    @hookspec
    def marsad_publish_sections(self) -> list[Any]:  # type: ignore[empty-body]
        """Sections this capability adds to the dashboards and the weekly report
        (``marsad.publish.sections.Section``); a switched-off capability adds none."""


# --- the registry ------------------------------------------------------------------------

# The built-in capabilities, in the order their hooks are called (demo data, templates and
# nav ties follow it). A third-party capability is added by an entry point or MARSAD_PLUGINS,
# never by editing this tuple.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "marsad.core.plugin",
    "marsad.core.jobs.plugin",
    "marsad.reports.plugin",
    "marsad.posts.plugin",
    "marsad.detect.plugin",
    "marsad.coordination.plugin",
    "marsad.evidence.plugin",
    "marsad.declaration.plugin",
    "marsad.connectivity.plugin",
    "marsad.publish.plugin",
    "marsad.alerts.plugin",
)
CORE_PLUGIN = "core"
NAV_SECTIONS = ("public", "staff", "admin")


@dataclass(frozen=True)
class Plugin:
    """One loaded capability: its short name (``reports``), module name and module."""

    name: str
    module_name: str
    module: Any
    source: Literal["builtin", "entry point", "setting"]


def plugin_name(module_name: str, module: Any = None, entry_name: str | None = None) -> str:
    """A plugin's short name: ``NAME`` in its module, else its entry point's name, else
    ``<cap>`` for ``marsad.<cap>.plugin``, else the module name."""
    declared = getattr(module, "NAME", None)
    if isinstance(declared, str) and declared:
        return declared
    if entry_name:
        return entry_name
    parts = module_name.split(".")
    if len(parts) == 3 and parts[0] == "marsad" and parts[2] == "plugin":
        return parts[1]
    return module_name


def split_names(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """``a, b,c`` (or a list from TOML) → ``("a", "b", "c")``; empty parts are dropped."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))


def _import_plugin(module_name: str, where: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any failure becomes one line naming the module
        reason = f"{type(exc).__name__}: {exc}".strip()
        raise ConfigError(
            where, f"the plugin module {module_name!r} cannot be imported ({reason})"
        ) from None


def _entry_point_plugins() -> list[tuple[str, str]]:
    """(name, module) of every installed ``marsad.plugins`` entry point."""
    found = []
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        found.append((entry.name, entry.value.split(":", 1)[0]))
    return found


class Registry:
    """What the enabled capabilities declared through their hooks, collected once."""

    def __init__(self, plugins: list[Plugin]) -> None:
        self.plugins = tuple(plugins)
        self.manager = pluggy.PluginManager(PROJECT)
        self.manager.add_hookspecs(CapabilitySpec)
        for plugin in plugins:
            try:
                self.manager.register(plugin.module, name=plugin.module_name)
            except pluggy.PluginValidationError as exc:
                raise ConfigError(
                    "MARSAD_PLUGINS", f"the plugin {plugin.module_name!r} is not valid: {exc}"
                ) from None
        try:
            # A @hookimpl whose name matches no hook (a typo) would otherwise never be called.
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            raise ConfigError("MARSAD_PLUGINS", f"a plugin is not valid: {exc}") from None
        self._cache: dict[str, Any] = {}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(plugin.name for plugin in self.plugins)

    def _call(self, hook: str, **kwargs: Any) -> list[tuple[Plugin, Any]]:
        """Call one hook on every plugin that implements it, in plugin order.

        pluggy calls implementations last-registered-first; the demo data and the
        template search path need the order of DEFAULT_PLUGINS, so each
        implementation is called here in turn (there are no hook wrappers).
        """
        by_module = {plugin.module_name: plugin for plugin in self.plugins}
        impls = getattr(self.manager.hook, hook).get_hookimpls()
        order = {plugin.module_name: i for i, plugin in enumerate(self.plugins)}
        results = []
        for impl in sorted(impls, key=lambda item: order[item.plugin_name]):
            results.append((by_module[impl.plugin_name], impl.function(**kwargs)))
        return results

    def _collected(self, hook: str) -> list[Any]:
        if hook not in self._cache:
            items: list[Any] = []
            for _plugin, result in self._call(hook):
                items.extend(result or [])
            self._cache[hook] = items
        return list(self._cache[hook])

    def models(self) -> list[str]:
        """Module names defining the enabled capabilities' tables."""
        return list(dict.fromkeys(self._collected("marsad_models")))

    def routers(self) -> list[APIRouter]:
        return self._collected("marsad_routers")

    def templates(self) -> list[Path]:
        return [Path(folder) for folder in self._collected("marsad_templates")]

    def static(self) -> list[tuple[str, Path]]:
        mounts = self._collected("marsad_static")
        self._unique([name for name, _folder in mounts], "static folder")
        return [(name, Path(folder)) for name, folder in mounts]

    def nav(self, section: str | None = None) -> list[NavEntry]:
        """Header links, each section's in ``order`` (ties in plugin order)."""
        entries = self._collected("marsad_nav")
        if section is not None:
            entries = [entry for entry in entries if entry.section == section]
        return sorted(entries, key=lambda entry: (NAV_SECTIONS.index(entry.section), entry.order))

    def settings_sections(self) -> dict[str, type[BaseModel]]:
        """Section name → settings model, e.g. ``{"reports": ReportSettings}``."""
        if "sections" not in self._cache:
            pairs = self._collected("marsad_settings")
            self._unique([name for name, _model in pairs], "settings section")
            self._cache["sections"] = dict(pairs)
        return dict(self._cache["sections"])

    def job_kinds(self) -> dict[str, JobKind]:
        kinds = self._collected("marsad_job_kinds")
        self._unique([kind.name for kind in kinds], "job kind")
        return {kind.name: kind for kind in kinds}

    def periodic_jobs(self) -> list[PeriodicJob]:
        jobs = self._collected("marsad_periodic_jobs")
        self._unique([job.name for job in jobs], "periodic job")
        return jobs

    def references(self) -> dict[str, RefType]:
        refs = self._collected("marsad_references")
        self._unique([ref.prefix for ref in refs], "reference prefix")
        return {ref.prefix: ref for ref in refs}

    def publish_sections(self) -> list[Any]:
        """Dashboard and weekly-report sections (``marsad.publish.sections.Section``), in
        ``order`` (ties in plugin order); two sections with one key are refused."""
        found = self._collected("marsad_publish_sections")
        self._unique([section.key for section in found], "publish section")
        return sorted(found, key=lambda section: section.order)

    def mount_cli(self, app: typer.Typer) -> None:
        """Let every capability add its commands to the ``marsad`` app."""
        self._call("marsad_cli", app=app)

    def load_demo_data(self, context: DemoContext) -> list[str]:
        """Load each capability's sample data in plugin order; return what they said."""
        lines: list[str] = []
        for _plugin, result in self._call("marsad_demo_data", context=context):
            lines.extend(result or [])
        return lines

    @staticmethod
    def _unique(names: list[str], what: str) -> None:
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ConfigError(
                    "MARSAD_PLUGINS", f"two plugins declare the {what} {name!r}; keep one"
                )
            seen.add(name)


def _load_plugins(extra: tuple[str, ...], disabled: tuple[str, ...]) -> list[Plugin]:
    wanted: list[tuple[str, str, str, str | None]] = [
        (m, "builtin", "DEFAULT_PLUGINS", None) for m in DEFAULT_PLUGINS
    ]
    for name, module_name in _entry_point_plugins():
        wanted.append((module_name, "entry point", f"entry point {ENTRY_POINT_GROUP}", name))
    wanted += [(m, "setting", "MARSAD_PLUGINS", None) for m in extra]
    plugins: list[Plugin] = []
    seen: set[str] = set()
    for module_name, source, where, entry_name in wanted:
        if module_name in seen:
            continue
        seen.add(module_name)
        module = _import_plugin(module_name, where)
        name = plugin_name(module_name, module, entry_name)
        plugins.append(Plugin(name, module_name, module, source))  # type: ignore[arg-type]
    Registry._unique([p.name for p in plugins], "plugin name")
    known = {p.name for p in plugins} | {p.module_name for p in plugins}
    for name in disabled:
        if name not in known:
            raise ConfigError(
                "MARSAD_DISABLED_PLUGINS",
                f"no plugin is named {name!r}; known: {', '.join(p.name for p in plugins)}",
            )
        if name in (CORE_PLUGIN, DEFAULT_PLUGINS[0]):
            raise ConfigError("MARSAD_DISABLED_PLUGINS", "the core cannot be switched off")
    enabled = [p for p in plugins if p.name not in disabled and p.module_name not in disabled]
    names = {p.name for p in enabled}
    for plugin in enabled:
        for needed in getattr(plugin.module, "REQUIRES", ()):
            if needed not in names:
                raise ConfigError(
                    "MARSAD_DISABLED_PLUGINS",
                    f"{plugin.name} needs {needed}; switch both off or neither",
                )
    return enabled


@lru_cache(maxsize=16)
def _registry(extra: tuple[str, ...], disabled: tuple[str, ...]) -> Registry:
    return Registry(_load_plugins(extra, disabled))


def get_registry(settings: Any = None) -> Registry:
    """The registry of the plugins these settings enable (cached per plugin set).

    ``settings`` needs only ``plugins`` and ``disabled_plugins`` (strings of
    comma-separated names); None means the built-ins and installed entry points.
    Raises ConfigError naming a plugin module that cannot be imported.
    """
    extra = split_names(getattr(settings, "plugins", None))
    disabled = split_names(getattr(settings, "disabled_plugins", None))
    return _registry(extra, disabled)
