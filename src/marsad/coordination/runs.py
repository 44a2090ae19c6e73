"""Saved coordination runs over the posts store: run, list, read, export.

The web pages and the API call these keyword-only functions; detection itself
is :func:`marsad.coordination.service.detect_coordination`, fed from
``marsad.posts.read.iter_share_rows`` (never the posts tables).
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from marsad.coordination.graph import Edge, build_graph, write_csv, write_graphml, write_json
from marsad.coordination.models import CoordinationRun
from marsad.coordination.params import RunParams
from marsad.coordination.service import (
    PartialEdges,
    Prepared,
    add_partial_edges,
    count_edges,
    finish_detection,
    prepare_detection,
)
from marsad.coordination.sharding import decode_part, encode_part, fingerprint
from marsad.coordination.table import PostTable, parse_timestamp
from marsad.core import audit, events
from marsad.core.db import read_scope, session_scope, utcnow
from marsad.core.errors import InvalidInput, MarsadError, NotFound
from marsad.posts import read as posts_read

log = logging.getLogger(__name__)

MAX_SHARDS = 64
EXPORTS = {"graphml": "application/graphml+xml", "csv": "text/csv", "json": "application/json"}


def store_table(session: Session, *, account: str | None = None) -> PostTable:
    """The stored posts (or one account's) as a coordination table."""
    rows = posts_read.iter_share_rows(session=session, account=account)
    return PostTable.from_rows(rows, source=account or "posts store")


def store_registered(session: Session) -> dict[str, int] | None:
    """Platform registration times of the stored accounts, or None when none is known.

    Read from ``registered_at`` of ``iter_account_profiles`` (an account's
    ``created_at`` there is when Marsad first saw it, not when it was made); an
    older store without that key simply has none.
    """
    created: dict[str, int] = {}
    for row in posts_read.iter_account_profiles(session=session):
        when = row.get("registered_at")
        if when is None:
            continue
        try:
            created[row["account_id"]] = parse_timestamp(when)
        except ValueError:
            log.warning("account %s: registered_at %r is not a time", row["account_id"], when)
    return created or None


def run_id_for_job(job_id: str) -> str:
    """The id of the run a job saves: the same on every delivery, so a retried job saves one run."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"marsad:coordination.run:{job_id}"))


def _prepare_store(
    session: Session, params: RunParams, progress: Callable[[str], None] | None
) -> Prepared:
    if progress:
        progress("reading posts")
    return prepare_detection(
        store_table(session),
        methods=params.chosen_methods(),
        window=params.window,
        min_repeat=params.min_repeat,
        weighting=params.chosen_weighting(),
        min_surprise=params.min_surprise,
        progress=progress,
    )


def start_run(
    sessions: sessionmaker[Session],
    *,
    actor: str,
    params: RunParams | None = None,
    created: Mapping[str, int] | None = None,
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> CoordinationRun:
    """Detect coordination over every stored post, save the run and audit it.

    The one call behind the web form, the API, ``marsad coordination detect``
    on the store and the ``coordination.run`` job. ``created`` replaces the
    stored accounts' registration times (the CLI's ``--accounts`` file);
    ``run_id`` makes the call idempotent: a run saved under it already is
    returned as it is.

    The store is read in a read-only session and detection runs outside any
    transaction: only saving the run takes the write lock (on SQLite, holding
    it for the minutes a large store takes would stop every report and flag).
    """
    params = params or RunParams()
    with read_scope(sessions) as session:
        if run_id is not None and (done := session.get(CoordinationRun, run_id)) is not None:
            return done
        # The run is dated when it reads the store: an account first seen later was not in it.
        started = utcnow()
        prep = _prepare_store(session, params, progress)
        if created is None:
            created = store_registered(session)
    counted = count_edges(prep, progress=progress)
    doc = _result(prep, counted, params, created, progress)
    return _save(sessions, doc, actor=actor, run_id=run_id, started=started)


def run_shard(
    sessions: sessionmaker[Session],
    *,
    params: RunParams,
    shard: int,
    shards: int,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Count one shard's objects of a store run; returns the part :func:`merge_shards` adds.

    Writes nothing, so running a shard again gives the same part and doubles nothing.
    """
    if not 1 <= shards <= MAX_SHARDS:
        raise InvalidInput("err_coordination_input", f"must be 1 to {MAX_SHARDS}", where="shards")
    with read_scope(sessions) as session:
        prep = _prepare_store(session, params, progress)
    part = count_edges(prep, shard=shard, shards=shards, progress=progress)
    return {
        "shard": shard,
        "shards": shards,
        "fingerprint": fingerprint(prep),
        "part": encode_part(part),
    }


