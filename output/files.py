"""Files in and out: which documents a build reads, and writes that never leave half a file.

Writes go to a temporary file in the target's folder, are flushed to disk, then renamed over
the target (``os.replace`` is atomic on POSIX and Windows): a reader, or a crash, sees the
old file or the new one, never a mix. Several files are written in two phases (all temporary
files first, then all renames), so a failure while writing leaves every old file in place.
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO

from policykg.extract.errors import Errors as ExtractErrors
from policykg.extract.formats import FORMAT_LIST, FORMATS, display_name

from .errors import Errors, InputError, OutputError, UsageError

__all__ = [
    "DOCUMENT_SUFFIXES",
    "AtomicFiles",
    "TextSink",
    "check_output_folder",
    "collect_documents",
    "document_names",
    "locate_document",
    "write_atomic",
    "write_files_atomic",
]

#: The suffixes of documents a build reads (compared case-insensitively).
DOCUMENT_SUFFIXES = tuple(FORMATS)

StrPath = str | os.PathLike[str]


def collect_documents(paths: Iterable[StrPath]) -> list[Path]:
    """The documents named by ``paths``: files as given, folders searched for documents.

    A document is a file with one of :data:`DOCUMENT_SUFFIXES` (.txt, .md, .html, .htm,
    .docx, .pdf). Folders are searched recursively, skipping hidden files and folders (names
    starting with "."), their documents sorted by relative path; the result keeps the order
    of ``paths`` and each document once (by resolved path). :class:`InputError` names a path
    that does not exist, a file of another format, a folder without documents, or no paths
    at all.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            documents = _folder_documents(path)
            if not documents:
                raise InputError(Errors.E101.format(path=os.fspath(raw), formats=FORMAT_LIST))
        elif path.exists():
            if path.suffix.lower() not in DOCUMENT_SUFFIXES:
                raise InputError(Errors.E100.format(path=os.fspath(raw), formats=FORMAT_LIST))
            documents = [path]
        else:
            raise InputError(ExtractErrors.E001.format(path=os.fspath(raw)))
        for document in documents:
            key = document.resolve()
            if key not in seen:
                seen.add(key)
                found.append(document)
    if not found:
        raise InputError(Errors.E102.format(formats=FORMAT_LIST))
    return found


def check_output_folder(
    out_dir: StrPath,
    outputs: Iterable[str],
    paths: Iterable[StrPath],
    documents: Iterable[Path],
    allow_inside_input: bool = False,
) -> None:
    """Refuse an output folder that would overwrite or feed back into the input.

    Writing ``outputs`` (file names) into ``out_dir`` must never replace one of the
    ``documents`` (E114, whatever ``allow_inside_input`` says); and unless
    ``allow_inside_input``, ``out_dir`` may not be one of the folders among ``paths``, lie
    inside one or contain one (E113): graph.html is a document format, so the next build
    of that folder would read the last one's output as a document. Both are
    :class:`UsageError`. Paths are compared resolved (symbolic links followed).
    """
    out = Path(out_dir).resolve()
    inputs = {document.resolve(): document for document in documents}
    for name in outputs:
        target = out / name
        if target in inputs:
            raise UsageError(
                Errors.E114.format(out=os.fspath(target), document=os.fspath(inputs[target]))
            )
    if allow_inside_input:
        return
    for raw in paths:
        folder = Path(raw)
        if not folder.is_dir():
            continue
        resolved = folder.resolve()
        if out == resolved:
            relation = "is the"
        elif resolved in out.parents:
            relation = "is inside the"
        elif out in resolved.parents:
            relation = "contains the"
        else:
            continue
        raise UsageError(
            Errors.E113.format(out=os.fspath(out_dir), relation=relation, folder=os.fspath(raw))
        )


def locate_document(names: Iterable[str], folders: Iterable[StrPath]) -> Path | None:
    """The first existing file ``folder/name``, trying every name in each folder in turn.

    Names are those annotation files give their document (``000_e07….txt``, ``a/report.txt``):
    an empty, absolute or ``..`` name is skipped, so a file can only point below its folder.
    """
    usable = [n for n in names if n and not Path(n).is_absolute() and ".." not in Path(n).parts]
    for folder in folders:
        for name in usable:
            candidate = Path(folder, name)
            if candidate.is_file():
                return candidate
    return None


def _folder_documents(folder: Path) -> list[Path]:
    """The documents under ``folder``, hidden ones left out, sorted by relative path."""
    documents: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or not name.lower().endswith(DOCUMENT_SUFFIXES):
                continue
            path = Path(root, name)
            if path.is_file():
                documents.append((path.relative_to(folder).as_posix(), path))
    return [path for _, path in sorted(documents)]


