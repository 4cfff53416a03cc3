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
    E115 = (
        "E115 shard folder {path} holds files that policykg did not write (it has no "
        "{manifest}); give a new or empty folder to --shards"
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
    E127 = (
        "E127 --limit and --offset page the rows of a named query (--named NAME); write "
        "{clause} into your own query instead"
    )
    E128 = (
        "E128 invalid page of rows (limit {limit}, offset {offset}); give a limit of 0 (all "
        "rows) or more and an offset of 0 or more"
    )

    # -- pushing to a Graph Store Protocol server (output/push.py, output/api.py): E130-E139 ---
    E130 = (
        "E130 cannot connect to {url}: {reason}; check the --endpoint URL and that the server "
        "is running and reachable from here"
    )
    E131 = "E131 {url} refused the push with HTTP {status} ({message}); {fix}"
    E132 = (
        "E132 {url} answered HTTP {status} to the graph <{graph}>: {message}; check that "
        "--endpoint is the server's Graph Store Protocol URL and that the server can write"
    )
    E133 = (
        "E133 {url} did not answer within {timeout} s; check the server, or give a longer --timeout"
    )
    E134 = (
        "E134 --endpoint {url!r} is not an HTTP URL; give the server's Graph Store Protocol "
        "URL, such as http://127.0.0.1:7878/store"
    )
    E135 = (
        "E135 invalid push options (user {user}, password {password}, auth {auth!r}, timeout "
        "{timeout}); give --user and --password together, --auth auto, basic or digest, and "
        "a timeout over 0 seconds"
    )
    E136 = "E136 the graph has no document {name}; its documents are: {names}"
    E137 = "E137 {path} has no documents (pkg:Document); give a graph written by policykg build"
    E138 = (
        "E138 cannot load graph {path}: {reason}; give a graph.ttl, graph.nt or graph.trig "
        "written by policykg build"
    )

    # -- the graph page (output/html.py): E160-E169 ---------------------------------------------
    E160 = (
        "E160 invalid node budget {value}; give the most nodes the graph page draws as 0 "
        "(no limit) or more"
    )

    # -- store folders (output/stores.py): E140-E149 -----------------------------------------
    E140 = (
        "E140 {path} is a folder but not a policykg store (it has no valid {marker}); give a "
        "graph.ttl or a store folder written by policykg build --store"
    )
    E141 = (
        "E141 store folder {path} exists and is not a policykg store (it has no {marker}), so "
        "build will not replace it; give --store a new folder, an empty one or one written "
        "by policykg build --store"
    )
    E142 = (
        "E142 store {path} has format version {found}, this policykg reads version "
        "{expected}; build it again with policykg build --store"
    )
    E143 = (
        "E143 store {path} is busy: {holder} has it open to write; wait until it is done, "
        "or give --store another folder"
    )
    E144 = "E144 cannot open store {path}: {reason}; build it again with policykg build --store"
    E145 = "E145 cannot write store {path}: {reason}; check that its folder is writable"
    E146 = "E146 store folder {path} is an existing file; give --store a folder"
    E147 = (
        "E147 store folder {store} {relation} {what} {path}, which replacing the store would "
        "delete; give --store a folder of its own"
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
