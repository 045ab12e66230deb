"""DDP as users launch it: torchrun-style processes (env RANK, WORLD_SIZE, MASTER_ADDR,
MASTER_PORT; gloo on CPU), each reading one epoch through ``ds.loader(num_workers=...)`` and a plain
``DataLoader(ds, ...)`` with 0, 1 and 2 real workers, for world sizes 1, 2 and 3; plus the README's
PyTorch block run as a script on two ranks.

One feed server (the session's) serves every process; each world size is one launch whose
processes run every shape, so the module starts 6 rank processes and 2 README ones.
"""

import json
import os
import re
import socket
import subprocess
import sys

import pytest

from conftest import ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
BATCH = 7  # 240 samples: 35 global batches, the last partial, so every world size pads
SHAPES = [
    "%s/%d" % (kind, w) for kind in ("loader", "DataLoader") for w in (0, 1, 2)
] + ["built-before-init/DataLoader/2", "built-before-init/loader/2"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torchrun(world_size, argv, extra_env=None, timeout=240):
    """Starts one process per rank as torchrun does (its environment variables) and waits."""
    port = free_port()
    procs = []
    for rank in range(world_size):
        env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
                   LOCAL_WORLD_SIZE=str(world_size), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
                   OMP_NUM_THREADS="1", **(extra_env or {}))
        procs.append(subprocess.Popen([sys.executable, *[a.format(rank=rank) for a in argv]], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = []
    for p in procs:
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            raise
        outputs.append(out)
    for rank, (p, out) in enumerate(zip(procs, outputs)):
        assert p.returncode == 0, "rank %d failed:\n%s" % (rank, out)
    return outputs


@pytest.fixture(scope="module")
def runs(feed, tmp_path_factory):
    """{world_size: [per rank: {shape: {"batches": [[ids]], ...}}]}."""
    out = {}
    for world_size in (1, 2, 3):
        d = tmp_path_factory.mktemp("ws%d" % world_size)
        torchrun(world_size, [os.path.join(HERE, "scripts", "ddp_rank.py"), feed["endpoint"],
                              feed["dataset"], feed["token"], str(BATCH), str(d / "rank{rank}.json")])
        out[world_size] = [json.loads((d / ("rank%d.json" % r)).read_text())["shapes"]
                           for r in range(world_size)]
    return out


def global_order(ranks, shape):
    """The job's order: global batch g is rank g % W's batch g // W."""
    per_rank = [r[shape]["batches"] for r in ranks]
    world_size = len(per_rank)
    return [i for j in range(len(per_rank[0])) for r in range(world_size) for i in per_rank[r][j]]


@pytest.mark.parametrize("world_size", [1, 2, 3])
@pytest.mark.parametrize("shape", SHAPES)
def test_every_id_once_across_ranks_with_equal_batches_per_rank(feed, runs, world_size, shape):
    rows = feed["rows"]
    ranks = runs[world_size]
    counts = [len(r[shape]["batches"]) for r in ranks]
    # ceil(ceil(240 / 7) / W) batches on every rank, whatever the number of workers.
    expected = -(-(-(-rows // BATCH)) // world_size)
    assert counts == [expected] * world_size
    assert all(len(b) == BATCH for r in ranks for b in r[shape]["batches"])
    order = global_order(ranks, shape)
    assert sorted(order[:rows]) == list(range(rows))
    # Padding: the positions past the end of the epoch repeat its first samples.
    assert order[rows:] == order[: len(order) - rows]
    if shape.startswith("loader"):
        assert all(r[shape]["position"] == rows for r in ranks)
    if "len" in ranks[0][shape]:
        assert all(r[shape]["len"] == expected for r in ranks)


def test_the_global_order_is_the_same_for_every_shape_and_world_size(feed, runs):
    rows = feed["rows"]
    orders = {(w, s): global_order(runs[w], s)[:rows] for w in runs for s in SHAPES}
    reference = orders[(1, "loader/0")]
    assert reference != sorted(reference)  # shuffled
    assert {k: v for k, v in orders.items() if v != reference} == {}


def readme_pytorch_block():
    text = (ROOT / "README.md").read_text()
    section = text[text.index("\n## PyTorch"):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README.md has no python block in its PyTorch section"
    return match.group(1)


def test_the_readme_pytorch_block_runs_on_two_ranks(feed, tmp_path):
    block = readme_pytorch_block()
    # Run as written; only the server's address and dataset are this test's (the README's are a
    # server a user starts with `mlobj serve --port 8815`).
    endpoints = re.findall(r"grpc\+tcp://127\.0\.0\.1:\d+", block)
    datasets = re.findall(r"s3a://[\w./-]+", block)
    assert endpoints and datasets, block
    for e in set(endpoints):
        block = block.replace(e, feed["endpoint"])
    for d in set(datasets):
        block = block.replace(d, feed["dataset"])
    script = tmp_path / "readme_pytorch.py"
    script.write_text(block)
    before = metrics(feed)["samples"]
    python_path = os.pathsep.join([str(ROOT / "python"), os.environ.get("PYTHONPATH", "")])
    torchrun(2, [str(script)], {"MLOBJ_FEED_TOKEN": feed["token"], "PYTHONPATH": python_path})
    assert metrics(feed)["samples"] - before >= feed["rows"]


def metrics(feed):
    from mlobj_torch import FeedClient

    with FeedClient(feed["endpoint"], feed["token"]) as client:
        return client.metrics()
