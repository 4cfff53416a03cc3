"""Shared fixtures: paths of the seed documents and their gold annotations."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_speech() -> Path:
    """The party-committee speech the project was created from."""
    return SEEDS / "000_e07ead4074b87c09.txt"


@pytest.fixture(scope="session")
def seed_report() -> Path:
    """A district government work report with gold annotations."""
    return SEEDS / "hailar_district_gov_work_report_2019.txt"


@pytest.fixture(autouse=True)
def _sigint_restored() -> Iterator[None]:
    """Give SIGINT its default handler back after each test: a test that leaves it ignored
    makes every later child process (serve, an interrupted build) ignore Ctrl-C too."""
    yield
    signal.signal(signal.SIGINT, signal.default_int_handler)
