#!/usr/bin/env python3
"""Train a small CNN for one epoch on an mlobj dataset, fed by the trainer feed, and store the
checkpoint with its lineage through mlobj.

The dataset is one the Spark or Flink example produced: ``image`` uint8 tensor [3, 32, 32] and
``label`` int (0-9). Preprocessing (uint8 -> float32, normalize, random flip) runs on the feed
server; this process only trains.

    python examples/python/train.py --endpoint grpc+tcp://127.0.0.1:4321 --token "$TOKEN" \\
        --dataset s3a://training/images-prepared --model small-cnn

Prints one JSON line: the stored checkpoint (model, version, lineage, metadata).
"""

import argparse
import io
import json
import math
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "python"))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from mlobj_torch import FeedClient, MlobjIterableDataset  # noqa: E402


class SmallCnn(nn.Module):
    def __init__(self, classes=10, size=32):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * (size // 4) * (size // 4), classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(torch.flatten(x, 1))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--endpoint", default=os.environ.get("MLOBJ_FEED_ENDPOINT", "grpc+tcp://127.0.0.1:4321"))
    p.add_argument("--token", default=os.environ.get("MLOBJ_FEED_TOKEN"))
    p.add_argument("--dataset", required=True, help="dataset URI, e.g. s3a://training/images")
    p.add_argument("--version", type=int, help="dataset version (default: latest, pinned at start)")
    p.add_argument("--model", default="small-cnn", help="checkpoint model name")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--workers", type=int, default=0, help="DataLoader workers")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epoch", type=int, default=0)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--max-batches", type=int, help="stop early (smoke tests)")
    p.add_argument("--prepared", action="store_true",
                   help="images are already normalized float32 (e.g. the Spark example's output): "
                        "skip the uint8 cast and normalization on the feed")
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    pipeline = [
        {"op": "cast", "column": "image", "to": "float32", "scale": 1 / 255},
        {"op": "normalize", "column": "image", "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
        {"op": "random_flip", "column": "image", "p": 0.5},
    ]
    if args.prepared:
        pipeline = pipeline[2:]
    ds = MlobjIterableDataset(
        args.endpoint,
        args.dataset,
        token=args.token,
        version=args.version,
        columns=["image", "label"],
        batch_size=args.batch_size,
        seed=args.seed,
        epoch=args.epoch,
        pipeline=pipeline,
    )
    version = ds.resolve()
    device = ds.device or torch.device("cpu")
    model = SmallCnn(args.classes, args.image_size).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    start = time.time()
    total_loss, samples, batches = 0.0, 0, 0
    model.train()
    for batch in ds.loader(num_workers=args.workers):
        images = batch["image"].to(device, non_blocking=True)
        labels = batch["label"].to(device, non_blocking=True).long()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
        samples += len(labels)
        batches += 1
        if args.max_batches and batches >= args.max_batches:
            break
    elapsed = time.time() - start
    mean_loss = total_loss / max(1, samples)
    if not math.isfinite(mean_loss):
        raise SystemExit("Cannot store the checkpoint: the loss is %s. Lower --lr." % mean_loss)

    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    client = FeedClient(args.endpoint, args.token)
    stored = client.put_checkpoint(
        args.model,
        buffer.getvalue(),
        metadata={
            "loss": "%.6f" % mean_loss,
            "training_time_s": "%.3f" % elapsed,
            "samples": samples,
            "batches": batches,
            "epoch": args.epoch,
            "seed": args.seed,
            "batch_size": args.batch_size,
            "samples_per_s": "%.1f" % (samples / elapsed if elapsed > 0 else 0),
            "framework": "pytorch-" + torch.__version__,
            "dataset": args.dataset,
            "dataset_version": version,
            "resume_state": json.dumps(ds.state_dict()),
        },
        lineage=["%s@v%d" % (args.dataset, version)],
    )
    print(json.dumps(stored))
    return stored


if __name__ == "__main__":
    main()
