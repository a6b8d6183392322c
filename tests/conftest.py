import csv
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# CI reruns the same examples every time (a landing must not hinge on a lucky draw); locally, set
# HYPOTHESIS_PROFILE=explore to search new ones.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The tests see the shipped official data only: a user's fetched cache (`wrapcheck data update`) would
# move the data's end. Subprocesses inherit this; tests of the cache set their own folder.
os.environ["WRAPCHECK_CACHE_DIR"] = tempfile.mkdtemp(prefix="wrapcheck-test-cache-")

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "2026-01-06.csv"


def read_rows(path: Path = SEED) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def find(rows, source, instrument):
    hits = [r for r in rows if r["source"] == source and r["instrument"] == instrument]
    assert len(hits) == 1, f"{source}/{instrument}: {len(hits)} rows"
    return hits[0]


@pytest.fixture
def seed_rows():
    return read_rows()


@pytest.fixture
def mutate(tmp_path):
    """mutate(source, instrument, **cells) -> path of a copy of the seed with those cells changed."""
    def _mutate(source=None, instrument=None, name="mutated.csv", **cells):
        rows = read_rows()
        if source:
            find(rows, source, instrument).update(cells)
        return write_rows(tmp_path / name, rows)
    return _mutate
