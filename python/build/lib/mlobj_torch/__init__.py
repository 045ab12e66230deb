"""PyTorch datasets fed by the mlobj trainer feed, an Arrow Flight server.

    from mlobj_torch import MlobjIterableDataset
    ds = MlobjIterableDataset("grpc+tcp://127.0.0.1:4321", "s3a://training/cifar",
                              token="...", batch_size=256, seed=42)
    for batch in ds.loader(num_workers=2):
        images, labels = batch["image"], batch["label"]
"""

from .client import FeedClient, FeedError
from .dataset import MlobjIterableDataset, MlobjMapDataset, to_torch

__all__ = ["FeedClient", "FeedError", "MlobjIterableDataset", "MlobjMapDataset", "to_torch"]
