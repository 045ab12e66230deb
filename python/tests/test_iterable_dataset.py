"""The real Python client against a real feed server."""

import numpy as np
import pyarrow as pa
import pytest
import torch

from mlobj_torch import FeedClient, FeedError, MlobjIterableDataset, MlobjMapDataset

pytestmark = pytest.mark.streams_here


def make(feed, **kwargs):
    kwargs.setdefault("batch_size", 10)
    kwargs.setdefault("seed", 3)
    kwargs.setdefault("shuffle_buffer", 50)
    return MlobjIterableDataset(
        feed["endpoint"], feed["dataset"], token=feed["token"], device=None, **kwargs
    )


def ids(batches):
    return [int(i) for b in batches for i in b["id"].tolist()]


def pixel(sample, c, y, x):
    return (sample * 7 + c * 31 + y * 5 + x) & 0xFF


def test_tensor_columns_arrive_as_torch_tensors_that_share_the_arrow_buffers(feed):
    ds = make(feed, columns=["id", "image", "label"])
    batch = next(iter(ds))
    image = batch["image"]
    assert isinstance(image, torch.Tensor)
    assert image.shape == (10, 3, 8, 8) and image.dtype == torch.uint8
    assert batch["label"].dtype == torch.int32
    sample = int(batch["id"][0])
    assert int(image[0, 2, 5, 1]) == pixel(sample, 2, 5, 1)
    assert batch["label"].tolist() == [i % 10 for i in batch["id"].tolist()]


def test_to_torch_does_not_copy():
    from mlobj_torch import to_torch

    storage = pa.array(np.arange(24, dtype=np.float32)).cast(pa.float32())
    tensor_type = pa.fixed_shape_tensor(pa.float32(), [2, 3])
    arr = pa.ExtensionArray.from_storage(tensor_type, pa.FixedSizeListArray.from_arrays(storage, 6))
    batch = pa.record_batch([arr], names=["t"])
    t = to_torch(batch)["t"]
    assert t.shape == (4, 2, 3)
    assert t.data_ptr() == storage.buffers()[1].address


def test_one_epoch_covers_every_sample_once_and_epochs_reshuffle(feed):
    ds = make(feed)
    first = ids(ds)
    ds.set_epoch(1)
    second = ids(ds)
    assert sorted(first) == list(range(feed["rows"]))
    assert sorted(second) == list(range(feed["rows"]))
    assert first != second


@pytest.mark.parametrize("world_size", [2, 3])
def test_ranks_get_disjoint_equal_parts(feed, world_size):
    parts = [ids(make(feed, rank=r, world_size=world_size)) for r in range(world_size)]
    assert len({len(p) for p in parts}) == 1
    union = [i for p in parts for i in p]
    assert sorted(union) == list(range(feed["rows"]))


def test_dataloader_workers_split_the_rank_share_and_keep_the_global_order(feed):
    single = ids(make(feed))
    ds = make(feed)
    seen = ids(ds.loader(num_workers=2))
    assert seen == single
    assert ds.state_dict()["position"] == feed["rows"]


def test_state_dict_resumes_mid_epoch_on_another_world_size(feed):
    rows = feed["rows"]
    # Two ranks consume 3 batches each in lockstep (60 samples; 180 = 3 ranks x 6 x 10 remain).
    consumed, states = [], []
    for rank in range(2):
        ds = make(feed, rank=rank, world_size=2)
        it = iter(ds)
        for _ in range(3):
            consumed += next(it)["id"].tolist()
        states.append(ds.state_dict())
    assert states[0]["position"] == states[1]["position"] == 60
    # The job restarts on three ranks.
    resumed = []
    for rank in range(3):
        ds = make(feed, rank=rank, world_size=3)
        ds.load_state_dict(states[0])
        resumed += ids(ds)
    assert not set(consumed) & set(resumed)
    assert sorted(consumed + resumed) == list(range(rows))


