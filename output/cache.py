"""A per-document cache of extractions, so that a rebuild re-extracts only what changed.

An entry is keyed by the SHA-256 of the pipeline's fingerprint (its version and rule data,
:func:`~policykg.extract.version.pipeline_fingerprint`), the document's format (its suffix),
the encoding asked for and the document's bytes. The name is not part of the key: the
extraction does not depend on it, so it is given back on load. An entry is one file
``<key>.json`` of two lines of compact JSON: first the extraction's summary (what the merge
of a corpus needs: its entities with their earliest mention, no relations, no text; see
:func:`summary`), then the text read and the extraction in its JSON form
(``Extraction.to_json``, which keeps everything the graph uses). A rebuild reads the
summaries only, and the whole extraction of a document whose written share changed.
Entries are written to a temporary file and renamed, with SIGINT and SIGTERM held in
between, so a half-written entry is never read; an entry that cannot be read or does not
match its key is ignored (and overwritten), never an error.
Workers write different entries (or the same bytes under the same name), so any number of
processes can share a cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from policykg.extract import Entity, Extraction, validate_encoding
from policykg.extract.version import pipeline_fingerprint

from .errors import Errors, OutputError

__all__ = [
    "CACHE_FOLDER",
    "ENTRY_FORMAT",
    "ExtractionCache",
    "cache_key",
    "decode_entry",
    "decode_summary",
    "encode_entry",
    "encode_summary",
    "summary",
    "summary_line",
]

#: The cache folder a build keeps in its output folder (hidden: never read as documents).
CACHE_FOLDER = ".policykg-cache"
#: The layout of an entry; part of the key, so a new layout starts a new cache.
ENTRY_FORMAT = 2

StrPath = str | os.PathLike[str]

#: An entry's key: a SHA-256, in hex.
_KEY = re.compile(r"[0-9a-f]{64}")

_log = logging.getLogger(__name__)


def cache_key(data: bytes, path: StrPath, encoding: str | None = None) -> str:
    """The key (SHA-256, hex) of the extraction of document bytes ``data`` read as the format
    of ``path``'s suffix with ``encoding`` (None: detected)."""
    codec = validate_encoding(encoding) if encoding is not None else ""
    suffix = Path(path).suffix.lower()
    head = f"policykg-extraction/{ENTRY_FORMAT}\0{pipeline_fingerprint()}\0{suffix}\0{codec}\0"
    digest = hashlib.sha256(head.encode("utf-8"))
    digest.update(data)
    return digest.hexdigest()


