"""The blob store: files named by their SHA-256, originals kept beside derivatives.

Every file Marsad keeps (a report's attachment today, captured evidence next)
is a *blob*: a plain file under ``MARSAD_BLOBS_DIR`` (default
``DATA_DIR/blobs``) whose name is the hex SHA-256 of its bytes, in one level
of fan-out folders (``ab/abcdef…``). Any tool can re-hash a file and compare
it with its name; :meth:`BlobStore.verify` does exactly that.

A blob is written once and never changed: :meth:`BlobStore.put` streams the
bytes into a temporary file in the store's folder, hashing as it goes, then
fsyncs it and links it into place under its digest. A crash or a failed read
leaves no partial file under a digest name, and putting the same bytes twice
stores them once.

The ``blobs`` table records what the file system cannot: size, media type and
when the blob was first stored; ``blob_derivations`` records that one blob was
made from another and how (``reencode``, ``redact``, ``crop``…). A derivative
never replaces its original. Because blobs are content-addressed, one cleaned
image can derive from two originals (the same photo sent twice with different
metadata), so derivations are a table of their own rather than a column.

Where the files live is the store's business. :class:`BlobStore` is the
interface every caller types against (``put``, ``open``, ``exists``,
``verify``), implemented by the local folder above and by
:class:`S3BlobStore` for an S3-compatible bucket (``MARSAD_BLOBS_S3_URL``),
which keeps the same names (``<prefix>/ab/abcdef…``) and the same promises:
bytes hashed while streamed through a temporary file, an object written
whole or not at all, never replaced. :meth:`BlobStore.from_settings` picks
the configured one.

One text form names a blob everywhere: ``sha256:<64 lowercase hex>``
(:func:`format_sha256`, :func:`parse_sha256`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import BigInteger, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marsad.core.db import Base, UTCDateTime, utcnow
from marsad.core.errors import ConfigError, InvalidInput, NotFound
from marsad.core.settings import Settings

PREFIX = "sha256:"
REF_LENGTH = len(PREFIX) + 64
CHUNK = 1024 * 1024
DERIVATIONS = frozenset({"reencode", "redact", "crop", "transcode", "thumbnail", "extract"})
_HEX = re.compile(r"[0-9a-f]{64}")


# --- the one text form ----------------------------------------------------------------------


def format_sha256(digest: str) -> str:
    """``sha256:<hex>`` for a 64-character hex digest (any case); InvalidInput otherwise."""
    hex_digest = digest.lower()
    if not _HEX.fullmatch(hex_digest):
        raise InvalidInput(
            "err_sha256_invalid",
            f"{digest!r} is not a SHA-256 digest (64 hexadecimal characters)",
            "sha256",
        )
    return PREFIX + hex_digest


def parse_sha256(text: str, *, where: str = "sha256") -> str:
    """The hex digest of a ``sha256:<hex>`` reference; InvalidInput naming anything else.

    Only the one form is accepted: lowercase ``sha256:`` then 64 lowercase
    hexadecimal characters, nothing around them.
    """
    if (
        not isinstance(text, str)
        or not text.startswith(PREFIX)
        or not _HEX.fullmatch(text[len(PREFIX) :])
    ):
        raise InvalidInput(
            "err_sha256_invalid",
            f"{str(text)[:80]!r} is not a blob reference; expected sha256: and 64 "
            "lowercase hexadecimal characters",
            where,
        )
    return text[len(PREFIX) :]


# --- files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PutResult:
    """What :meth:`BlobStore.put` stored: the blob's reference and size, and whether it was new."""

    sha256: str
    size: int
    created: bool


