"""Every real file in ../shared/formats, malformed ones included, through every importer.

Each importer either takes a file, takes part of it, or refuses it with a message and
a non-zero exit: never a traceback, whatever it is given (a Telegram export handed to
the e-mail intake, a truncated twarc line, a Latin-1 HXL file, a bounce…).
"""

from __future__ import annotations

import traceback

import pytest
from typer.testing import CliRunner

from marsad.cli.main import app
from tests.conftest import SHARED

FORMATS = SHARED / "formats"
# Each importer gets every file of the folders it is meant for, and one file of each
# other kind (folder and extension) found in the corpus.
IMPORTERS: dict[str, list[str]] = {
    "ingest x": ["ingest", "x"],
    "ingest telegram": ["ingest", "telegram"],
    "ingest crowdtangle": ["ingest", "crowdtangle"],
    "ingest youtube": ["ingest", "youtube"],
    "ingest csv": ["ingest", "csv", "--map", "id=id,text=text,author=author,time=time"],
    "ingest jsonl": ["ingest", "jsonl", "--map", "id=id,text=text,author=author,time=time"],
    "reports ingest-email": ["reports", "ingest-email"],
    "reports import-ushahidi": ["reports", "import-ushahidi"],
    "geo import": ["geo", "import"],
    "coordination detect --input": ["coordination", "detect", "--input"],
    "detect glossary import": ["detect", "glossary", "import"],
}
# Whole files too large to pass through every importer in a test; their malformed
# neighbours in the same folders are smaller and cover the same parsers.
TOO_BIG = 1_500_000


OWN_FOLDERS = {
    "ingest x": ("twitter",),
    "ingest telegram": ("telegram",),
    "ingest crowdtangle": ("crowdtangle",),
    "ingest youtube": ("youtube",),
    "ingest csv": ("hxl", "ushahidi", "cib_coordination"),
    "ingest jsonl": ("twitter",),
    "reports ingest-email": ("email_eml",),
    "reports import-ushahidi": ("ushahidi", "hxl"),
    "geo import": ("iraq_boundaries",),
    "coordination detect --input": ("cib_coordination", "hxl"),
    "detect glossary import": ("hxl",),
}


def corpus(importer: str | None = None) -> list:  # type: ignore[type-arg]
    if not FORMATS.is_dir():
        return []
    files = sorted(
        p
        for p in FORMATS.rglob("*")
        if p.is_file() and p.stat().st_size <= TOO_BIG and p.name != "SOURCE.txt"
    )
    if importer is None:
        return files
    own = OWN_FOLDERS[importer]
    chosen, kinds = [], set()
    for path in files:
        folder = path.relative_to(FORMATS).parts[0]
        kind = (folder, path.suffix.lower())
        if folder in own or kind not in kinds:
            chosen.append(path)
        kinds.add(kind)
    return chosen


@pytest.fixture
def cli(settings, engine, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    return CliRunner()


@pytest.mark.slow
@pytest.mark.skipif(not corpus(), reason="../shared/formats is not beside the repository")
@pytest.mark.parametrize("importer", sorted(IMPORTERS))
def test_no_importer_answers_any_real_file_with_a_traceback(cli, settings, importer) -> None:
    if not settings.is_sqlite:
        pytest.skip("parsing does not depend on the database; SQLite is enough")
    crashes = []
    for path in corpus(importer):
        args = [*IMPORTERS[importer], str(path), "--json"]
        result = cli.invoke(app, args)
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        if crashed or "Traceback" in result.output or result.exit_code not in (0, 1, 2, 3):
            where = path.relative_to(FORMATS)
            detail = "".join(traceback.format_exception(result.exception))[-600:]
            crashes.append(f"{importer} {where}: exit {result.exit_code}\n{detail}")
    assert crashes == [], "\n\n".join(crashes[:5])