class ExtractionCache:
    """Extractions stored in ``folder`` by :func:`cache_key`.

    The folder is created when the first entry is written; :meth:`create` makes it now and
    raises :class:`OutputError` (E150) when it cannot be a cache folder.
    """

    def __init__(self, folder: StrPath) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"ExtractionCache({os.fspath(self.folder)!r})"

    def create(self) -> ExtractionCache:
        """Make the folder (and its parents) now; E150 names it when that fails."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise OutputError(
                Errors.E150.format(path=os.fspath(self.folder), reason=reason)
            ) from None
        return self

    def entry(self, key: str) -> Path:
        """The file of the entry ``key``."""
        return self.folder / f"{key}.json"

    def load(self, key: str, name: str) -> Extraction | None:
        """The cached extraction of ``key`` named ``name``, or None when there is none or it
        cannot be used (unreadable, not an entry, another key, offsets that do not fit)."""
        return self._decoded(self.read(self.entry(key)), decode_entry, key, name)

    def load_summary(self, key: str, name: str) -> Extraction | None:
        """The summary (:func:`summary`) of the cached extraction of ``key`` named ``name``,
        or None when there is no usable entry. Only the entry's first line is read."""
        try:
            with open(self.entry(key), "rb") as handle:
                payload = handle.readline()
        except OSError:
            return None
        return self._decoded(payload, decode_summary, key, name)

    def _decoded(
        self,
        payload: bytes | None,
        decode: Callable[[bytes, str, str], Extraction],
        key: str,
        name: str,
    ) -> Extraction | None:
        """``decode`` of the entry ``key``'s bytes; None (logged) when it cannot be used."""
        if payload is None:
            return None
        try:
            return decode(payload, key, name)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            _log.info("ignoring the unusable cache entry %s: %s", self.entry(key), exc)
            return None

    def store(self, key: str, extraction: Extraction, brief: Extraction | None = None) -> bytes:
        """Write ``extraction`` as the entry ``key`` (atomically) and return its bytes
        (``brief``: its :func:`summary`, when made already).

        A cache that cannot be written is only logged: the build goes on without it.
        """
        payload = encode_entry(key, extraction, brief)
        self.write(self.entry(key), payload)
        return payload

    def prune(self, entries: set[str], parts: set[str], parts_folder: str) -> int:
        """Remove the entries whose key is not in ``entries`` and the cached shares (in
        ``parts_folder``) whose key is not in ``parts``: what a build into an output folder
        did not use, so that the folder's cache does not grow with every change. Only files
        named as entries are touched; one that cannot be removed is only logged. The number
        removed."""
        removed = 0
        for folder, keep in ((self.folder, entries), (self.folder / parts_folder, parts)):
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                key, suffix = name[:-5], name[-5:]
                if suffix != ".json" or key in keep or not _KEY.fullmatch(key):
                    continue
                try:
                    os.unlink(folder / name)
                    removed += 1
                except OSError as exc:
                    _log.warning("cannot remove the unused cache entry %s: %s", folder / name, exc)
        return removed

    def read(self, path: Path) -> bytes | None:
        """The bytes of the cache file ``path`` (in :attr:`folder`), None when unreadable."""
        try:
            return path.read_bytes()
        except OSError:
            return None

    def write(self, path: Path, payload: bytes) -> None:
        """Write the cache file ``path`` (in :attr:`folder` or a folder in it) atomically,
        signals held; a failure is only logged."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _signals_blocked():
                fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
                try:
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(payload)
                    os.replace(name, path)
                except BaseException:
                    Path(name).unlink(missing_ok=True)
                    raise
        except OSError as exc:
            _log.warning("cannot write the cache entry %s: %s", path, exc)


def summary(extraction: Extraction) -> Extraction:
    """What the merge of a corpus takes of an extraction: its name, metadata and entities,
    each with its earliest mention (offsets known) only; no text, no relations."""
    entities = []
    for entity in extraction.entities:
        known = [m for m in entity.mentions if m.start >= 0]
        first = [min(known, key=lambda m: m.start)] if known else []
        entities.append(
            Entity(
                entity.id,
                entity.type,
                entity.label,
                first,
                list(entity.aliases),
                dict(entity.attributes),
                dict(entity.merged),
            )
        )
    return Extraction(extraction.document, "", entities, [], dict(extraction.metadata))


def encode_entry(key: str, extraction: Extraction, brief: Extraction | None = None) -> bytes:
    """The bytes of the entry ``key`` for ``extraction``: its summary (``brief``, when made
    already), then the extraction, each a line of compact UTF-8 JSON."""
    record = extraction.to_json()
    del record["document"]
    entry = {"format": ENTRY_FORMAT, "key": key, "text": extraction.text, "extraction": record}
    return encode_summary(key, extraction, brief) + b"\n" + _compact(entry)


def encode_summary(key: str, extraction: Extraction, brief: Extraction | None = None) -> bytes:
    """The summary line of the entry ``key`` for ``extraction`` (:func:`summary_line`)."""
    short = (summary(extraction) if brief is None else brief).to_json()
    del short["document"]
    return _compact({"format": ENTRY_FORMAT, "key": key, "summary": short})


def _compact(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def summary_line(payload: bytes) -> bytes:
    """The summary line of an entry's bytes: what :func:`decode_summary` reads, sent alone
    by a worker that stored the entry."""
    return payload.partition(b"\n")[0]


def decode_entry(payload: bytes, key: str, name: str) -> Extraction:
    """The extraction in an entry, named ``name``; ValueError (or KeyError, TypeError) when
    the entry is not one of ``key`` or does not fit its text."""
    _, sep, body = payload.partition(b"\n")
    if not sep:
        raise ValueError("not an entry: one line")
    entry: Any = json.loads(body.decode("utf-8"))
    if entry.get("format") != ENTRY_FORMAT or entry.get("key") != key:
        raise ValueError("not an entry of this key")
    text = entry["text"]
    if not isinstance(text, str):
        raise TypeError("the text is not a string")
    extraction = Extraction.from_json({**entry["extraction"], "document": name}, text)
    for entity in extraction.entities:
        for mention in entity.mentions:
            if text[mention.start : mention.end] != mention.text:
                raise ValueError(f"mention {mention.text!r} does not fit the text")
    return extraction


def decode_summary(payload: bytes, key: str, name: str) -> Extraction:
    """The summary in an entry (or a summary line alone), named ``name``; ValueError (or
    KeyError, TypeError) when it is not one of ``key``."""
    head: Any = json.loads(summary_line(payload).decode("utf-8"))
    if head.get("format") != ENTRY_FORMAT or head.get("key") != key:
        raise ValueError("not an entry of this key")
    return Extraction.from_json({**head["summary"], "document": name})


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """Block SIGINT and SIGTERM in the block (POSIX), so that neither an interrupted build
    nor a worker being stopped leaves a temporary file; they are delivered after it."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