def merge_shards(
    sessions: sessionmaker[Session],
    *,
    actor: str,
    params: RunParams,
    parts: list[dict[str, Any]],
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> CoordinationRun:
    """Add the shards' parts and save the run exactly as :func:`start_run` would have.

    A part delivered twice counts once; a missing part, or parts read from a store
    that has changed since, are refused (``err_coordination_shards``).
    """
    by_shard: dict[int, dict[str, Any]] = {}
    counts = {int(p.get("shards", 0)) for p in parts}
    if len(counts) != 1:
        raise MarsadError(
            "err_coordination_shards", "the parts come from different plans", where="shards"
        )
    shards = counts.pop()
    for p in parts:
        earlier = by_shard.setdefault(int(p["shard"]), p)
        if earlier["fingerprint"] != p["fingerprint"]:
            raise _changed()
    missing = sorted(set(range(shards)) - set(by_shard))
    if missing:
        raise MarsadError(
            "err_coordination_shards",
            f"missing the parts of shard {', '.join(map(str, missing))} of {shards}",
            where="shards",
        )
    with read_scope(sessions) as session:
        if run_id is not None and (done := session.get(CoordinationRun, run_id)) is not None:
            return done
        started = utcnow()
        prep = _prepare_store(session, params, progress)
        created = store_registered(session)
    if any(p["fingerprint"] != fingerprint(prep) for p in by_shard.values()):
        raise _changed()
    counted = add_partial_edges([decode_part(by_shard[n]["part"]) for n in range(shards)])
    doc = _result(prep, counted, params, created, progress)
    return _save(sessions, doc, actor=actor, run_id=run_id, started=started)


def _changed() -> MarsadError:
    return MarsadError(
        "err_coordination_shards",
        "the posts store changed while the run was counted in shards; run it again",
        where="shards",
    )


def _result(
    prep: Prepared,
    counted: PartialEdges,
    params: RunParams,
    created: Mapping[str, int] | None,
    progress: Callable[[str], None] | None,
) -> dict[str, Any]:
    """The run's document: groups found in the counted edges (no database)."""
    result = finish_detection(
        prep,
        counted,
        min_cluster_size=params.min_cluster_size,
        created=created,
        creation_days=params.creation_days,
        progress=progress,
    )
    return result.to_json()


def _save(
    sessions: sessionmaker[Session],
    doc: dict[str, Any],
    *,
    actor: str,
    run_id: str | None,
    started: datetime,
) -> CoordinationRun:
    """Store the run and its audit record in one short write transaction."""
    with session_scope(sessions) as session:
        if run_id is not None and (done := session.get(CoordinationRun, run_id)) is not None:
            # Saved meanwhile by a run of the same job delivered twice.
            return done
        run = CoordinationRun(
            created_at=started,
            created_by=actor,
            parameters=doc["parameters"],
            posts=doc["input"]["posts"],
            clusters=len(doc["clusters"]),
            result=doc,
        )
        if run_id is not None:
            run.id = run_id
        session.add(run)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="coordination.run",
            subject_type="coordination_run",
            subject_id=run.id,
            details={"parameters": doc["parameters"], "clusters": run.clusters},
        )
        events.emit_many(
            session,
            [
                events.Event(
                    "coordination.group_found",
                    {
                        "run_id": run.id,
                        "group": f"cluster:{run.id}/{cluster['id']}",
                        "method": cluster.get("method"),
                        "size": len(cluster.get("accounts") or []),
                    },
                )
                for cluster in doc["clusters"]
            ],
        )
    return run


