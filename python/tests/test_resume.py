"""Resuming the loops users write, through ds.loader() with real DataLoader workers."""

import itertools

import pytest

from mlobj_torch import MlobjIterableDataset

BATCH = 7  # 240 samples: 35 batches, the last one padded


def make(feed, **kwargs):
    return MlobjIterableDataset(feed["endpoint"], feed["dataset"], token=feed["token"], device=None,
                                batch_size=BATCH, seed=21, shuffle_buffer=50, **kwargs)


def ids(batches):
    return [i for b in batches for i in b["id"].tolist()]


def epoch_order(feed, epoch):
    ds = make(feed, epoch=epoch)
    return ids(ds.loader(num_workers=1))[: feed["rows"]]


@pytest.mark.parametrize("workers", [pytest.param(0, marks=pytest.mark.streams_here), 2])
def test_load_state_dict_then_set_epoch_of_that_epoch_keeps_the_position(feed, workers):
    ds = make(feed)
    ds.set_epoch(1)
    consumed = ids(itertools.islice(ds.loader(num_workers=workers), 5))
    state = ds.state_dict()
    assert state["epoch"] == 1 and state["position"] == 5 * BATCH

    resumed = make(feed)
    resumed.load_state_dict(state)
    rest = []
    for epoch in range(state["epoch"], 2):  # the loop shape docs/trainer-feed.md shows
        resumed.set_epoch(epoch)
        rest += ids(resumed.loader(num_workers=workers))
    assert consumed + rest[: feed["rows"] - len(consumed)] == epoch_order(feed, 1)
    assert resumed.state_dict()["position"] == feed["rows"]


def test_a_state_saved_after_the_last_batch_resumes_as_the_start_of_the_next_epoch(feed):
    ds = make(feed)
    loader = ds.loader(num_workers=2)
    assert len(list(loader)) == len(loader) == 35
    state = ds.state_dict()
    assert state == dict(state, epoch=0, position=feed["rows"])

    plain = make(feed)
    plain.load_state_dict(state)
    assert ids(plain.loader(num_workers=2))[: feed["rows"]] == epoch_order(feed, 1)
    assert plain.state_dict()["epoch"] == 1

    looped = make(feed)
    looped.load_state_dict(state)
    seen = {}
    for epoch in range(state["epoch"], 2):
        looped.set_epoch(epoch)
        seen[epoch] = ids(looped.loader(num_workers=2))
    assert seen[0] == []  # epoch 0 was consumed before the save
    assert seen[1][: feed["rows"]] == epoch_order(feed, 1)


def test_batches_per_epoch_do_not_depend_on_the_number_of_workers(feed):
    counts = {}
    for workers in (0, 1, 2):
        loader = make(feed).loader(num_workers=workers)
        counts[workers] = (len(loader), len(list(loader)))
    assert counts == {0: (35, 35), 1: (35, 35), 2: (35, 35)}


def test_passes_without_set_epoch_move_to_the_next_epoch(feed):
    ds = make(feed)
    loader = ds.loader(num_workers=2)
    first, second = ids(loader), ids(loader)
    assert first[: feed["rows"]] == epoch_order(feed, 0)
    assert second[: feed["rows"]] == epoch_order(feed, 1)
