"""Every bad pipeline is refused before any batch, with the same FeedError whether its cast and
normalize steps would run on the client (defer=True, the default) or on the server."""

import pytest

from mlobj_torch import FeedError, MlobjIterableDataset

CAST = {"op": "cast", "column": "image", "to": "float32", "scale": 1 / 255}

BAD = {
    "normalize on uint8 without a cast": (
        [{"op": "normalize", "column": "image", "mean": [0.5], "std": [0.25]}],
        "it needs a float32 tensor, the column is tensor<uint8>[3,8,8] (cast it first",
    ),
    "cast to float64": (
        [{"op": "cast", "column": "image", "to": "float64"}],
        "Cannot apply transform 'cast' to column 'image': 'to' must be float32, got 'float64'",
    ),
    "cast to int128": (
        [{"op": "cast", "column": "image", "to": "int128"}],
        "'to' must be float32, got 'int128'",
    ),
    "unknown column": (
        [dict(CAST, column="nope")],
        "Cannot select column 'nope' of dataset s3a://feed/images@v",
    ),
    "step without a column": (
        [{"op": "cast", "to": "float32"}],
        "'column' is missing",
    ),
    "step without an op": (
        [{"column": "image", "to": "float32"}],
        "'op' is missing",
    ),
    "unknown transform": (
        [{"op": "blur", "column": "image"}],
        "unknown transform 'blur'",
    ),
    "2 means for 3 channels": (
        [CAST, {"op": "normalize", "column": "image", "mean": [0.5, 0.5], "std": [0.2, 0.2]}],
        "mean and std need 1 or 3 values (the tensor has 3 channels), got 2",
    ),
    "std 0": (
        [CAST, {"op": "normalize", "column": "image", "mean": [0.5], "std": [0.0]}],
        "'std' must not contain 0",
    ),
    "std missing": (
        [CAST, {"op": "normalize", "column": "image", "mean": [0.5]}],
        "'std' must be a non-empty list of numbers",
    ),
    "normalize of a scalar column": (
        [{"op": "cast", "column": "label", "to": "float32"},
         {"op": "normalize", "column": "label", "mean": [0.5], "std": [0.5]}],
        "it needs a float32 tensor, the column is float32",
    ),
    "a server-only step asked on the client": (
        [{"op": "random_flip", "column": "image", "on": "client"}],
        "only [cast, normalize] can run on the client",
    ),
    "an unknown place": (
        [dict(CAST, on="gpu")],
        "'on' must be one of [auto, server, client], got 'gpu'",
    ),
}


def refusal(feed, pipeline, defer):
    with pytest.raises(FeedError) as info:
        MlobjIterableDataset(feed["endpoint"], feed["dataset"], token=feed["token"], device=None,
                             columns=["id", "image", "label"], pipeline=pipeline, defer=defer)
    return info.value


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_pipeline_fails_before_any_batch_with_the_same_error_in_both_modes(feed, case):
    pipeline, expected = BAD[case]
    deferred = refusal(feed, pipeline, defer=True)
    on_server = refusal(feed, pipeline, defer=False)
    assert str(deferred) == str(on_server)
    assert expected in str(deferred)
    assert deferred.code == on_server.code == "INVALID_ARGUMENT"
    assert "gRPC" not in str(deferred) and "debug context" not in str(deferred)