def document_names(paths: Sequence[Path]) -> list[str]:
    """The name of each document in the graph: its file name, made unique where needed.

    A file name that several documents share becomes the shortest trailing part of its
    resolved path that no other document ends with (``a/report.txt`` and ``b/report.txt``),
    so names are deterministic and independent of the current folder. Unique file names stay
    as they are, which is what ``policykg extract`` and the gold files use. Bytes of a file
    name that are not UTF-8 show as U+FFFD (:func:`~policykg.extract.formats.display_name`).
    """
    parts = [path.resolve().parts[1:] for path in paths]  # without the anchor ("/", "C:\\")
    # how many documents end with each trailing part: linear in the corpus, not quadratic
    ends = Counter(own[-n:] for own in parts for n in range(1, len(own) + 1))
    names = []
    for own in parts:
        n = 1
        while n < len(own) and ends[own[-n:]] > 1:
            n += 1
        names.append(display_name("/".join(own[-n:])))
    return names


def write_atomic(path: StrPath, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8, line ends as given) to ``path`` atomically.

    On any error the temporary file is removed and the old file, if any, is left as it was;
    :class:`OutputError` names the path when the write fails.
    """
    write_files_atomic({path: data})


def write_files_atomic(files: Mapping[StrPath, str | bytes]) -> None:
    """Write several files atomically: all temporary files first, then all the renames.

    A failure while writing any of them removes every temporary file and replaces no file.
    (Only a failure between two renames, which do no I/O of their own, could leave some
    files new and some old.) SIGINT and SIGTERM are held while the files are written and
    renamed, then delivered: an interrupted build leaves every file whole, old or new, and
    no temporary file (only SIGKILL or a crash of the machine can leave one, named
    ``.NAME.*.tmp``).
    """
    with _signals_held(), AtomicFiles() as atomic:
        for path, data in files.items():
            atomic.write(path, data)
        atomic.commit()


class AtomicFiles:
    """Files written to temporary files next to their targets, renamed into place together.

    For output too large to render in memory first: open each file with :meth:`open`,
    write it piece by piece, then :meth:`commit`. Leaving the ``with`` block without a
    commit (an error, an interruption) removes every temporary file and replaces no file.
    The renames happen with SIGINT and SIGTERM held, as in :func:`write_files_atomic`.
    """

    def __init__(self) -> None:
        self._open: list[tuple[Path, Path, BinaryIO]] = []
        self._removed: list[Path] = []
        #: Files being synced in the background (:meth:`sync_ahead`), by target.
        self._syncing: dict[Path, _Sync] = {}
        #: The length of each file synced ahead when its sync started, by target.
        self._synced: dict[Path, int] = {}

    def __enter__(self) -> AtomicFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def open(self, path: StrPath) -> TextSink:
        """Where the text of the new ``path`` goes."""
        return TextSink(self._open_binary(path), Path(path))

    def _open_binary(self, path: StrPath) -> BinaryIO:
        target = Path(path)
        try:
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        except OSError as exc:
            raise _write_error(target, exc) from exc
        handle = os.fdopen(fd, "wb")
        self._open.append((Path(name), target, handle))
        return handle

    def write(self, path: StrPath, data: str | bytes) -> None:
        """Write the whole new ``path`` (text as UTF-8); nothing when ``path`` holds these
        bytes already (a rebuild leaves the pages of unchanged documents as they are)."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        if _holds(Path(path), payload):
            return
        handle = self._open_binary(path)
        try:
            handle.write(payload)
        except OSError as exc:
            raise _write_error(Path(path), exc) from exc

    def flushed(self, path: StrPath) -> Path:
        """The temporary file that holds the new ``path`` so far, flushed to it, to be read
        before :meth:`commit` (a build loads its store from the graph file it streamed)."""
        for temp, target, handle in self._open:
            if target == Path(path):
                handle.flush()
                return temp
        raise KeyError(f"{path} is not being written")

    def sync_ahead(self, *paths: StrPath) -> None:
        """Start syncing the new ``paths``, each all written, to disk in the background (one
        thread syncs them one after the other), so that :meth:`commit` does not wait for
        them: a build's graph files and document pages sync while the graph page is made.
        :meth:`commit` syncs a file again only if it was written since. KeyError for a path
        not being written, and then none starts."""
        handles = {target: handle for _, target, handle in self._open}
        targets: dict[Path, BinaryIO] = {}
        for path in paths:
            target = Path(path)
            if target not in handles:
                raise KeyError(f"{path} is not being written")
            if target not in self._syncing:
                targets[target] = handles[target]
        for target, handle in targets.items():
            try:
                handle.flush()
                self._synced[target] = handle.tell()
            except OSError as exc:
                raise _write_error(target, exc) from exc
        if targets:
            sync = _Sync([(target, handle.fileno()) for target, handle in targets.items()])
            self._syncing.update(dict.fromkeys(targets, sync))

    def pending(self) -> list[Path]:
        """The files written so far and not yet committed, in the order they were begun."""
        return [target for _, target, _ in self._open]

    def remove(self, path: StrPath) -> None:
        """Remove ``path`` at commit, after the renames (if it is there then)."""
        self._removed.append(Path(path))

    def commit(self) -> None:
        """Sync every file, then rename all into place and remove the files to remove;
        OutputError names a file that failed."""
        self._join()
        for temp, target, handle in self._open:
            try:
                handle.flush()
                if self._synced.get(target) != handle.tell():  # not synced ahead as it is
                    os.fsync(handle.fileno())
                handle.close()
                os.chmod(temp, _mode(target))
            except OSError as exc:
                raise _write_error(target, exc) from exc
        folders = {target.parent for _, target, _ in self._open}
        with _signals_held():
            done = 0
            try:
                for temp, target, _ in self._open:
                    os.replace(temp, target)
                    done += 1
            except OSError as exc:
                raise _write_error(self._open[done][1], exc) from exc
            finally:
                self._open = self._open[done:]
            for path in self._removed:
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    raise _write_error(path, exc) from exc
            self._removed = []
        for folder in sorted(folders):
            _fsync_folder(folder)

    def discard(self) -> None:
        """Remove every temporary file not yet renamed."""
        with suppress(OutputError):  # a failed sync of a file removed anyway
            self._join()
        for temp, _, handle in self._open:
            handle.close()
            temp.unlink(missing_ok=True)
        self._open = []

    def _join(self) -> None:
        """Wait for the syncs started ahead; OutputError names the first file (in the order
        they were given) whose sync failed."""
        syncing, self._syncing = self._syncing, {}
        errors: dict[Path, OSError] = {}
        for sync in dict.fromkeys(syncing.values()):
            errors.update(sync.join())
        for target in syncing:
            if target in errors:
                raise _write_error(target, errors[target]) from errors[target]


