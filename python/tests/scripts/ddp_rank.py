"""One rank of a torchrun-style job (env RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT): reads one
epoch in every shape users write, and prints the ids of each batch as JSON.

Usage: python ddp_rank.py ENDPOINT DATASET TOKEN BATCH_SIZE OUT.json
"""

import json
import os
import sys

import torch.distributed as dist
from torch.utils.data import DataLoader

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

from mlobj_torch import MlobjIterableDataset  # noqa: E402


def main():
    endpoint, dataset, token, batch_size, out = sys.argv[1:6]

    def make():
        return MlobjIterableDataset(
            endpoint, dataset, token=token, batch_size=int(batch_size), seed=11,
            shuffle_buffer=50, device=None,
            pipeline=[{"op": "cast", "column": "image", "to": "float32", "scale": 1 / 255}],
        )

    # Built before init_process_group: rank and world size are captured later, in this process.
    early = make()
    dist.init_process_group("gloo")  # env://, as under torchrun
    shapes = {}

    def read(workers):
        ds = make()
        loader = ds.loader(num_workers=workers)
        shapes["loader/%d" % workers] = {
            "len": len(loader),
            "batches": [b["id"].tolist() for b in loader],
            "position": ds.state_dict()["position"],
        }
        shapes["DataLoader/%d" % workers] = {
            "batches": [b["id"].tolist() for b in DataLoader(make(), batch_size=None, num_workers=workers)],
        }

    try:
        # Shapes with workers first: a pass with num_workers=0 streams in this process, and
        # workers started after that are spawned (slower), not forked.
        for workers in (1, 2):
            read(workers)
        shapes["built-before-init/DataLoader/2"] = {
            "batches": [b["id"].tolist() for b in DataLoader(early, batch_size=None, num_workers=2)],
        }
        shapes["built-before-init/loader/2"] = {
            "batches": [b["id"].tolist() for b in early.loader(num_workers=2)],
        }
        read(0)
        dist.barrier()
    finally:
        dist.destroy_process_group()
    with open(out, "w") as f:
        json.dump({"rank": dist_rank(), "shapes": shapes}, f)


def dist_rank():
    return int(os.environ["RANK"])


if __name__ == "__main__":
    main()