def test_server_side_pipeline_delivers_float_tensors(feed):
    pipeline = [
        {"op": "cast", "column": "image", "to": "float32", "scale": 1 / 255},
        {"op": "normalize", "column": "image", "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
        {"op": "random_crop", "column": "image", "size": [6, 6], "padding": 0},
        {"op": "random_flip", "column": "image", "p": 0.5},
        {"op": "one_hot", "column": "label", "classes": 10},
        {"op": "pad_truncate", "column": "tokens", "length": 3, "pad": -1},
    ]
    ds = make(feed, columns=["id", "image", "label", "tokens"], pipeline=pipeline)
    batch = next(iter(ds))
    assert batch["image"].shape == (10, 3, 6, 6) and batch["image"].dtype == torch.float32
    assert batch["label"].shape == (10, 10)
    assert batch["label"].argmax(1).tolist() == [i % 10 for i in batch["id"].tolist()]
    assert batch["tokens"].shape == (10, 3)
    for row, sample in zip(batch["tokens"].tolist(), batch["id"].tolist()):
        n = min(3, sample % 5)
        assert row == [sample * 10 + t for t in range(n)] + [-1] * (3 - n)
    # Same seed and epoch: the same augmentation.
    again = next(iter(make(feed, columns=["id", "image", "label", "tokens"], pipeline=pipeline)))
    assert torch.equal(batch["image"], again["image"])


def test_cast_and_normalize_deferred_to_the_client_match_the_server_side_result(feed):
    steps = [
        {"op": "cast", "column": "image", "to": "float32", "scale": 1 / 255},
        {"op": "normalize", "column": "image", "mean": [0.5, 0.4, 0.3], "std": [0.25, 0.2, 0.1]},
        {"op": "random_flip", "column": "image", "p": 0.5},
    ]
    deferred = [dict(step, on="client") if step["op"] != "random_flip" else step for step in steps]
    on_server = next(iter(make(feed, columns=["id", "image"], pipeline=steps)))
    ds = make(feed, columns=["id", "image"], pipeline=deferred)
    # The uint8 image travels and is flipped on the server, the cast runs where the batch lands;
    # the flips are the same as with the whole pipeline on the server.
    assert ds.pipeline == [steps[2]]
    on_client = next(iter(ds))
    assert on_client["image"].dtype == torch.float32
    assert on_client["id"].tolist() == on_server["id"].tolist()
    assert torch.allclose(on_client["image"], on_server["image"], atol=1e-5)


def test_map_dataset_takes_samples_by_global_index(feed):
    ds = MlobjMapDataset(feed["endpoint"], feed["dataset"], token=feed["token"])
    assert len(ds) == feed["rows"]
    item = ds[123]
    assert int(item["id"]) == 123
    assert int(item["image"][1, 2, 3]) == pixel(123, 1, 2, 3)
    batch = ds.get_batch([7, 3, 200])
    assert batch["id"].tolist() == [7, 3, 200]


def test_bad_requests_raise_clear_errors_when_the_dataset_is_built_and_the_server_keeps_serving(
    feed,
):
    with pytest.raises(FeedError, match="rank below world_size") as bad_rank:
        make(feed, rank=5, world_size=2)
    assert bad_rank.value.code == "INVALID_ARGUMENT"
    with pytest.raises(FeedError, match="no mlobj dataset") as missing:
        MlobjIterableDataset(feed["endpoint"], "s3a://feed/nothing", token=feed["token"], device=None)
    assert missing.value.code == "NOT_FOUND"
    assert str(missing.value).startswith("Cannot open dataset s3a://feed/nothing: ")
    assert "gRPC" not in str(missing.value)
    assert len(ids(make(feed))) == feed["rows"]


def test_calls_without_the_token_are_refused(feed):
    client = FeedClient(feed["endpoint"])
    with pytest.raises(FeedError, match="bearer token") as refused:
        client.metrics()
    assert refused.value.code == "UNAUTHENTICATED"


def test_metrics_and_checkpoints(feed):
    client = FeedClient(feed["endpoint"], feed["token"])
    ids(make(feed))
    metrics = client.metrics()
    assert metrics["samples"] >= feed["rows"] and metrics["samples_per_s"] > 0
    stored = client.put_checkpoint(
        "pytest-cnn", b"weights", {"loss": 0.5}, ["%s@v%d" % (feed["dataset"], feed["version"])]
    )
    assert stored["version"] >= 1
    assert stored["lineage"] == ["%s@v%d" % (feed["dataset"], feed["version"])]
    assert stored["metadata"]["loss"] == "0.5"


def test_auto_defer_moves_trailing_cast_and_normalize_past_flips_only():
    from mlobj_torch.dataset import split_pipeline

    cast = {"op": "cast", "column": "image", "to": "float32", "scale": 1 / 255}
    norm = {"op": "normalize", "column": "image", "mean": [0.5], "std": [0.25]}
    flip = {"op": "random_flip", "column": "image"}
    crop = {"op": "random_crop", "column": "image", "size": [4, 4]}
    label = {"op": "one_hot", "column": "label", "classes": 10}
    steps = [cast, norm, flip, label]
    assert split_pipeline(steps, defer=False) == (steps, [])
    assert split_pipeline(steps, defer=True) == ([flip, label], [cast, norm])
    # A crop after the cast could pad: the cast stays on the server, and so does what precedes it.
    assert split_pipeline([cast, crop, norm], defer=True) == ([cast, crop], [norm])
    # Pinned to the server: it stays, and so does the cast before it (order is kept).
    pinned = dict(norm, on="server")
    assert split_pipeline([cast, pinned], defer=True) == ([cast, norm], [])


def test_deferred_dataset_on_cpu_matches_the_whole_pipeline_on_the_server(feed):
    steps = [
        {"op": "cast", "column": "image", "to": "float32", "scale": 1 / 255},
        {"op": "normalize", "column": "image", "mean": [0.5, 0.4, 0.3], "std": [0.25, 0.2, 0.1]},
        {"op": "random_flip", "column": "image", "p": 0.5},
    ]
    server_side = make(feed, columns=["id", "image"], pipeline=steps, defer=False)
    assert server_side.pipeline == steps
    on_server = next(iter(server_side))
    ds = make(feed, columns=["id", "image"], pipeline=steps)  # defers by default
    assert ds.pipeline == [steps[2]]
    deferred = next(iter(ds))
    assert torch.allclose(deferred["image"], on_server["image"], atol=1e-5)
