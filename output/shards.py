"""One N-Triples file per document: a build's graph in shards (``policykg build --shards``).

A document's shard holds what the document contributes to the graph (its own nodes, the
entities' links to it, the relation triples it asserts) and the descriptions (class,
labels, attributes) of the entities it mentions, so each shard can be loaded on its own,
and the union of all the shards is the graph. The statements of one document do not depend
on the others, except for the entities' IRIs and labels, which the merge across documents
chooses.

The folder holds ``<document key>.nt`` per document (the key of its IRI) and
``shards.json``, which names the file of each document. A later build replaces the
folder's shards and removes those of documents no longer built; a folder with other files
and no ``shards.json`` is refused, so that no file policykg did not write is touched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from policykg.graph.terms import Triple
from policykg.graph.turtle import ntriples_body

from .errors import Errors, OutputError, UsageError
from .files import AtomicFiles, check_output_folder

__all__ = ["MANIFEST", "ShardWriter", "check_shard_folder"]

#: The file that lists a shard folder's shards, by document name.
MANIFEST = "shards.json"

StrPath = str | os.PathLike[str]


def check_shard_folder(
    folder: StrPath, paths: Iterable[StrPath], documents: Sequence[Path], allow_inside: bool
) -> None:
    """Refuse a shard folder that is a file, holds files policykg did not write there, or
    would overwrite or feed back into the input (as the output folder's rules)."""
    where = Path(folder)
    if where.exists() and not where.is_dir():
        raise OutputError(Errors.E110.format(path=os.fspath(folder)))
    if where.is_dir() and any(where.iterdir()) and not (where / MANIFEST).is_file():
        raise UsageError(Errors.E115.format(path=os.fspath(folder), manifest=MANIFEST))
    check_output_folder(where, [MANIFEST], paths, documents, allow_inside)


class ShardPart(Protocol):
    """What a shard is written from: a document's part (``DocumentPart``) or its share."""

    @property
    def name(self) -> str: ...
    @property
    def iri(self) -> str: ...
    @property
    def entities(self) -> Iterable[str]: ...
    @property
    def own(self) -> Iterable[Triple]: ...
    @property
    def links(self) -> Iterable[Triple]: ...


class ShardWriter:
    """Writes each document's shard into an :class:`AtomicFiles`, then the manifest (into a
    folder that exists)."""

    def __init__(self, folder: StrPath, shared: Iterable[Triple], atomic: AtomicFiles) -> None:
        self._folder = Path(folder)
        self._atomic = atomic
        self._described: dict[str, list[Triple]] = {}
        for triple in shared:
            self._described.setdefault(triple[0], []).append(triple)
        self._files: dict[str, str] = {}

    def add(self, part: ShardPart) -> None:
        """Write the shard of one document."""
        name = part.iri.rsplit("/", 1)[1] + ".nt"
        triples = set(part.own).union(part.links)
        for entity in part.entities:
            triples.update(self._described.get(f"<{entity}>", ()))
        self._atomic.write(self._folder / name, ntriples_body(triples))
        self._files[part.name] = name

    def finish(self) -> None:
        """Write the manifest; shards of the previous build's other documents go at commit."""
        manifest = self._folder / MANIFEST
        old: dict[str, str] = {}
        try:
            old = json.loads(manifest.read_text(encoding="utf-8")).get("documents", {})
        except (OSError, ValueError, AttributeError):
            old = {}
        keep = set(self._files.values())
        for stale in sorted(set(old.values()) - keep):
            if isinstance(stale, str) and stale.endswith(".nt") and "/" not in stale:
                self._atomic.remove(self._folder / stale)
        body = {"documents": dict(sorted(self._files.items()))}
        self._atomic.write(manifest, json.dumps(body, ensure_ascii=False, indent=1) + "\n")
