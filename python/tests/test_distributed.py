"""Rank and world size come from torch.distributed when it is initialised (gloo, 2 processes)."""

import json
import os
import sys

import torch.multiprocessing as mp

HERE = os.path.dirname(os.path.abspath(__file__))


def _rank_main(rank, feed, init_file, out_dir):
    sys.path.insert(0, os.path.join(HERE, "..", ".."))
    sys.path.insert(0, os.path.join(HERE, ".."))
    import torch.distributed as dist

    from mlobj_torch import MlobjIterableDataset

    dist.init_process_group("gloo", init_method="file://" + init_file, rank=rank, world_size=2)
    try:
        ds = MlobjIterableDataset(
            feed["endpoint"], feed["dataset"], token=feed["token"], batch_size=10, seed=5,
            device=None,
        )
        ids = [int(i) for b in ds for i in b["id"].tolist()]
        with open(os.path.join(out_dir, "rank%d.json" % rank), "w") as f:
            json.dump({"rank_world": ds.rank_and_world_size(), "ids": ids}, f)
    finally:
        dist.destroy_process_group()


def test_ranks_from_torch_distributed_split_the_epoch(feed, tmp_path):
    mp.spawn(
        _rank_main,
        args=(feed, str(tmp_path / "init"), str(tmp_path)),
        nprocs=2,
        join=True,
    )
    parts = [json.loads((tmp_path / ("rank%d.json" % r)).read_text()) for r in range(2)]
    assert [p["rank_world"] for p in parts] == [[0, 2], [1, 2]]
    assert len(parts[0]["ids"]) == len(parts[1]["ids"]) == feed["rows"] // 2
    assert sorted(parts[0]["ids"] + parts[1]["ids"]) == list(range(feed["rows"]))