class _Sync:
    """``os.fsync`` of files, one after the other, in a thread of its own (it releases the
    GIL); a file whose sync fails does not stop the others'."""

    def __init__(self, files: Sequence[tuple[Path, int]]) -> None:
        self._errors: dict[Path, OSError] = {}
        self._thread = threading.Thread(target=self._run, args=(list(files),), daemon=True)
        self._thread.start()

    def _run(self, files: list[tuple[Path, int]]) -> None:
        for target, fd in files:
            try:
                os.fsync(fd)
            except OSError as exc:
                self._errors[target] = exc

    def join(self) -> dict[Path, OSError]:
        """Wait for the syncs; the error of each file whose sync failed."""
        self._thread.join()
        return self._errors


def _holds(path: Path, payload: bytes) -> bool:
    """Whether ``path`` is a file of exactly ``payload`` (False when it cannot be read)."""
    try:
        if path.stat().st_size != len(payload) or not path.is_file():
            return False
        return path.read_bytes() == payload
    except OSError:
        return False


class TextSink:
    """Where a file's text goes: written as UTF-8, line ends as given."""

    def __init__(self, handle: BinaryIO, target: Path) -> None:
        self._handle = handle
        self._target = target

    def write(self, text: str | bytes) -> None:
        """Append ``text`` (or bytes of UTF-8 text); OutputError names the file when the
        write fails."""
        try:
            self._handle.write(text.encode("utf-8") if isinstance(text, str) else text)
        except OSError as exc:
            raise _write_error(self._target, exc) from exc


def _write_error(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(Errors.E111.format(path=os.fspath(path), reason=reason))


#: Signals held while files are written (those that end a program politely).
_HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM in the block, then deliver each that came, once, to the
    handler in place before (which raises KeyboardInterrupt, say, or ends the program).

    Only the main thread receives signals in Python; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    previous: dict[int, Any] = {}
    try:
        for held in _HELD_SIGNALS:
            if signal.getsignal(held) is not None:  # None: set outside Python, not restorable
                previous[held] = signal.signal(held, hold)
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(pending):
            signal.raise_signal(number)


def _mode(target: Path) -> int:
    """The mode to give a new file: the old file's, else 0o666 less the umask (as open() does).

    mkstemp creates files readable by the owner only; a graph.html to serve must not be.
    """
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """This process's umask (the only portable way to read it is to set it and set it back)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _fsync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (POSIX; elsewhere there is nothing to open)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
