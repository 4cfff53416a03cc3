"""Coded error messages of the output stage (files, graph files, the build), codes E100-E199.

Same conventions as ``policykg.extract.errors``: the attribute name is the code, each message
starts with it, names the bad input and says what to do, on one line, so that the CLI prints
it as it is. Append new codes at the end of their group; never renumber, reuse or delete one.

    raise OutputError(Errors.E103.format(path=out_dir))
"""

from __future__ import annotations

from policykg.extract.errors import InputError, PolicyKGError, UsageError

__all__ = ["Errors", "InputError", "OutputError", "UsageError"]


class Errors:
    """Message templates of the output stage: the attribute name is the code."""

    # -- collecting documents (output/files.py): E100-E109 -----------------------------------
    E100 = (
        "E100 {path} is not a document format policykg reads; give {formats} documents or "
        "folders that contain them"
    )
    E101 = "E101 {path} contains no documents ({formats}); give a folder with documents in it"
    E102 = "E102 no documents given; give documents ({formats}) or folders that contain them"

    # -- writing output (output/files.py, output/api.py): E110-E119 ---------------------------
    E110 = "E110 output folder {path} is an existing file; give a folder with -o"
    E111 = "E111 cannot write {path}: {reason}; check that the folder exists and is writable"
    E112 = "E112 unknown export format {name!r}; choose from {choices}"
    E113 = (
        "E113 output folder {out} {relation} input folder {folder}, so a later build of it "
        "would read the graph.html written there as a document; give an -o folder outside "
        "the input folders, or add --allow-output-in-input"
    )
    E114 = (
        "E114 writing {out} would overwrite the input document {document}; give another -o folder"
    )

    # -- reading graphs and queries (output/api.py): E120-E129 ---------------------------------
    E120 = "E120 cannot read graph {path}: {reason}; give a Turtle file written by policykg build"
    E121 = (
        "E121 {path} is not valid Turtle ({reason}); give a Turtle file written by policykg build"
    )
    E122 = "E122 cannot read query file {path}: {reason}; give a UTF-8 text file with one query"
    E123 = "E123 the query is empty; give a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query"
    E124 = "E124 there is no named query {name}; the named queries are: {names}"
    E125 = (
        "E125 invalid limits (timeout {timeout}, max rows {max_rows}, workers {workers}); "
        "give a timeout over 0 seconds and at least 1 row and 1 worker"
    )
    E126 = (
        "E126 cannot listen on {host}:{port}: {reason}; choose another port with --port "
        "(0 picks a free one)"
    )

    # -- the extraction cache and worker processes (output/cache.py, output/parallel.py):
    # E150-E159 ----------------------------------------------------------------------------
    E150 = (
        "E150 cannot use {path} as the extraction cache: {reason}; give another folder with "
        "--cache, or --no-cache"
    )
    E151 = (
        "E151 a worker process ended while extracting ({reason}), perhaps out of memory; run "
        "again with fewer --jobs (--jobs 1 extracts in this process)"
    )
    E152 = "E152 invalid number of jobs {jobs}; give at least 1 (or leave it out for every core)"


class OutputError(PolicyKGError):
    """Output cannot be written where asked; the message says where and why.

    The CLI turns it into a one-line message and exit status 1, like :class:`InputError`.
    """
