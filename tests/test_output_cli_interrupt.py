"""An interrupted build (output/cli.py, output/files.py): SIGINT and SIGTERM leave the previous
outputs byte for byte, no temporary file, one line on stderr and status 128 + the signal.

The build runs in a subprocess over many copies of a seed, so that it is still extracting
when the signal comes (after it reported its third document); one more run is interrupted
as soon as extraction is done, while the graph is built, rendered and written.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from policykg.output import files
from policykg.output.cache import CACHE_FOLDER
from policykg.output.parts import PARTS_FOLDER, decode_part

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "hailar_district_gov_work_report_2019.txt"
COMMAND = [sys.executable, "-c", "from policykg.output.cli import main; main(prog_name='policykg')"]
COPIES = 12

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


@pytest.fixture
def previous(tmp_path: Path) -> dict[str, bytes]:
    """docs/ with COPIES documents, and out/ holding the outputs of an earlier build."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(COPIES):
        shutil.copy(SEED, docs / f"report_{n:02}.txt")
    out = tmp_path / "out"
    out.mkdir()
    old = {"graph.ttl": b"@prefix old: <urn:old#> .\n", "graph.html": b"<p>old page</p>\n"}
    for name, data in old.items():
        (out / name).write_bytes(data)
    return old


def outputs(out: Path) -> dict[str, bytes]:
    """The files in ``out``, the cache left out (after checking that it holds only whole
    entries, extractions and documents' shares: no temporary file, each a JSON object)."""
    cache = out / CACHE_FOLDER
    if cache.exists():
        for entry in cache.rglob("*"):
            if entry.is_dir():
                assert entry.name == PARTS_FOLDER, entry.name
                continue
            assert entry.suffix == ".json", entry.name
            if entry.parent.name == PARTS_FOLDER:
                decode_part(entry.read_bytes(), entry.stem, "name")
                continue
            lines = entry.read_bytes().split(b"\n")  # an extraction: summary, extraction
            assert [json.loads(line)["key"] for line in lines] == [entry.stem] * len(lines)
    return {p.name: p.read_bytes() for p in out.iterdir() if p.name != CACHE_FOLDER}


def processes_in(folder: Path) -> list[int]:
    """The processes whose current folder is ``folder`` (Linux; [] elsewhere)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if Path(os.readlink(entry / "cwd")) == folder:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def interrupt(
    tmp_path: Path, signum: int, after: str, jobs: str = "2"
) -> subprocess.CompletedProcess[str]:
    """Run the build, send ``signum`` once stderr shows ``after``, wait for the end."""
    proc = subprocess.Popen(
        [*COMMAND, "build", "docs", "-o", "out", "--jobs", jobs],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith(after):
            proc.send_signal(signum)
            break
    try:
        stdout, rest = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in processes_in(tmp_path)}
        proc.kill()
        raise AssertionError(f"still running: main {proc.pid}, {left}") from None
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, "".join(seen) + rest)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_build_interrupted_while_extracting_keeps_the_previous_outputs(
    tmp_path: Path, previous: dict[str, bytes], signum: int, status: int, jobs: str
) -> None:
    """With --jobs 2 the signal goes to the main process only: it ends its workers."""
    done = interrupt(tmp_path, signum, after=f"[3/{COPIES}]", jobs=jobs)
    assert processes_in(tmp_path) == []  # no worker left behind
    name = signal.Signals(signum).name
    assert (done.returncode, done.stdout) == (status, "")
    assert done.stderr.splitlines()[-1] == f"policykg: interrupted by {name}"
    assert "Traceback" not in done.stderr
    assert outputs(tmp_path / "out") == previous


def test_a_build_interrupted_after_extracting_leaves_whole_files(
    tmp_path: Path, previous: dict[str, bytes]
) -> None:
    done = interrupt(tmp_path, signal.SIGINT, after=f"[{COPIES}/{COPIES}]", jobs="2")
    assert processes_in(tmp_path) == []  # no worker left behind
    out = outputs(tmp_path / "out")
    assert sorted(out) == ["graph.html", "graph.ttl"]  # no temporary file
    if done.returncode == 0:  # the signal came after the last rename: the new outputs
        assert done.stdout.startswith("Wrote out/graph.ttl")
        assert out["graph.html"].rstrip().endswith(b"</html>")
    else:  # old files, or (signal held during the writes) new whole ones
        assert done.returncode == 130
        assert done.stderr.splitlines()[-1] == "policykg: interrupted by SIGINT"
        assert out == previous or (
            out["graph.html"].rstrip().endswith(b"</html>")
            and out["graph.ttl"].startswith(b"@prefix")
            and out["graph.ttl"] != previous["graph.ttl"]
        )


# -- write_files_atomic holds the signals while it writes ------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_the_writes_comes_after_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    class Stop(BaseException):
        pass

    def stop(number: int, frame: object) -> None:
        raise Stop(number)

    previous_handler = signal.signal(signum, stop)
    real_write = files.AtomicFiles.write
    calls = []

    def write_then_signal(self: files.AtomicFiles, target: Path, data: str | bytes) -> None:
        real_write(self, target, data)
        calls.append(target.name)
        if len(calls) == 1:
            signal.raise_signal(signum)  # held: the second file is still written

    monkeypatch.setattr(files.AtomicFiles, "write", write_then_signal)
    first, second = tmp_path / "graph.ttl", tmp_path / "graph.html"
    first.write_text("old ttl", encoding="utf-8")
    try:
        with pytest.raises(Stop):
            files.write_files_atomic({first: "new ttl", second: "new html"})
    finally:
        signal.signal(signum, previous_handler)
    assert calls == ["graph.ttl", "graph.html"]
    assert first.read_text(encoding="utf-8") == "new ttl"
    assert second.read_text(encoding="utf-8") == "new html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html", "graph.ttl"]
    assert signal.getsignal(signum) is previous_handler


def test_handlers_are_restored_when_no_signal_came(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    files.write_files_atomic({tmp_path / "a.ttl": "a"})
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
