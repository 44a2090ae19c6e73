"""References to clusters: ``cluster:<run id>/<cluster number>``.

A cluster lives inside the coordination run that found it (numbered from 1 in
the run's result), so the run's id is part of its reference: a later run may
number its clusters differently.
"""

from __future__ import annotations

from typing import Any

from marsad.coordination.runs import get_cluster, get_run
from marsad.core.refs import RefType, ResolvedRef


def resolve_cluster(session: Any, ident: str) -> ResolvedRef | None:
    """A cluster of accounts with its size and the methods that tied them."""
    run_id, sep, number = ident.rpartition("/")
    if not sep or not run_id or not number.isdigit():
        return None
    run = get_run(session, run_id=run_id)
    cluster = get_cluster(run, cluster_id=int(number))
    methods = ", ".join(cluster.get("methods") or [cluster.get("method", "")])
    return ResolvedRef(
        ref=f"cluster:{run.id}/{cluster['id']}",
        kind="cluster",
        title=(
            f"cluster {cluster['id']} of the run of {run.created_at:%Y-%m-%d %H:%M} UTC: "
            f"{len(cluster['accounts'])} accounts ({methods})"
        ),
        url=f"/staff/coordination/runs/{run.id}/clusters/{cluster['id']}",
        public=False,
        extra={
            "run": run.id,
            "accounts": list(cluster["accounts"]),
            "methods": list(cluster.get("methods") or []),
            "score": cluster.get("score"),
        },
    )


REF_TYPES: list[RefType] = [
    RefType(
        "cluster",
        resolve_cluster,
        "A cluster of coordinated accounts: the run's id, '/', the cluster's number.",
    )
]
