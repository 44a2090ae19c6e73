"""A store run split by object: what a shard sends to the merge, as JSON.

Edges are sums over the objects the accounts shared (see
:class:`marsad.coordination.coaction.CoCounts`), so the objects are dealt out to
shards by a stable hash (:func:`marsad.coordination.service.object_shards`);
each shard counts its objects and the merge adds the counts and scores,
groups and describes once, exactly as one process would.

Every shard reads the same store, and so builds the same account and object
codes; its part is sent in those codes. The *fingerprint* of what it read
travels with it: the merge refuses parts read from a store that has changed
since, rather than add counts of two different stores.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Any

import numpy as np

from marsad.coordination.coaction import CoCounts
from marsad.coordination.service import PartialEdges, Prepared
from marsad.core.errors import MarsadError

__all__ = ["decode_part", "encode_part", "fingerprint"]


def _pack(values: np.ndarray) -> str:
    """int64 values as compact text: little-endian bytes, deflated, base64."""
    raw = np.ascontiguousarray(values, dtype="<i8").tobytes()
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def _unpack(text: str) -> np.ndarray:
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype="<i8").astype(np.int64)


def fingerprint(prep: Prepared) -> str:
    """A digest of everything counting depends on: posts, accounts, times, each method's objects."""
    table = prep.table
    digest = hashlib.sha256()
    digest.update(str(len(table)).encode())
    digest.update("\x1f".join(map(str, table.post_id.tolist())).encode("utf-8", "surrogatepass"))
    digest.update(np.ascontiguousarray(table.account, dtype="<i8").tobytes())
    digest.update(np.ascontiguousarray(table.time, dtype="<i8").tobytes())
    for method, (rows, obj, labels) in prep.actions.items():
        digest.update(method.encode())
        digest.update(np.ascontiguousarray(rows, dtype="<i8").tobytes())
        digest.update(np.ascontiguousarray(obj, dtype="<i8").tobytes())
        digest.update("\x1f".join(map(str, labels.tolist())).encode("utf-8", "surrogatepass"))
    return "sha256:" + digest.hexdigest()


def encode_part(part: PartialEdges) -> dict[str, Any]:
    """A shard's counts as a JSON object."""
    doc: dict[str, Any] = {}
    if part.counts is not None:
        c = part.counts
        doc["counts"] = {
            "width": c.width,
            "pair_key": _pack(c.pair_key),
            "pair_obj": _pack(c.pair_obj),
            "pair_n": _pack(c.pair_n),
            # Per stratum, only the accounts that acted (most did not, in most strata).
            "strata": {
                str(g): {
                    "accounts": _pack(np.flatnonzero(c.n_actions[g])),
                    "n_actions": _pack(c.n_actions[g][c.n_actions[g] > 0]),
                    "exposure": _pack(c.exposure[g][c.n_actions[g] > 0]),
                }
                for g in sorted(c.n_actions)
            },
        }
    if part.pairs:
        doc["pairs"] = {m: [_pack(i), _pack(j)] for m, (i, j) in part.pairs.items()}
    return doc


def decode_part(doc: dict[str, Any]) -> PartialEdges:
    """The counts :func:`encode_part` wrote; a malformed part is a clear error."""
    try:
        part = PartialEdges()
        if "counts" in doc:
            c = doc["counts"]
            width = int(c["width"])
            n_actions: dict[int, np.ndarray] = {}
            exposure: dict[int, np.ndarray] = {}
            for g, stratum in c["strata"].items():
                accounts = _unpack(stratum["accounts"])
                n_actions[int(g)] = np.zeros(width, dtype=np.int64)
                exposure[int(g)] = np.zeros(width, dtype=np.int64)
                n_actions[int(g)][accounts] = _unpack(stratum["n_actions"])
                exposure[int(g)][accounts] = _unpack(stratum["exposure"])
            part.counts = CoCounts(
                width,
                _unpack(c["pair_key"]),
                _unpack(c["pair_obj"]),
                _unpack(c["pair_n"]),
                n_actions,
                exposure,
            )
        for method, (i, j) in doc.get("pairs", {}).items():
            part.pairs[method] = (_unpack(i), _unpack(j))
    except (KeyError, TypeError, ValueError, IndexError, zlib.error) as exc:
        raise MarsadError(
            "err_coordination_shard", f"a shard's result is unreadable ({exc})", where="shards"
        ) from None
    return part
