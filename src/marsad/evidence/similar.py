"""Re-uploads: perceptual hashes of pictures and video key frames, and the items that match.

Two hashes of each still image (and of each key frame of a video):

``pdq``    Meta's PDQ (the ``pdqhash`` package, the ``pdq`` extra), 256 bits,
           with a quality score (0-100; below 50 the picture is too flat to
           match on); skipped when the package is not installed;
``phash``  the DCT pHash of ``imagehash``, 64 bits.

A picture resized, re-encoded as JPEG or lightly cropped keeps its hashes
within a few bits; :func:`similar_items` lists the items whose hashes are within
the configured Hamming distance of an item's (``evidence_pdq_max_distance``,
``evidence_phash_max_distance``). Hashes are stored per blob
(``evidence_phashes``), so the same picture seen as two items is hashed once.

Video key frames are read with ffmpeg/ffprobe when they are installed; without
them a video is left unhashed and the result says so (``"video": "ffmpeg
missing"``) instead of pretending.

An account's avatar stored as evidence (an item whose ``source_ref`` is
``account:<platform>:<account id>`` and whose ``meta`` says ``"avatar": true``)
gives the account's avatar hash to the successor-account ranking
(:func:`avatar_hashes`).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core.blobs import BlobStore
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput, NotFound
from marsad.core.jobs.kinds import JobKind
from marsad.evidence.models import EvidenceItem, EvidencePart, PerceptualHash

log = logging.getLogger(__name__)

ALGORITHMS = ("pdq", "phash")
BITS = {"pdq": 256, "phash": 64}
# Larger pictures are refused before decoding (a small file may unpack to gigabytes).
MAX_PIXELS = 100_000_000
HASHED_ROLES = ("original", "frame")
FFMPEG_TIMEOUT = 120


@dataclass(frozen=True)
class Hash:
    """One perceptual hash of a still image or of one video frame (``frame_ms`` ≥ 0)."""

    algorithm: str
    value: str
    quality: int | None = None
    frame_ms: int = -1


# --- hashing pictures -----------------------------------------------------------------------


def hash_image(source: Any) -> list[Hash]:
    """PDQ and pHash of one picture (a path or a binary stream); InvalidInput if unreadable."""
    import imagehash
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise InvalidInput(
                        "err_evidence_image_too_large",
                        f"the picture has {opened.width}×{opened.height} pixels; "
                        f"at most {MAX_PIXELS} are hashed",
                        "file",
                    )
                opened.draft("RGB", (1024, 1024))  # JPEG: decode at a reduced size, faster
                image = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput(
            "err_evidence_not_an_image", f"the file is not a readable picture ({exc})", "file"
        ) from None
    # PDQ downsamples to 64×64 itself; 512 px keeps its result and saves time on big photos.
    image.thumbnail((512, 512))
    found = [Hash("phash", str(imagehash.phash(image)))]
    pdq = _pdq(image)
    if pdq is not None:
        found.insert(0, pdq)
    return found


def pdq_available() -> bool:
    """Whether the optional ``pdqhash`` package is installed (``pip install marsad[pdq]``)."""
    try:
        import pdqhash  # noqa: F401
    except ImportError:
        return False
    return True


def _pdq(image: Any) -> Hash | None:
    # pdqhash is compiled at install time (no wheel for every platform), so it is an
    # extra: without it pictures are matched on pHash alone.
    try:
        import pdqhash
    except ImportError:
        return None
    import numpy as np

    bits, quality = pdqhash.compute(np.asarray(image))
    return Hash("pdq", "".join(f"{b:x}" for b in _nibbles(bits)), int(quality))


def _nibbles(bits: Any) -> Iterable[int]:
    values = [int(b) for b in bits]
    for i in range(0, len(values), 4):
        yield values[i] << 3 | values[i + 1] << 2 | values[i + 2] << 1 | values[i + 3]


def ffmpeg_available() -> bool:
    """Whether ffmpeg and ffprobe are installed (video key frames need both)."""
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise InvalidInput("err_evidence_ffmpeg_missing", f"{name} is not installed", "video")
    return found


def hash_video(path: Path, *, max_frames: int) -> list[Hash]:
    """Hashes of a video's key frames (at most ``max_frames``, each with its time in ms)."""
    probe = subprocess.run(  # noqa: S603 - fixed program, the path is an argument
        [
            _tool("ffprobe"), "-v", "error", "-select_streams", "v:0", "-skip_frame", "nokey",
            "-show_entries", "frame=pts_time", "-of", "csv=p=0", str(path),
        ],
        capture_output=True, text=True, timeout=FFMPEG_TIMEOUT, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        raise InvalidInput(
            "err_evidence_not_a_video",
            f"ffprobe cannot read the video: {probe.stderr.strip()[:200]}",
            "file",
        )
    times = [float(t.strip().rstrip(",")) for t in probe.stdout.split() if t.strip(", ")]
    with tempfile.TemporaryDirectory(prefix="marsad-frames-") as tmp:
        done = subprocess.run(  # noqa: S603
            [
                _tool("ffmpeg"), "-v", "error", "-nostdin", "-skip_frame", "nokey", "-i", str(path),
                "-fps_mode", "passthrough", "-frames:v", str(max_frames),
                str(Path(tmp) / "%06d.png"),
            ],
            capture_output=True, timeout=FFMPEG_TIMEOUT, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise InvalidInput(
                "err_evidence_not_a_video",
                f"ffmpeg cannot read the video's frames: {done.stderr.decode()[:200]}",
                "file",
            )
        out: list[Hash] = []
        for index, frame in enumerate(sorted(Path(tmp).glob("*.png"))):
            ms = round(times[index] * 1000) if index < len(times) else index
            out.extend(
                Hash(h.algorithm, h.value, h.quality, frame_ms=ms) for h in hash_image(frame)
            )
    return out


# --- items ----------------------------------------------------------------------------------


def _media_kind(media_type: str, path: Path) -> str | None:
    if media_type.startswith("image/"):
        return "image"
    if media_type.startswith("video/"):
        return "video"
    import filetype

    guess = filetype.guess_mime(str(path)) or ""
    return (
        "image" if guess.startswith("image/") else "video" if guess.startswith("video/") else None
    )


def _blobs_of(session: Session, item: EvidenceItem) -> list[tuple[str, str]]:
    """(sha256, media type) of the item's picture or video blobs worth hashing."""
    out = [(item.sha256, item.media_type)] if item.sha256 else []
    parts = session.execute(
        select(EvidencePart.sha256, EvidencePart.media_type).where(
            EvidencePart.item_id == item.id, EvidencePart.role.in_(HASHED_ROLES)
        )
    )
    out.extend((p.sha256, p.media_type) for p in parts)
    return list(dict.fromkeys(out))


def hash_item(
    session: Session, store: BlobStore, item: EvidenceItem, *, max_frames: int = 60
) -> dict[str, Any]:
    """Compute and store the perceptual hashes of an item's picture or video (idempotent).

    Called when an image or video item is added, and by the ``evidence.phash``
    backfill job. A blob already hashed is not read again. Returns
    ``{"item", "hashed", "skipped"}``: how many hashes were stored, and why a
    blob was not hashed (not a picture, ffmpeg missing, unreadable).
    """
    stored = 0
    skipped: list[str] = []
    for sha256, media_type in _blobs_of(session, item):
        done = session.scalar(select(PerceptualHash.id).where(PerceptualHash.sha256 == sha256))
        if done is not None:
            continue
        path = store.path(sha256)
        if not path.is_file():
            skipped.append(f"{sha256}: the stored file is missing")
            continue
        kind = _media_kind(media_type, path)
        try:
            if kind == "image":
                found = hash_image(path)
            elif kind == "video" and ffmpeg_available():
                found = hash_video(path, max_frames=max_frames)
            elif kind == "video":
                skipped.append(f"{sha256}: video, but ffmpeg is not installed")
                continue
            else:
                continue
        except InvalidInput as exc:
            skipped.append(f"{sha256}: {exc.message}")
            continue
        for h in found:
            _insert_hash(session, sha256, h)
            stored += 1
    session.flush()
    return {"item": item.id, "hashed": stored, "skipped": skipped}


def _insert_hash(session: Session, sha256: str, h: Hash) -> None:
    # Two workers hashing the same blob at once: one row, both succeed.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(
        insert(PerceptualHash)
        .values(
            sha256=sha256,
            algorithm=h.algorithm,
            frame_ms=h.frame_ms,
            value=h.value,
            quality=h.quality,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex hashes of the same length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def similar_items(
    session: Session,
    store: BlobStore,
    *,
    item_id: int,
    pdq_max: int,
    phash_max: int,
) -> dict[str, Any]:
    """Items whose pictures (or key frames) are within the distance thresholds of this one's.

    Hashes the item first when it has none yet. Each match carries its smallest
    distance per algorithm (``distances``) and ``distance``, the PDQ one where both
    pictures have PDQ, else pHash; matches come closest first.
    """
    item = session.get(EvidenceItem, item_id)
    if item is None:
        raise NotFound("err_evidence_not_found", f"no evidence item {item_id}", "id")
    blobs = [sha for sha, _ in _blobs_of(session, item)]
    hashed = hash_item(session, store, item) if blobs else {"skipped": []}
    own = list(session.scalars(select(PerceptualHash).where(PerceptualHash.sha256.in_(blobs))))
    limits = {"pdq": pdq_max, "phash": phash_max}
    # Other blob -> algorithm -> distance. The item's own blobs are there at 0: another
    # item holding the very same bytes is the closest re-upload of all.
    best: dict[str, dict[str, int]] = {
        sha: {h.algorithm: 0 for h in own if h.sha256 == sha} for sha in {h.sha256 for h in own}
    }
    for algorithm in ALGORITHMS:
        mine = [h.value for h in own if h.algorithm == algorithm]
        if not mine:
            continue
        rows = session.execute(
            select(PerceptualHash.sha256, PerceptualHash.value).where(
                PerceptualHash.algorithm == algorithm, PerceptualHash.sha256.not_in(blobs)
            )
        )
        for other, value in rows:
            if len(value) != len(mine[0]):
                continue
            distance = min(hamming(value, m) for m in mine)
            if distance <= limits[algorithm]:
                seen = best.setdefault(other, {})
                seen[algorithm] = min(distance, seen.get(algorithm, distance))
    matches: dict[int, dict[str, Any]] = {}
    if best:
        items = session.scalars(
            select(EvidenceItem).where(
                EvidenceItem.sha256.in_(list(best)), EvidenceItem.id != item_id
            )
        )
        by_part = session.execute(
            select(EvidencePart.item_id, EvidencePart.sha256).where(
                EvidencePart.sha256.in_(list(best)), EvidencePart.item_id != item_id
            )
        ).all()
        found = [(i, i.sha256) for i in items]
        found += [(session.get(EvidenceItem, p.item_id), p.sha256) for p in by_part]
        for other_item, sha in found:
            if other_item is None:
                continue
            distances = best[sha]
            entry = matches.get(other_item.id)
            if entry is None or _rank(distances) < _rank(entry["distances"]):
                matches[other_item.id] = {
                    "id": other_item.id,
                    "kind": other_item.kind,
                    "title": other_item.title,
                    "sha256": sha,
                    "source_ref": other_item.source_ref,
                    "distance": distances.get("pdq", distances.get("phash")),
                    "algorithm": "pdq" if "pdq" in distances else "phash",
                    "distances": distances,
                }
    ordered = sorted(matches.values(), key=lambda m: (_rank(m["distances"]), m["id"]))
    return {
        "id": item_id,
        "hashes": len(own),
        "max_distance": limits,
        "skipped": hashed["skipped"],
        "similar": ordered,
    }


def _rank(distances: dict[str, int]) -> float:
    """A distance comparable across algorithms: the share of bits that differ."""
    return min(d / BITS[a] for a, d in distances.items())


def avatar_hashes(session: Session, *, accounts: Iterable[str] | None = None) -> dict[str, str]:
    """``platform:account_id`` → the PDQ hash (else pHash) of its avatar stored as evidence.

    An avatar is an evidence item whose ``source_ref`` is
    ``account:<platform>:<account id>`` and whose ``meta`` has ``"avatar": true``;
    the newest one of an account wins.
    """
    wanted = None if accounts is None else {f"account:{a}" for a in accounts}
    rows = session.execute(
        select(EvidenceItem.source_ref, EvidenceItem.sha256, EvidenceItem.meta)
        .where(EvidenceItem.source_ref.like("account:%"), EvidenceItem.sha256.is_not(None))
        .order_by(EvidenceItem.id)
    )
    blob_of: dict[str, str] = {}
    for ref, sha256, meta in rows:
        if (meta or {}).get("avatar") is True and (wanted is None or ref in wanted):
            blob_of[ref.removeprefix("account:")] = sha256
    if not blob_of:
        return {}
    values: dict[str, dict[str, str]] = {}
    for sha256, algorithm, value in session.execute(
        select(PerceptualHash.sha256, PerceptualHash.algorithm, PerceptualHash.value).where(
            PerceptualHash.sha256.in_(set(blob_of.values())), PerceptualHash.frame_ms == -1
        )
    ):
        values.setdefault(sha256, {})[algorithm] = value
    out = {}
    for account, sha256 in blob_of.items():
        found = values.get(sha256, {})
        if "pdq" in found or "phash" in found:
            out[account] = found.get("pdq") or found["phash"]
    return out


# --- the backfill job -----------------------------------------------------------------------


class PhashParams(BaseModel):
    """Which items to hash; none: every item not hashed yet."""

    model_config = ConfigDict(extra="forbid")

    item_ids: list[int] = Field(default_factory=list, description="Evidence item ids.")


BATCH = 50


def backfill(
    *, sessions: Any, settings: Any, item_ids: list[int] | None, cursor: int = 0, on_batch: Any
) -> dict[str, Any]:
    """Hash every item (or these) with id above ``cursor``, committing batch by batch."""
    from marsad.core.db import session_scope

    store = BlobStore.from_settings(settings)
    max_frames = settings.evidence.evidence_video_max_frames
    totals = {"items": 0, "hashed": 0, "skipped": []}
    while True:
        with session_scope(sessions) as session:
            query = select(EvidenceItem).where(
                EvidenceItem.id > cursor, EvidenceItem.sha256.is_not(None)
            )
            if item_ids:
                query = query.where(EvidenceItem.id.in_(item_ids))
            batch = list(session.scalars(query.order_by(EvidenceItem.id).limit(BATCH)))
            for item in batch:
                done = hash_item(session, store, item, max_frames=max_frames)
                totals["items"] += 1
                totals["hashed"] += done["hashed"]
                totals["skipped"].extend(done["skipped"])
        if not batch:
            return totals
        cursor = batch[-1].id
        on_batch(cursor)


def run_phash_job(context: Any, params: PhashParams) -> dict[str, Any]:
    """The ``evidence.phash`` job: :func:`backfill` from the saved cursor (an item id)."""

    def saved(cursor: int) -> None:
        context.save_cursor(cursor)

    return backfill(
        sessions=context.sessions,
        settings=context.settings,
        item_ids=params.item_ids or None,
        cursor=int(context.cursor() or 0),
        on_batch=saved,
    )


JOB_KINDS = [
    JobKind(
        name="evidence.phash",
        params=PhashParams,
        run=run_phash_job,
        description="Compute the perceptual hashes (PDQ, pHash) of evidence pictures and "
        "video key frames not hashed yet.",
    )
]
