"""Store folders: a graph in an on-disk Oxigraph store (``policykg build --store DIR``).

A store folder holds Oxigraph's files (RocksDB), ``policykg-store.json``, the marker that
says policykg wrote it: its format version, triple count and base IRI, and
``policykg-keys.json``: each named query's keys (:func:`policykg.graph.paging.find_keys`),
found once when the store is written, so that a first page does not read them all again
(the store never changes; a store without the file, or whose keys were found by another
keys query than the named query's now, has them found at each query). ``policykg query``
and ``serve`` open a marked folder read-only, with nothing to parse; a folder without the
marker is never opened as a store, and never replaced by a build, so that ``--store`` given
a folder of one's own cannot delete it.

A build writes the new store into a hidden sibling folder (``.DIR.*.tmp``), then swaps it
in: the old store is renamed away (``.DIR.*.old``), the new one renamed in, the old one
deleted. SIGINT and SIGTERM are held during the renames. A failure or an interruption
before the swap leaves the old store as it was and removes the temporary folder; only
SIGKILL or a crash between the two renames can leave ``DIR`` missing, with the old store
whole in ``.DIR.*.old``.

Everything goes into the default graph: a named graph per document (to replace one document
later) was tried, but Oxigraph's union default graph repeats a triple for each graph that
holds it, so the named queries that do not count DISTINCT gave other rows than on the
Turtle file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Final

from policykg.graph import NamedQuery, QueryStore, Term, named_queries, write_store
from policykg.graph.paging import Keys, find_keys
from policykg.graph.query import RdfSyntax

from .errors import Errors, OutputError, UsageError
from .files import _fsync_folder, _signals_held, _umask

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, no busy check
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "STORE_KEYS",
    "STORE_MARKER",
    "STORE_VERSION",
    "StoreInfo",
    "StoreWriter",
    "is_store",
    "open_store",
    "read_keys",
    "read_marker",
    "write_keys",
]

#: The file inside a store folder that says policykg wrote it.
STORE_MARKER: Final = "policykg-store.json"
#: The file inside a store folder with the named queries' keys, found when it was written.
STORE_KEYS: Final = "policykg-keys.json"
#: The version of the store layout; a store of another version is refused (E142).
STORE_VERSION: Final = 1
#: The ``format`` value of the marker.
_FORMAT: Final = "policykg-store"

StrPath = str | os.PathLike[str]


@dataclass(frozen=True)
class StoreInfo:
    """What the marker of a store folder says: format version, triple count, base IRI."""

    path: Path
    version: int
    triples: int
    base: str


def is_store(path: StrPath) -> bool:
    """Whether ``path`` is a folder with a store marker (of any version)."""
    return Path(path, STORE_MARKER).is_file()


def read_marker(path: StrPath) -> StoreInfo:
    """The marker of the store folder ``path``.

    :class:`OutputError`: E140 when the folder has no readable policykg marker, E142 when
    the store is of another format version.
    """
    name = os.fspath(path)
    try:
        data = json.loads(Path(path, STORE_MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise OutputError(Errors.E140.format(path=name, marker=STORE_MARKER)) from None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise OutputError(Errors.E140.format(path=name, marker=STORE_MARKER))
    version = data.get("version")
    if version != STORE_VERSION:
        raise OutputError(Errors.E142.format(path=name, found=version, expected=STORE_VERSION))
    triples, base = data.get("triples"), data.get("base")
    if not isinstance(triples, int) or not isinstance(base, str):
        raise OutputError(Errors.E140.format(path=name, marker=STORE_MARKER))
    return StoreInfo(Path(path), version, triples, base)


def open_store(path: StrPath) -> tuple[QueryStore, StoreInfo]:
    """The store folder ``path`` opened read-only, and its marker.

    E140 for a folder that is not a policykg store, E142 for another format version, E144
    when Oxigraph cannot open it (:class:`OutputError`).
    """
    info = read_marker(path)
    try:
        return QueryStore.read_only(path), info
    except OSError as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise OutputError(Errors.E144.format(path=os.fspath(path), reason=reason)) from None


def write_keys(path: StrPath) -> None:
    """Write the keys of each named query that has them, found on the store at ``path``
    (not yet opened by anyone), into its :data:`STORE_KEYS` file.

    Each entry keeps the keys query it ran, so that a later policykg whose named query has
    another keys query finds them again. OSError when the store cannot be opened or the
    file written.
    """
    store = QueryStore.read_only(path)
    entries: dict[str, dict[str, object]] = {}
    for name, named in named_queries().items():
        found = find_keys(store, named)
        if found is None:  # no keys, or not literals of one kind: found at each query
            continue
        variable, values = found
        first = values[0] if values else Term("")
        entries[name] = {
            "keys": named.keys,
            "variable": variable,
            "datatype": first.datatype,
            "language": first.language,
            "values": [str(value) for value in values],
        }
    del store  # closes RocksDB
    text = json.dumps({"version": 1, "queries": entries}, ensure_ascii=False)
    Path(path, STORE_KEYS).write_text(text + "\n", "utf-8")


def read_keys(path: StrPath, named: NamedQuery) -> Keys | None:
    """The keys of the named query written with the store at ``path`` (:func:`write_keys`);
    None when there are none that its keys query found (an older store, another version of
    the query, an unreadable file): the caller finds them on the store."""
    try:
        data = json.loads(Path(path, STORE_KEYS).read_text(encoding="utf-8"))
        entry = data["queries"][named.name]
        if data["version"] != 1 or entry["keys"] != named.keys:
            return None
        datatype, language = entry["datatype"], entry["language"]
        values = [Term(value, "literal", datatype, language) for value in entry["values"]]
        return str(entry["variable"]), values
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None


class StoreWriter:
    """Writes one store folder for a build: checks and locks it, loads the graph into a
    temporary sibling folder, then swaps it in.

    Made before the extraction, so that a folder it may not replace fails at once::

        with StoreWriter(store, out, paths, documents) as writer:
            ...  # extract, render
            writer.prepare(turtle, "turtle", triples, base)
            ...  # write the other files
            writer.commit()

    Leaving the block without :meth:`commit` removes the temporary folder.
    """

    def __init__(
        self,
        store_dir: StrPath,
        out_dir: StrPath,
        paths: list[StrPath],
        documents: list[Path],
    ) -> None:
        self.path = Path(store_dir)
        self._temp: Path | None = None
        self._lock: IO[bytes] | None = None
        check_store_folder(self.path, out_dir, paths, documents)
        self._lock = _lock_marker(self.path)

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def prepare(self, data: bytes | str | Path, syntax: RdfSyntax, triples: int, base: str) -> None:
        """Load the graph (Turtle or N-Triples text, or the Path of such a file) into a new
        temporary store folder next to the store and mark it; E145 when that fails. The
        store itself is not touched."""
        parent = self.path.resolve().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self._temp = _sibling(self.path.resolve(), ".tmp")
            os.chmod(self._temp, _folder_mode(self.path))  # mkdtemp's is 0o700
            write_store(self._temp, data, syntax)
            marker = {
                "format": _FORMAT,
                "version": STORE_VERSION,
                "triples": triples,
                "base": base,
            }
            # the folder is not the store yet: no need for an atomic write
            write_keys(self._temp)
            (self._temp / STORE_MARKER).write_text(json.dumps(marker, indent=2) + "\n", "utf-8")
        except OSError as exc:
            reason = _reason(exc)
            raise OutputError(
                Errors.E145.format(path=os.fspath(self.path), reason=reason)
            ) from None

    def commit(self) -> None:
        """Swap the prepared store in for the old one (if any), then delete the old one."""
        if self._temp is None:
            raise RuntimeError("commit() before prepare()")
        target = self.path.resolve()
        old: Path | None = None
        with _signals_held():
            try:
                if target.exists():
                    old = _sibling(target, ".old")
                    try:
                        os.rename(target, old)
                    except OSError:
                        old.rmdir()
                        old = None
                        raise
                try:
                    os.rename(self._temp, target)
                except OSError:
                    if old is not None:
                        os.rename(old, target)
                        old = None
                    raise
            except OSError as exc:
                reason = _reason(exc)
                raise OutputError(
                    Errors.E145.format(path=os.fspath(self.path), reason=reason)
                ) from None
            self._temp = None
            _fsync_folder(target.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def close(self) -> None:
        """Remove the temporary folder (if not committed) and release the lock."""
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None


def check_store_folder(
    store_dir: Path, out_dir: StrPath, paths: list[StrPath], documents: list[Path]
) -> None:
    """Refuse a store folder a build may not replace.

    E146 (an existing file), E141 (a folder that is neither empty nor a policykg store: it
    would be deleted), E147 (the store would delete an input folder, an input document or
    the output folder: it is one of them or contains one). A store may lie inside the
    output folder, or inside an input folder (none of its files is a document).
    """
    name = os.fspath(store_dir)
    if store_dir.exists() and not store_dir.is_dir():
        raise OutputError(Errors.E146.format(path=name))
    if store_dir.is_dir() and not is_store(store_dir) and any(store_dir.iterdir()):
        raise UsageError(Errors.E141.format(path=name, marker=STORE_MARKER))
    store = store_dir.resolve()
    folders = [(Path(raw), "the input folder") for raw in paths if Path(raw).is_dir()]
    folders.append((Path(out_dir), "the output folder"))
    for folder, what in folders:
        resolved = folder.resolve()
        if resolved == store:
            relation = "is"
        elif store in resolved.parents:
            relation = "contains"
        else:
            continue
        raise UsageError(
            Errors.E147.format(store=name, relation=relation, what=what, path=os.fspath(folder))
        )
    for document in documents:
        if store in document.resolve().parents:
            raise UsageError(
                Errors.E147.format(
                    store=name,
                    relation="contains",
                    what="the input document",
                    path=os.fspath(document),
                )
            )


def _lock_marker(store: Path) -> IO[bytes] | None:
    """Hold a lock on an existing store, E143 when it is busy: another build holds the
    marker's lock, or another program (an Oxigraph server) has the store open to write.

    None when there is no store yet (a build racing to create it fails at the rename).
    """
    if fcntl is None or not is_store(store):
        return None
    try:
        handle = Path(store, STORE_MARKER).open("rb")  # noqa: SIM115 - held until close()
    except OSError:
        return None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise OutputError(
            Errors.E143.format(path=os.fspath(store), holder="another policykg build")
        ) from None
    if _rocksdb_locked(store / "LOCK"):
        handle.close()
        raise OutputError(Errors.E143.format(path=os.fspath(store), holder="another program"))
    return handle


def _rocksdb_locked(lock_file: Path) -> bool:
    """Whether another process holds RocksDB's lock on a store (it has it open to write)."""
    if fcntl is None:  # pragma: no cover
        return False
    try:
        fd = os.open(lock_file, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)  # closing releases the lock just taken
    return False


def _sibling(folder: Path, suffix: str) -> Path:
    """A new empty hidden folder next to ``folder``: ``.NAME.<random><suffix>``."""
    return Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=suffix))


def _folder_mode(folder: Path) -> int:
    """The mode of a new store folder: the old store's, else 0o777 less the umask."""
    try:
        return stat.S_IMODE(folder.stat().st_mode)
    except OSError:
        return 0o777 & ~_umask()


def _reason(exc: OSError) -> str:
    return exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
