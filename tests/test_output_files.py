"""Tests of output/files.py: atomic writes, which documents a build reads, document names."""

from __future__ import annotations

import os
import random
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from policykg.extract import InputError
from policykg.output.errors import OutputError, UsageError
from policykg.output.files import (
    AtomicFiles,
    check_output_folder,
    collect_documents,
    document_names,
    locate_document,
    write_atomic,
    write_files_atomic,
)

ENOSPC = "No space left on device"


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _failing_fsync(fail_on: int) -> object:
    """An os.fsync that raises ENOSPC on its ``fail_on``-th call (1-based)."""
    calls = {"n": 0}
    real = os.fsync

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == fail_on:
            raise OSError(28, ENOSPC)
        real(fd)

    return fsync


# -- write_atomic -----------------------------------------------------------------------------


def test_write_atomic_text_is_utf8_with_line_ends_kept(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    write_atomic(target, "市委\r\n乡村振兴\n")
    assert target.read_bytes() == "市委\r\n乡村振兴\n".encode()
    assert os.listdir(tmp_path) == ["graph.ttl"]


def test_write_atomic_bytes_replace_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "graph.html"
    target.write_bytes(b"old")
    write_atomic(str(target), b"\x00new")
    assert target.read_bytes() == b"\x00new"
    assert os.listdir(tmp_path) == ["graph.html"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_write_atomic_new_file_mode_follows_umask(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "graph.html"
    write_atomic(target, "x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_write_atomic_keeps_the_mode_of_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    write_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_write_atomic_failure_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")
    monkeypatch.setattr(os, "fsync", _failing_fsync(1))
    with pytest.raises(OutputError) as info:
        write_atomic(target, "new")
    assert str(info.value) == (
        f"E111 cannot write {target}: {ENOSPC}; check that the folder exists and is writable"
    )
    assert info.value.code == "E111"
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["graph.ttl"]


def test_write_atomic_interrupt_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "graph.ttl", "new")
    assert os.listdir(tmp_path) == []


def test_write_atomic_into_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "graph.ttl"
    with pytest.raises(OutputError) as info:
        write_atomic(target, "x")
    assert str(info.value) == (
        f"E111 cannot write {target}: No such file or directory; "
        "check that the folder exists and is writable"
    )


def test_write_atomic_over_a_folder_fails_and_leaves_it(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    target.mkdir()
    with pytest.raises(OutputError, match=r"^E111 cannot write .*graph\.ttl: "):
        write_atomic(target, "x")
    assert target.is_dir()
    assert os.listdir(tmp_path) == ["graph.ttl"]


def test_write_files_atomic_writes_all(tmp_path: Path) -> None:
    write_files_atomic({tmp_path / "a.ttl": "a", tmp_path / "b.html": b"b"})
    assert (tmp_path / "a.ttl").read_text(encoding="utf-8") == "a"
    assert (tmp_path / "b.html").read_bytes() == b"b"
    assert sorted(os.listdir(tmp_path)) == ["a.ttl", "b.html"]


def test_a_file_that_holds_the_bytes_already_is_left_as_it_is(tmp_path: Path) -> None:
    same, other = tmp_path / "same.html", tmp_path / "other.html"
    same.write_bytes("页面\n".encode())
    other.write_bytes(b"old")
    os.utime(same, (1_000_000, 1_000_000))
    before = same.stat()
    write_files_atomic({same: "页面\n", other: "页面\n"})
    after = same.stat()
    assert (after.st_ino, after.st_mtime) == (before.st_ino, before.st_mtime)
    assert other.read_text(encoding="utf-8") == same.read_text(encoding="utf-8") == "页面\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.html", "same.html"]


def test_write_files_atomic_failure_on_the_second_replaces_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "graph.ttl", tmp_path / "graph.html"
    first.write_text("old ttl", encoding="utf-8")
    second.write_text("old html", encoding="utf-8")
    monkeypatch.setattr(os, "fsync", _failing_fsync(2))
    with pytest.raises(OutputError, match=r"^E111 cannot write .*graph\.html: No space"):
        write_files_atomic({first: "new ttl", second: "new html"})
    assert first.read_text(encoding="utf-8") == "old ttl"
    assert second.read_text(encoding="utf-8") == "old html"
    assert sorted(os.listdir(tmp_path)) == ["graph.html", "graph.ttl"]


def test_write_files_atomic_failure_on_a_rename_removes_the_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "graph.ttl"
    first.write_text("old ttl", encoding="utf-8")

    def replace(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match=r"^E111 cannot write .*graph\.ttl: Permission denied"):
        write_files_atomic({first: "new", tmp_path / "graph.html": "new"})
    assert first.read_text(encoding="utf-8") == "old ttl"
    assert os.listdir(tmp_path) == ["graph.ttl"]


# -- collect_documents ------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """docs/{b.txt, a.txt, sub/c.TXT, notes.md, page.HTM, r.docx, s.pdf, data.csv, .hidden.txt,
    .git/x.txt}, empty/ (with x.csv), other.rtf."""
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "docs"
    names = ("b.txt", "a.txt", "sub/c.TXT", "notes.md", "page.HTM", "r.docx", "s.pdf")
    for name in (*names, "data.csv", ".hidden.txt", ".git/x.txt"):
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text("市委", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "x.csv").write_text("x", encoding="utf-8")
    (tmp_path / "other.rtf").write_text("x", encoding="utf-8")
    return tmp_path


def test_collect_folder_recursive_sorted_without_hidden(tree: Path) -> None:
    assert collect_documents(["docs"]) == [
        Path("docs/a.txt"),
        Path("docs/b.txt"),
        Path("docs/notes.md"),
        Path("docs/page.HTM"),
        Path("docs/r.docx"),
        Path("docs/s.pdf"),
        Path("docs/sub/c.TXT"),
    ]


def test_collect_keeps_argument_order_and_each_document_once(tree: Path) -> None:
    assert collect_documents(["docs/sub/c.TXT", "docs", "docs/../docs/a.txt"]) == [
        Path("docs/sub/c.TXT"),
        Path("docs/a.txt"),
        Path("docs/b.txt"),
        Path("docs/notes.md"),
        Path("docs/page.HTM"),
        Path("docs/r.docx"),
        Path("docs/s.pdf"),
    ]


def test_collect_takes_an_explicit_hidden_file(tree: Path) -> None:
    assert collect_documents([Path("docs/.hidden.txt")]) == [Path("docs/.hidden.txt")]


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        (["nope.txt"], "E001 nope.txt does not exist; check the path of the document"),
        (
            ["docs", "other.rtf"],
            "E100 other.rtf is not a document format policykg reads; give .txt, .md, .html, "
            ".htm, .docx, .pdf documents or folders that contain them",
        ),
        (
            ["empty"],
            "E101 empty contains no documents (.txt, .md, .html, .htm, .docx, .pdf); give a "
            "folder with documents in it",
        ),
        (
            [],
            "E102 no documents given; give documents (.txt, .md, .html, .htm, .docx, .pdf) or "
            "folders that contain them",
        ),
    ],
)
def test_collect_errors_name_the_path(tree: Path, paths: list[str], message: str) -> None:
    with pytest.raises(InputError) as info:
        collect_documents(paths)
    assert str(info.value) == message


# -- document_names ---------------------------------------------------------------------------


def test_names_are_file_names_when_unique(tmp_path: Path) -> None:
    assert document_names([tmp_path / "a" / "x.txt", tmp_path / "b" / "y.txt"]) == [
        "x.txt",
        "y.txt",
    ]


def test_shared_names_take_the_shortest_distinct_end_of_path(tmp_path: Path) -> None:
    paths = [
        tmp_path / "x" / "a" / "report.txt",
        tmp_path / "y" / "a" / "report.txt",
        tmp_path / "z" / "b" / "report.txt",
        tmp_path / "z" / "other.txt",
    ]
    assert document_names(paths) == [
        "x/a/report.txt",
        "y/a/report.txt",
        "b/report.txt",
        "other.txt",
    ]


def test_a_name_that_ends_another_path_goes_up_to_its_folder(tmp_path: Path) -> None:
    paths = [tmp_path / "a" / "r.txt", tmp_path / "b" / "a" / "r.txt"]
    assert document_names(paths) == [f"{tmp_path.name}/a/r.txt", "b/a/r.txt"]


def test_names_match_the_pairwise_rule_on_many_paths(tmp_path: Path) -> None:
    # the rule, pair by pair: the shortest end of the path that no other path ends with
    rng = random.Random(7)
    root = tmp_path.resolve()
    paths = [
        root.joinpath(*(rng.choice("abc") for _ in range(rng.randint(0, 3))), "r.txt")
        for _ in range(60)
    ]
    parts = [path.parts[1:] for path in paths]
    expected = []
    for i, own in enumerate(parts):
        n = 1
        while n < len(own) and any(o[-n:] == own[-n:] for j, o in enumerate(parts) if j != i):
            n += 1
        expected.append("/".join(own[-n:]))
    assert document_names(paths) == expected
    # the same file twice: nothing tells them apart, so both take the whole path
    whole = "/".join((tmp_path.resolve() / "r.txt").parts[1:])
    assert document_names([tmp_path / "r.txt"] * 2) == [whole, whole]


def test_names_do_not_depend_on_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    relative = document_names([Path("r.txt"), Path("../b/r.txt")])
    absolute = document_names([tmp_path / "a" / "r.txt", tmp_path / "b" / "r.txt"])
    assert relative == absolute == ["a/r.txt", "b/r.txt"]


# -- locate_document --------------------------------------------------------------------------


def test_locate_tries_every_name_in_each_folder_in_turn(tree: Path) -> None:
    folders = ["docs/sub", "docs"]
    assert locate_document(["a.txt", "b.txt"], folders) == Path("docs/a.txt")
    assert locate_document(["c.TXT", "a.txt"], folders) == Path("docs/sub/c.TXT")
    assert locate_document(["sub/c.TXT"], folders) == Path("docs/sub/c.TXT")
    assert locate_document(["x.txt", "sub"], folders) is None  # a folder is no document


@pytest.mark.parametrize("name", ["", "../docs/a.txt", "sub/../../docs/a.txt", "/etc/hostname"])
def test_locate_looks_only_below_the_folders(tree: Path, name: str) -> None:
    assert locate_document([name], ["docs"]) is None


# -- check_output_folder ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "relation"),
    [("docs", "is the"), ("docs/sub/out", "is inside the"), (".", "contains the")],
)
def test_an_output_folder_in_an_input_folder_is_refused(
    tree: Path, out: str, relation: str
) -> None:
    documents = collect_documents(["docs"])
    with pytest.raises(UsageError) as info:
        check_output_folder(out, ["graph.ttl", "graph.html"], ["docs"], documents)
    assert str(info.value).startswith(
        f"E113 output folder {out} {relation} input folder docs, so a later build"
    )
    check_output_folder(out, ["graph.ttl", "graph.html"], ["docs"], documents, True)


def test_an_output_folder_beside_the_inputs_is_fine(tree: Path) -> None:
    documents = collect_documents(["docs/a.txt", "docs/sub"])
    check_output_folder("out", ["graph.ttl"], ["docs/a.txt", "docs/sub"], documents)
    check_output_folder("docs/other", ["graph.ttl"], ["docs/a.txt", "docs/sub"], documents)
    # the folder of a document given by name is no input folder
    check_output_folder("docs", ["graph.ttl"], ["docs/a.txt"], collect_documents(["docs/a.txt"]))


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_link_to_an_input_folder_is_that_folder(tree: Path) -> None:
    (tree / "link").symlink_to(tree / "docs", target_is_directory=True)
    with pytest.raises(UsageError, match=r"^E113 output folder link/x is inside the input"):
        check_output_folder("link/x", ["graph.ttl"], ["docs"], collect_documents(["docs"]))


def test_an_input_document_is_never_overwritten(tree: Path) -> None:
    (tree / "docs" / "graph.html").write_text("<p>市委</p>", encoding="utf-8")
    documents = collect_documents(["docs"])
    with pytest.raises(UsageError) as info:
        check_output_folder("docs", ["graph.ttl", "graph.html"], ["docs"], documents, True)
    assert str(info.value) == (
        f"E114 writing {tree / 'docs' / 'graph.html'} would overwrite the input document "
        "docs/graph.html; give another -o folder"
    )


def test_names_that_are_not_utf8_show_replacement_characters(tmp_path: Path) -> None:
    name = os.fsdecode(b"\xff\xfe report.txt")
    assert document_names([tmp_path / name]) == ["\ufffd\ufffd report.txt"]


# -- AtomicFiles: streamed files, renamed together -------------------------------------------


def test_atomic_files_stream_and_rename_together(tmp_path: Path) -> None:
    old = tmp_path / "graph.nt"
    old.write_text("old", encoding="utf-8")
    gone = tmp_path / "stale.nt"
    gone.write_text("stale", encoding="utf-8")
    with AtomicFiles() as atomic:
        sink = atomic.open(old)
        sink.write("<s> <p> ")
        sink.write('"市委" .\n')
        atomic.write(tmp_path / "graph.html", "页面")
        atomic.remove(gone)
        assert old.read_text(encoding="utf-8") == "old" and gone.exists()
        atomic.commit()
    assert old.read_text(encoding="utf-8") == '<s> <p> "市委" .\n'
    assert (tmp_path / "graph.html").read_text(encoding="utf-8") == "页面"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html", "graph.nt"]


def test_atomic_files_left_without_commit_leave_nothing(tmp_path: Path) -> None:
    old = tmp_path / "graph.nt"
    old.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), AtomicFiles() as atomic:
        atomic.open(old).write("half")
        atomic.remove(old)
        raise KeyboardInterrupt
    assert old.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.nt"]


def test_atomic_files_name_a_folder_that_cannot_be_written(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "graph.nt"
    with AtomicFiles() as atomic, pytest.raises(OutputError) as caught:
        atomic.open(missing)
    assert str(caught.value) == (
        f"E111 cannot write {missing}: No such file or directory; check that the folder "
        "exists and is writable"
    )


def test_atomic_files_synced_ahead_are_renamed_at_commit(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    with AtomicFiles() as atomic:
        atomic.open(target).write("<s> <p> <o> .\n")
        atomic.sync_ahead(target)
        atomic.sync_ahead(target)  # once is enough: a second call changes nothing
        atomic.write(tmp_path / "graph.html", "页面")
        assert not target.exists()
        atomic.commit()
    assert target.read_text(encoding="utf-8") == "<s> <p> <o> .\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html", "graph.ttl"]


def test_atomic_files_sync_ahead_only_what_they_write(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    with AtomicFiles() as atomic:
        atomic.write(tmp_path / "page.html", "页")
        with pytest.raises(KeyError) as caught:
            atomic.sync_ahead(tmp_path / "page.html", target)
        assert caught.value.args == (f"{target} is not being written",)
        assert atomic._syncing == {}  # none started


def test_atomic_files_sync_ahead_what_is_pending_in_one_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[tuple[str, str]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append((os.readlink(f"/proc/self/fd/{fd}"), threading.current_thread().name))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    names = ["graph.ttl", "a.html", "b.html"]
    with AtomicFiles() as atomic:
        atomic.open(tmp_path / names[0]).write("<s> <p> <o> .\n")
        atomic.write(tmp_path / names[1], "甲")
        atomic.write(tmp_path / names[2], "乙")
        assert atomic.pending() == [tmp_path / name for name in names]
        atomic.sync_ahead(*atomic.pending())
        atomic.commit()
        assert atomic.pending() == []
    files = [(Path(path).name, thread) for path, thread in synced if not Path(path).is_dir()]
    assert [name[1:].rsplit(".", 2)[0] for name, _ in files] == names  # .NAME.*.tmp
    assert len({thread for _, thread in files}) == 1
    assert files[0][1] != threading.main_thread().name
    assert [(tmp_path / name).read_text(encoding="utf-8") for name in names[1:]] == ["甲", "乙"]


def test_atomic_files_a_failed_sync_ahead_fails_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    with AtomicFiles() as atomic:
        atomic.open(target).write("new")
        monkeypatch.setattr(os, "fsync", full)
        atomic.sync_ahead(target)
        with pytest.raises(OutputError) as caught:
            atomic.commit()
    assert str(caught.value) == (
        f"E111 cannot write {target}: No space left on device; check that the folder "
        "exists and is writable"
    )
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]


def test_atomic_files_a_failed_sync_ahead_names_the_first_file_that_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = (tmp_path / name for name in ("a.html", "b.html", "c.html"))
    with AtomicFiles() as atomic:
        for path in (first, second, third):
            atomic.write(path, path.name)
        monkeypatch.setattr(os, "fsync", _failing_fsync(2))
        atomic.sync_ahead(first, second, third)
        with pytest.raises(OutputError) as caught:
            atomic.commit()
    assert str(caught.value).startswith(f"E111 cannot write {second}: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("more", "syncs"), [("", 1), (" more", 2)])
def test_atomic_files_sync_again_at_commit_only_what_changed_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, more: str, syncs: int
) -> None:
    target = tmp_path / "graph.ttl"
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode):  # the folder's sync left out
            synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with AtomicFiles() as atomic:
        sink = atomic.open(target)
        sink.write("text")
        atomic.sync_ahead(target)
        sink.write(more)
        atomic.commit()
    assert len(synced) == syncs
    assert target.read_text(encoding="utf-8") == "text" + more