class BlobStore:
    """Content-addressed files in one folder; see the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def from_settings(cls, settings: Settings) -> BlobStore:
        """The configured store: the S3 bucket of ``MARSAD_BLOBS_S3_URL`` when set, else the
        folder ``MARSAD_BLOBS_DIR`` (``DATA_DIR/blobs`` when that is empty)."""
        s3_url = getattr(settings, "blobs_s3_url", "")
        if s3_url:
            return S3BlobStore(s3_url, staging=settings.data_dir / "blob-staging")
        return cls(settings.resolved_blobs_dir)

    def path(self, ref: str) -> Path:
        """Where the blob ``sha256:<hex>`` lives (whether or not it exists)."""
        digest = parse_sha256(ref)
        return self.root / digest[:2] / digest

    def exists(self, ref: str) -> bool:
        """Whether the blob's file is in the store."""
        return self.path(ref).is_file()

    def open(self, ref: str) -> BinaryIO:
        """The blob's bytes, for reading; NotFound when the store does not hold it."""
        try:
            return self.path(ref).open("rb")
        except FileNotFoundError:
            raise NotFound("err_blob_not_found", f"no blob {ref} in the store", "sha256") from None

    def verify(self, ref: str) -> bool:
        """Re-hash the blob's file: True when its bytes still match its name."""
        digest = hashlib.sha256()
        with self.open(ref) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        return PREFIX + digest.hexdigest() == ref

    def put(self, source: BinaryIO | bytes, *, max_bytes: int | None = None) -> PutResult:
        """Store bytes (or everything a binary stream yields) under their SHA-256.

        Streams in 1 MiB chunks, never holding the whole file. The bytes go to a
        temporary file in the store's folder, which is fsynced and then linked to
        its digest's name, so a reader never sees a partial blob. An existing blob
        is left as it is (same name, same bytes). ``max_bytes`` refuses a larger
        stream with InvalidInput, storing nothing.
        """
        stream: BinaryIO = BytesIO(source) if isinstance(source, bytes) else source
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".put-", suffix=".tmp", dir=self.root)
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise InvalidInput(
                            "err_blob_too_large",
                            f"the file is larger than {max_bytes} bytes",
                            "file",
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            ref = PREFIX + digest.hexdigest()
            final = self.path(ref)
            final.parent.mkdir(exist_ok=True)
            # Blobs may hold what a reporter's phone recorded (GPS in an original photo):
            # readable by Marsad's own user only.
            tmp.chmod(0o600)
            created = _link_once(tmp, final)
            if created:
                _fsync_dir(final.parent)
            return PutResult(sha256=ref, size=size, created=created)
        finally:
            tmp.unlink(missing_ok=True)


def _hash_to_file(stream: BinaryIO, out: BinaryIO, max_bytes: int | None) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise InvalidInput(
                "err_blob_too_large", f"the file is larger than {max_bytes} bytes", "file"
            )
        digest.update(chunk)
        out.write(chunk)
    return PREFIX + digest.hexdigest(), size


class S3BlobStore(BlobStore):
    """The same content-addressed store in an S3-compatible bucket (AWS, MinIO, Garage…).

    ``url``: ``s3://bucket/prefix?endpoint=<url>&region=<name>``. A put streams
    the bytes into a temporary file (in ``staging``) while hashing them, then
    uploads that file under its digest unless an object has that name: an upload
    either completes whole (S3 never shows a partial object) or leaves nothing.
    """

    def __init__(self, url: str, *, staging: Path) -> None:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ConfigError(
                "MARSAD_BLOBS_S3_URL", f"{url!r} is not s3://bucket/prefix?endpoint=…&region=…"
            )
        query = parse_qs(parts.query)
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.endpoint = (query.get("endpoint") or [None])[0]
        self.region = (query.get("region") or [None])[0]
        self.root = Path(staging)
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import boto3
            except ImportError:
                raise ConfigError(
                    "MARSAD_BLOBS_S3_URL", "the S3 store needs boto3: pip install 'marsad[s3]'"
                ) from None
            self._client = boto3.client("s3", endpoint_url=self.endpoint, region_name=self.region)
        return self._client

    def key(self, ref: str) -> str:
        """The object key of the blob ``sha256:<hex>``."""
        digest = parse_sha256(ref)
        name = f"{digest[:2]}/{digest}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def path(self, ref: str) -> Path:
        raise NotImplementedError("an S3 blob has no local path; use open()")

    def exists(self, ref: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(ref))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def open(self, ref: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.key(ref))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise NotFound(
                    "err_blob_not_found", f"no blob {ref} in the store", "sha256"
                ) from None
            raise
        return found["Body"]  # type: ignore[no-any-return]

    def put(self, source: BinaryIO | bytes, *, max_bytes: int | None = None) -> PutResult:
        stream: BinaryIO = BytesIO(source) if isinstance(source, bytes) else source
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.root) as tmp:
            ref, size = _hash_to_file(stream, tmp, max_bytes)  # type: ignore[arg-type]
            if self.exists(ref):
                return PutResult(sha256=ref, size=size, created=False)
            tmp.seek(0)
            self.client.upload_fileobj(
                tmp,
                self.bucket,
                self.key(ref),
                ExtraArgs={"Metadata": {"sha256": ref[len(PREFIX) :]}},
            )
        return PutResult(sha256=ref, size=size, created=True)


