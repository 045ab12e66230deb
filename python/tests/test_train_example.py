"""examples/python/train.py end to end: real feed server, one epoch, checkpoint with lineage."""

import json
import math
import subprocess
import sys

import pytest

from conftest import ROOT, launched


@pytest.fixture(scope="module")
def images():
    """A feed over 2 shards x 3 batches x 64 samples of uint8 [3, 32, 32] images."""
    with launched("--shards", "2", "--batches", "3", "--rows", "64", "--size", "32") as info:
        yield info


def test_train_py_trains_one_epoch_and_stores_the_checkpoint_with_lineage(images):
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "python" / "train.py"),
            "--endpoint", images["endpoint"],
            "--token", images["token"],
            "--dataset", images["dataset"],
            "--model", "example-cnn",
            "--batch-size", "32",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    stored = json.loads(out.stdout.strip().splitlines()[-1])
    assert stored["model"] == "example-cnn"
    assert stored["version"] >= 1
    assert stored["lineage"] == ["%s@v%d" % (images["dataset"], images["version"])]
    meta = stored["metadata"]
    assert int(meta["samples"]) == images["rows"]
    assert math.isfinite(float(meta["loss"]))
    assert float(meta["training_time_s"]) > 0
    assert json.loads(meta["resume_state"])["position"] == images["rows"]