def list_runs(session: Session, *, limit: int = 50) -> list[CoordinationRun]:
    query = select(CoordinationRun).order_by(CoordinationRun.created_at.desc()).limit(limit)
    return list(session.execute(query).scalars())


def _latest_text_run(session: Session) -> tuple[str, datetime, dict[str, float] | None] | None:
    """``(id, created_at, copy_paste)`` of the newest run whose text method clustered texts."""
    listing = session.execute(
        select(CoordinationRun.id, CoordinationRun.created_at, CoordinationRun.parameters).order_by(
            CoordinationRun.created_at.desc()
        )
    ).all()
    for run_id, run_at, parameters in listing:
        if "text" not in (parameters or {}).get("methods", []):
            continue
        text, shares = session.execute(
            select(
                CoordinationRun.result[("methods", "text")], CoordinationRun.result["copy_paste"]
            ).where(CoordinationRun.id == run_id)
        ).one()
        # "skipped" instead of "actions" when the store had no text at all.
        if "actions" in (text or {}):
            return run_id, run_at, shares
    return None


@dataclass(frozen=True, slots=True)
class CopyPaste:
    """An account's copy-paste share as a saved run measured it."""

    share: float
    run_id: str
    run_at: datetime


def copy_paste_of(session: Session, *, account: str) -> CopyPaste | None:
    """The account's copy-paste share from the latest run over texts, or None if unmeasured.

    That run is the newest whose ``text`` method clustered the store (its
    document's ``methods.text`` has ``actions``, not ``skipped``). It lists
    accounts with a non-zero share (``copy_paste``); an account absent from the
    list has 0 if it was in the run's input, that is, if the store knew it when
    the run read the posts. A run made before runs recorded the share, or one
    that came before the account's first posts, has not measured it (older runs
    have not either). Runs are listed without their documents, and of the
    chosen run's document only those two parts are read: at 1M posts a document
    is about 10 MB, mostly edges.
    """
    latest = _latest_text_run(session)
    if latest is None:
        return None
    run_id, run_at, shares = latest
    if shares is None:
        return None
    share = shares.get(account)
    if share is not None:
        return CopyPaste(share=float(share), run_id=run_id, run_at=run_at)
    platform, _sep, account_id = account.partition(":")
    try:
        known = posts_read.account_activity(
            session=session, platform=platform, account_id=account_id
        )
    except NotFound:
        return None
    if known["first_seen"] is None or known["first_seen"] > run_at:
        return None
    return CopyPaste(share=0.0, run_id=run_id, run_at=run_at)


def account_groups(
    session: Session, *, account: str, limit: int = 20
) -> list[tuple[Any, dict[str, Any]]]:
    """``(run, cluster)`` for each group of the ``limit`` newest runs the account is in.

    ``run`` has ``id`` and ``created_at``. Only the runs' clusters are read, not
    their edges: twenty 1M-post documents took 6 s to load, their clusters 0.4 s.
    """
    query = (
        select(
            CoordinationRun.id,
            CoordinationRun.created_at,
            CoordinationRun.result["clusters"].label("clusters"),
        )
        .order_by(CoordinationRun.created_at.desc())
        .limit(limit)
    )
    return [
        (run, cluster)
        for run in session.execute(query)
        for cluster in run.clusters or []
        if account in cluster["accounts"]
    ]


def get_run(session: Session, *, run_id: str) -> CoordinationRun:
    run = session.get(CoordinationRun, run_id)
    if run is None:
        raise NotFound("err_run_not_found", f"no coordination run {run_id!r}", "run_id")
    return run


