"""ruff (lint and format) and mypy (strict) run beside the tests, so CI keeps them clean.

mypy cannot follow setuptools' editable-install finder for the ``package-dir`` mapping, so it
checks the package through a temporary tree of symlinks: ``policykg/extract → extract/``…
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("extract", "graph", "output")


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout}{proc.stderr}"


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_ruff_lint() -> None:
    run([tool("ruff"), "check", "."], ROOT)


def test_ruff_format() -> None:
    run([tool("ruff"), "format", "--check", "."], ROOT)


def test_mypy_strict(tmp_path: Path) -> None:
    package = tmp_path / "policykg"
    package.mkdir()
    for stage in STAGES:
        (package / stage).symlink_to(ROOT / stage, target_is_directory=True)
    env = dict(os.environ, MYPYPATH=str(tmp_path))
    config = str(ROOT / "pyproject.toml")
    mypy = tool("mypy")
    packages = [arg for stage in STAGES for arg in ("-p", f"policykg.{stage}")]
    run(
        [mypy, "--config-file", config, "--cache-dir", str(tmp_path / ".mypy"), *packages],
        tmp_path,
        env,
    )
    run(
        [
            mypy,
            "--config-file",
            config,
            "--cache-dir",
            str(tmp_path / ".mypy"),
            "tests",
            "benchmarks",
        ],
        ROOT,
        env,
    )
