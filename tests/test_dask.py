"""The dask engine on a LocalCluster gives the local engine's results on the same archive (issue 8)."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")

from conftest import SEED  # noqa: E402
from wrapcheck.engine import validate_paths  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_dask_engine_matches_local_on_an_archive(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate, write_archive

    write_archive(generate(6000, sources=4, error_rate=0.02), tmp_path / "archive", 5)
    local = validate_paths(tmp_path / "archive", history=ROOT / "fixtures")
    distributed = validate_paths(tmp_path / "archive", history=ROOT / "fixtures", engine="dask")
    columns = ["idx", "code", "status", "message"]
    assert local.results[columns].equals(distributed.results[columns])
    assert (local.results["status"] == "fail").sum() > 0  # the archive has errors for both to find
    assert local.to_dict() == distributed.to_dict() | {"summary": distributed.to_dict()["summary"] | {"notes": local.to_dict()["summary"]["notes"]}}


def test_dask_engine_on_the_seed_with_history():
    local = validate_paths(SEED, history=ROOT / "fixtures")
    distributed = validate_paths(SEED, history=ROOT / "fixtures", engine="dask")
    assert local.results[["idx", "code", "status"]].equals(distributed.results[["idx", "code", "status"]])


def test_dask_engine_keeps_skips_in_brief_as_the_local_engine_does():
    from wrapcheck.reporters.markdown import skip_groups

    kept = {"detail": ("fail", "error"), "brief": ("skip",)}
    local = validate_paths(SEED, history=ROOT / "fixtures", **kept)
    distributed = validate_paths(SEED, history=ROOT / "fixtures", engine="dask", **kept)
    assert distributed.briefs is not None and skip_groups(distributed) == skip_groups(local)
    assert distributed.status_counts() == local.status_counts()