def get_cluster(run: CoordinationRun, *, cluster_id: int) -> dict[str, Any]:
    for cluster in run.result.get("clusters", []):
        if cluster["id"] == cluster_id:
            return cluster
    raise NotFound("err_cluster_not_found", f"no cluster {cluster_id} in this run", "cluster_id")


def cluster_edges(run: CoordinationRun, *, cluster_id: int | None = None) -> list[dict[str, Any]]:
    """The run's edges, or only those inside one cluster."""
    edges = run.result.get("edges", [])
    if cluster_id is None:
        return edges
    members = set(get_cluster(run, cluster_id=cluster_id)["accounts"])
    return [e for e in edges if e["source"] in members and e["target"] in members]


def network(
    run: CoordinationRun,
    *,
    cluster_id: int | None = None,
    method: str | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Nodes and edges for the network view (cytoscape's elements format).

    Each node carries ``label`` (the account's display name or handle from ``names``,
    else its id) and ``degree`` (its ties in the view, for sizing it); ``method`` keeps
    only the ties that method found. ``methods`` lists the methods of the whole view,
    for the filter.
    """
    cluster_of = {
        account: c["id"] for c in run.result.get("clusters", []) for account in c["accounts"]
    }
    edges = cluster_edges(run, cluster_id=cluster_id)
    found = sorted({m for e in edges for m in e["methods"]})
    if method:
        edges = [e for e in edges if method in e["methods"]]
    degree: dict[str, int] = {}
    for e in edges:
        for end in (e["source"], e["target"]):
            degree[end] = degree.get(end, 0) + 1
    names = names or {}
    return {
        "methods": found,
        "nodes": [
            {
                "data": {
                    "id": n,
                    "label": names.get(n) or n,
                    "degree": degree[n],
                    "cluster": cluster_of.get(n),
                }
            }
            for n in sorted(degree)
        ],
        "edges": [
            {
                "data": {
                    "id": f"{e['source']}|{e['target']}",
                    "source": e["source"],
                    "target": e["target"],
                    "weight": e["weight"],
                    "methods": e["methods"],
                }
            }
            for e in edges
        ],
    }


def network_names(session: Session, *, run: CoordinationRun) -> dict[str, str]:
    """Display names (else handles) of the run's accounts, for the network's labels."""
    accounts = {a for c in run.result.get("clusters", []) for a in c["accounts"]}
    for e in run.result.get("edges", []):
        accounts.update((e["source"], e["target"]))
    return posts_read.account_labels(session=session, accounts=sorted(accounts))


def write_export(run: CoordinationRun, path: Path) -> None:
    """Write the run's network to ``path``: .graphml, .csv (edges, and nodes beside) or .json."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in EXPORTS:
        raise InvalidInput("err_export_format", f"use one of {', '.join(EXPORTS)}", "format")
    edges = [
        Edge(
            source=e["source"],
            target=e["target"],
            weight=float(e["weight"]),
            methods=e.get("method_stats") or {m: {} for m in e["methods"]},
            objects=e.get("objects") or {},
        )
        for e in run.result.get("edges", [])
    ]
    cluster_of = {a: c["id"] for c in run.result.get("clusters", []) for a in c["accounts"]}
    if fmt == "graphml":
        write_graphml(build_graph(edges), path, cluster_of=cluster_of)
    elif fmt == "csv":
        write_csv(edges, path, cluster_of=cluster_of)
    else:
        write_json(edges, path, cluster_of=cluster_of)


def export_run(run: CoordinationRun, *, fmt: str) -> bytes:
    """The run's network as GraphML, CSV (edges) or JSON (node-link)."""
    if fmt not in EXPORTS:
        raise InvalidInput("err_export_format", f"use one of {', '.join(EXPORTS)}", "format")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"network.{fmt}"
        write_export(run, path)
        return path.read_bytes()