def _link_once(tmp: Path, final: Path) -> bool:
    """Give ``tmp`` the name ``final`` unless a file has it; True when this call stored it."""
    try:
        os.link(tmp, final)  # atomic, and never replaces an existing blob
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: rename, which is atomic too
        if final.exists():
            return False
        os.replace(tmp, final)
    return True


def _fsync_dir(folder: Path) -> None:
    # The new name must survive a power cut too, not only the bytes.
    with contextlib.suppress(OSError):  # not every platform lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- the catalogue --------------------------------------------------------------------------


class Blob(Base):
    """One stored file: its ``sha256:<hex>`` name, size, media type and first-stored time."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(REF_LENGTH), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BlobDerivation(Base):
    """That blob ``derivative`` was made from blob ``original``, and how."""

    __tablename__ = "blob_derivations"

    derivative: Mapped[str] = mapped_column(
        ForeignKey("blobs.sha256", ondelete="CASCADE"), primary_key=True
    )
    original: Mapped[str] = mapped_column(
        ForeignKey("blobs.sha256", ondelete="CASCADE"), primary_key=True, index=True
    )
    how: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _insert_ignoring_duplicates(
    session: Session, model: type[Base], values: dict[str, Any]
) -> None:
    # Two requests storing the same bytes at once must both succeed: the row is
    # added unless it is there, in one statement, on both backends.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def record_blob(session: Session, *, sha256: str, size: int, media_type: str) -> Blob:
    """The catalogue row of a stored blob, added if new (an existing row is kept as it is)."""
    parse_sha256(sha256)
    blob = session.get(Blob, sha256)
    if blob is None:
        _insert_ignoring_duplicates(
            session,
            Blob,
            {"sha256": sha256, "size": size, "media_type": media_type, "created_at": utcnow()},
        )
        blob = session.get(Blob, sha256)
    assert blob is not None  # noqa: S101 - inserted or found just above
    return blob


def store_blob(
    session: Session,
    store: BlobStore,
    source: BinaryIO | bytes,
    *,
    media_type: str,
    derived_from: str | None = None,
    how: str | None = None,
) -> Blob:
    """Put bytes in the store and catalogue them; for a derivative, record its original.

    ``derived_from`` (a stored blob's ``sha256:<hex>``) and ``how`` (one of
    :data:`DERIVATIONS`) go together. The original is never touched.
    """
    if (derived_from is None) != (how is None):
        raise InvalidInput(
            "err_blob_derivation",
            "a derivative needs both the original it comes from and how it was made",
            "derived_from",
        )
    if how is not None and how not in DERIVATIONS:
        raise InvalidInput(
            "err_blob_derivation",
            f"unknown derivation {how!r}; expected one of {', '.join(sorted(DERIVATIONS))}",
            "how",
        )
    if derived_from is not None:
        parse_sha256(derived_from, where="derived_from")
        if session.get(Blob, derived_from) is None:
            raise NotFound(
                "err_blob_not_found", f"no blob {derived_from} to derive from", "derived_from"
            )
    put = store.put(source)
    blob = record_blob(session, sha256=put.sha256, size=put.size, media_type=media_type)
    if derived_from is not None and derived_from != blob.sha256:
        _insert_ignoring_duplicates(
            session,
            BlobDerivation,
            {
                "derivative": blob.sha256,
                "original": derived_from,
                "how": how,
                "created_at": utcnow(),
            },
        )
    return blob


def get_blob(session: Session, *, sha256: str) -> Blob:
    """A blob's catalogue row; NotFound when none."""
    parse_sha256(sha256)
    blob = session.get(Blob, sha256)
    if blob is None:
        raise NotFound("err_blob_not_found", f"no blob {sha256}", "sha256")
    return blob


def originals_of(session: Session, *, sha256: str) -> list[tuple[str, str]]:
    """``(original, how)`` for each blob this one was made from, oldest link first."""
    parse_sha256(sha256)
    rows = session.execute(
        select(BlobDerivation.original, BlobDerivation.how)
        .where(BlobDerivation.derivative == sha256)
        .order_by(BlobDerivation.created_at, BlobDerivation.original)
    )
    return [(row.original, row.how) for row in rows]


def derivatives_of(session: Session, *, sha256: str) -> list[tuple[str, str]]:
    """``(derivative, how)`` for each blob made from this one, oldest link first."""
    parse_sha256(sha256)
    rows = session.execute(
        select(BlobDerivation.derivative, BlobDerivation.how)
        .where(BlobDerivation.original == sha256)
        .order_by(BlobDerivation.created_at, BlobDerivation.derivative)
    )
    return [(row.derivative, row.how) for row in rows]
