"""Saved coordination runs over the posts store: run, list, read, export.

The web pages and the API call these keyword-only functions; detection itself
is :func:`marsad.coordination.service.detect_coordination`, fed from
``marsad.posts.read.iter_share_rows`` (never the posts tables).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.coordination.graph import Edge, build_graph, write_csv, write_graphml, write_json
from marsad.coordination.models import CoordinationRun
from marsad.coordination.service import METHODS, detect_coordination
from marsad.coordination.table import PostTable, parse_timestamp
from marsad.core import audit
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput, NotFound
from marsad.posts import read as posts_read

log = logging.getLogger(__name__)

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


def start_run(
    session: Session,
    *,
    actor: str,
    methods: list[str] | None = None,
    window: int = 60,
    min_repeat: int = 3,
) -> CoordinationRun:
    """Detect coordination over every stored post and save the result."""
    chosen = methods or list(METHODS)
    # The run is dated when it reads the store: an account first seen later was not in it.
    started = utcnow()
    table = store_table(session)
    result = detect_coordination(
        table,
        methods=chosen,
        window=window,
        min_repeat=min_repeat,
        created=store_registered(session),
    )
    doc = result.to_json()
    run = CoordinationRun(
        created_at=started,
        created_by=actor,
        parameters=doc["parameters"],
        posts=doc["input"]["posts"],
        clusters=len(doc["clusters"]),
        result=doc,
    )
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


def network(run: CoordinationRun, *, cluster_id: int | None = None) -> dict[str, Any]:
    """Nodes and edges for the network view (cytoscape's elements format)."""
    cluster_of = {
        account: c["id"] for c in run.result.get("clusters", []) for account in c["accounts"]
    }
    edges = cluster_edges(run, cluster_id=cluster_id)
    nodes = sorted({e["source"] for e in edges} | {e["target"] for e in edges})
    return {
        "nodes": [{"data": {"id": n, "cluster": cluster_of.get(n)}} for n in nodes],
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


def export_run(run: CoordinationRun, *, fmt: str) -> bytes:
    """The run's network as GraphML, CSV (edges) or JSON (node-link)."""
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
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"network.{fmt}"
        if fmt == "graphml":
            write_graphml(build_graph(edges), path, cluster_of=cluster_of)
        elif fmt == "csv":
            write_csv(edges, path, cluster_of=cluster_of)
        else:
            write_json(edges, path, cluster_of=cluster_of)
        return path.read_bytes()
