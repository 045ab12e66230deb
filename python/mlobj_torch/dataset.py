"""torch datasets over the mlobj trainer feed."""

import ast
import inspect
import multiprocessing
import os
import sys
import warnings
import weakref

import pyarrow as pa
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info

from .client import FeedClient, FeedError, grpc_initialised


def _column_to_torch(column):
    """A pyarrow column as a torch tensor sharing its memory where possible (else a list)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if isinstance(column.type, pa.FixedShapeTensorType):
        array = column.to_numpy_ndarray()
    elif pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        if column.null_count:
            array = column.to_numpy(zero_copy_only=False)
        else:
            array = column.to_numpy(zero_copy_only=True)
    elif pa.types.is_boolean(column.type):
        array = column.to_numpy(zero_copy_only=False)
    else:
        return column.to_pylist()
    with warnings.catch_warnings():
        # Buffers received over Flight are read-only: the tensors share them (never modify
        # them in place; clone first).
        warnings.simplefilter("ignore", UserWarning)
        return torch.from_numpy(array)


def to_torch(batch):
    """A pyarrow RecordBatch or Table as a dict of column name -> tensor (zero-copy)."""
    return {name: _column_to_torch(batch.column(i)) for i, name in enumerate(batch.schema.names)}


def _move(batch, device, pin):
    """Pins (a copy into page-locked, aligned memory) and moves tensors to the device."""
    if device is None:
        return batch
    out = {}
    for key, value in batch.items():
        if isinstance(value, torch.Tensor):
            if pin:
                value = value.pin_memory()
            elif value.data_ptr() % 64:
                value = value.clone()  # realign: Flight buffers may be unaligned
            value = value.to(device, non_blocking=True)
        out[key] = value
    return out


# Steps a pipeline may defer to the trainer with {"on": "client"}: the feed then ships the raw
# (e.g. uint8) tensor, 4x fewer bytes than float32, and the cast runs where the batch lands
# (on the GPU when there is one), after the copy to the device.
CLIENT_OPS = ("cast", "normalize")

# Server steps a deferred cast/normalize may move past: they rearrange values within a channel
# and never mix or invent values, so a per-channel affine map commutes with them.
_COMMUTING_OPS = ("random_flip",)


def _auto_deferrable(steps, i):
    """Whether step ``i`` may run on the client unasked: a cast/normalize with nothing after it on
    its column but other cast/normalize steps or steps it commutes with."""
    step = steps[i]
    if step.get("op") not in CLIENT_OPS:
        return False
    for later in steps[i + 1 :]:
        if later.get("column") != step.get("column"):
            continue
        if later.get("op") in _COMMUTING_OPS:
            continue
        if later.get("op") in CLIENT_OPS and later.get("on", "auto") != "server":
            continue
        return False
    return True


def split_pipeline(pipeline, defer=False):
    """(steps for the server, steps run on the client).

    Steps marked ``"on": "client"`` run on the client; with ``defer``, so do trailing
    cast/normalize steps not marked ``"on": "server"`` (see :func:`_auto_deferrable`). Validate
    the pipeline first (the server's plan call does): this only splits it.
    """
    # The feed server validates the whole pipeline ("on" included) in the plan call that
    # MlobjIterableDataset makes before any batch: no rule is repeated here.
    steps = list(pipeline or [])
    server, client = [], []
    for i, step in enumerate(steps):
        where = step.get("on", "auto")
        plain = {k: v for k, v in step.items() if k != "on"}
        if where == "client" or (where == "auto" and defer and _auto_deferrable(steps, i)):
            client.append(plain)
        else:
            server.append(plain)
    return server, client


class _Affine:
    """Cast then ``x * a + b`` per channel: consecutive deferred cast/normalize steps of one column.

    Folded into one multiply-add run in place on the cast copy: two passes over the batch
    instead of four with temporaries (about 2.5x faster on CPU; a received Flight buffer is
    read-only, so the cast always copies).
    """

    def __init__(self, column, dtype):
        self.column = column
        self.dtype = dtype
        self.a = [1.0]  # per channel (a single value broadcasts)
        self.b = [0.0]
        self._coefficients = {}

    def then_scale(self, scale):
        self.a = [v * scale for v in self.a]
        self.b = [v * scale for v in self.b]

    def then_normalize(self, mean, std):
        channels = max(len(self.a), len(mean))
        a = self.a * channels if len(self.a) == 1 else self.a
        b = self.b * channels if len(self.b) == 1 else self.b
        self.a = [a[c] / std[c] for c in range(channels)]
        self.b = [(b[c] - mean[c]) / std[c] for c in range(channels)]

    def __call__(self, x):
        dtype = self.dtype or (x.dtype if x.is_floating_point() else torch.float32)
        y = x.to(dtype, copy=True)
        key = (dtype, y.device, y.dim())
        if key not in self._coefficients:
            shape = [1, -1] + [1] * (y.dim() - 2) if len(self.a) > 1 else [1]
            self._coefficients[key] = (
                torch.tensor(self.a, dtype=dtype, device=y.device).view(shape),
                torch.tensor(self.b, dtype=dtype, device=y.device).view(shape),
            )
        a, b = self._coefficients[key]
        return y.mul_(a).add_(b)


def compile_client_steps(steps):
    """Folds deferred cast/normalize steps into one :class:`_Affine` per run on a column."""
    fused = []
    for step in steps:
        column = step["column"]
        if not fused or fused[-1].column != column or step["op"] == "cast":
            dtype = getattr(torch, step.get("to", "float32")) if step["op"] == "cast" else None
            fused.append(_Affine(column, dtype))
        if step["op"] == "cast":
            if "scale" in step:
                fused[-1].then_scale(step["scale"])
        else:  # normalize: per-channel mean/std over dimension 1 of [batch, channels, ...]
            fused[-1].then_normalize(list(step["mean"]), list(step["std"]))
    return fused


def apply_client_steps(batch, steps):
    """Runs deferred steps compiled by :func:`compile_client_steps` on the batch's tensors (on
    their device)."""
    if not steps:
        return batch
    out = dict(batch)
    for affine in steps:
        out[affine.column] = affine(out[affine.column])
    return out


def _default_device():
    return torch.device("cuda") if torch.cuda.is_available() else None


def _in_worker():
    return get_worker_info() is not None


# Datasets of this process, so that their rank and world size are captured in the main process
# right before it forks DataLoader workers (a plain DataLoader calls nothing on the dataset there).
_datasets = weakref.WeakSet()


def _capture_ranks_before_fork():
    if not _in_worker():
        for ds in list(_datasets):
            ds._capture_rank()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_capture_ranks_before_fork)


class MlobjIterableDataset(IterableDataset):
    """Batches of one dataset version streamed, shuffled and preprocessed by a feed server.

    Every item is a dict ``column -> tensor`` holding one batch of ``batch_size`` samples (use
    :meth:`loader`, or ``DataLoader(ds, batch_size=None)``). The global sample order depends only
    on (version, seed, epoch); :meth:`state_dict` / :meth:`load_state_dict` resume mid-epoch, even
    on another world size.

    Construction asks the server for the plan (one call, then the connection is closed): it pins
    the version (latest, or the tag's) for every rank, worker and resume, and validates the
    request and the *whole* pipeline, deferred steps included, so a bad step raises
    :class:`FeedError` here, before any batch, with the server's message.

    Rank and world size: ``rank=``/``world_size=``, else ``torch.distributed``'s, captured in the
    main process (when the dataset is built, when :meth:`loader` or iteration starts there, right
    before the process forks DataLoader workers, or when the dataset is pickled for spawned ones),
    never inside a worker. Each rank
    receives ``ceil(ceil(remaining / batch_size) / world_size)`` full batches (the same on every
    rank, whatever ``num_workers``): global batch ``g`` of the epoch's order goes to rank
    ``g % world_size``, and positions past the end of the epoch wrap to its start (padding; with
    ``drop_last`` the tail that cannot give every rank a batch is dropped instead).

    Tensors share the received Arrow buffers: treat them as read-only.

    ``defer`` (default true): trailing cast/normalize steps of the pipeline (those followed on
    their column only by steps they commute with, such as random_flip, and not marked
    ``"on": "server"``) run where the batch lands instead of on the feed server: uint8 travels
    (4x fewer bytes) and one in-place multiply-add per batch runs on the device (the GPU when
    there is one). ``defer=False`` runs the whole pipeline on the server. Steps marked
    ``"on": "client"`` are deferred in any case.
    """

    def __init__(
        self,
        endpoint,
        dataset,
        *,
        token=None,
        version=None,
        tag=None,
        columns=None,
        predicate=None,
        batch_size=256,
        shuffle=True,
        shuffle_buffer=8192,
        seed=0,
        epoch=0,
        drop_last=False,
        pipeline=None,
        rank=None,
        world_size=None,
        device="auto",
        defer=True,
        tls_root_certs=None,
    ):
        super().__init__()
        self.endpoint = endpoint
        self.dataset = dataset
        self.token = token
        self.version = version
        self.tag = tag
        self.columns = columns
        self.predicate = predicate
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.shuffle_buffer = shuffle_buffer
        self.seed = seed
        self.epoch = epoch
        self.drop_last = drop_last
        self.device = _default_device() if device == "auto" else device
        self.tls_root_certs = tls_root_certs
        self._rank = rank
        self._world_size = world_size if world_size is not None else (1 if rank is not None else None)
        self.start_position = 0
        self.batches_seen = 0
        self._resumed = False  # a loaded state not yet iterated
        self._epoch_kept = False  # set_epoch(the loaded epoch) was called after load_state_dict
        self._client = None
        self._client_pid = None
        self._capture_rank()
        _datasets.add(self)
        # One plan call validates the request and the whole pipeline (deferred steps included,
        # with their "on") on the server, and pins the version.
        self.pipeline = list(pipeline or [])
        plan = self._call_plan(dict(self.request(), pipeline=self.pipeline))
        self.version = plan["version"]
        self.samples = plan["samples"]
        self.pipeline, client_steps = split_pipeline(pipeline, defer)
        self.client_steps = compile_client_steps(client_steps)

    def __getstate__(self):
        # Pickled in the main process when workers are spawned: capture rank and world size
        # now. The Flight client stays in the process that opened it (workers open their own).
        self._capture_rank()
        state = dict(self.__dict__)
        state["_client"] = None
        state["_client_pid"] = None
        return state

    # ---- distribution ----

    def _capture_rank(self):
        """Fixes rank and world size from torch.distributed, in the main process only."""
        if self._rank is None and not _in_worker() and dist.is_available() and dist.is_initialized():
            self._rank, self._world_size = dist.get_rank(), dist.get_world_size()

    def rank_and_world_size(self):
        """(rank, world size) this dataset reads as: captured or given, else (0, 1)."""
        if self._rank is None:
            self._capture_rank()
        if self._rank is not None:
            return self._rank, self._world_size
        return 0, 1

    # ---- server calls ----

    def _client_here(self):
        # One client per process, opened lazily: a client inherited through fork would hang.
        if self._client is None or self._client_pid != os.getpid():
            self._client = FeedClient(self.endpoint, self.token, self.tls_root_certs)
            self._client_pid = os.getpid()
        return self._client

    def _close_client(self):
        if self._client is not None and self._client_pid == os.getpid():
            self._client.close()
        self._client = None
        self._client_pid = None

    def _call_plan(self, request):
        try:
            return self._client_here().plan(request)
        finally:
            if not _in_worker():
                self._close_client()  # so DataLoader workers can be forked

    def request(self, worker=0, num_workers=1):
        """The feed request of one (rank, worker) of this dataset's current epoch."""
        rank, world_size = self.rank_and_world_size()
        req = {
            "dataset": self.dataset,
            "rank": rank,
            "world_size": world_size,
            "worker": worker,
            "num_workers": num_workers,
            "epoch": self.epoch,
            "seed": self.seed,
            "shuffle": self.shuffle,
            "shuffle_buffer": self.shuffle_buffer,
            "batch_size": self.batch_size,
            "drop_last": self.drop_last,
            "position": self.start_position,
            "pipeline": self.pipeline,
        }
        if self.version is not None:
            req["version"] = self.version
        elif self.tag is not None:
            req["tag"] = self.tag
        if self.columns is not None:
            req["columns"] = list(self.columns)
        if self.predicate is not None:
            req["predicate"] = self.predicate
        return req

    def resolve(self):
        """The pinned version (resolved when the dataset was built)."""
        return self.version

    def plan(self, num_workers=1):
        """The server's plan for this rank: version, samples, ``batches`` for worker 0 and
        ``rank_batches`` (this rank's batches over all its workers) from the current position."""
        return self._call_plan(self.request(0, num_workers))

    def batches_left(self):
        """Batches this rank gets in the next pass (what one pass of :meth:`loader` yields)."""
        self._capture_rank()
        position = self._position()
        if position >= self.samples:
            return 0 if self._resumed and self._epoch_kept else self.plan_from(0)["rank_batches"]
        return self.plan_from(position)["rank_batches"]

    def plan_from(self, position):
        """The server's plan for this rank from a global position of the current epoch."""
        return self._call_plan(dict(self.request(), position=position))

    # ---- iteration ----

    def _position(self):
        """Global position the job has consumed up to, this epoch (at most the epoch's size)."""
        _, world_size = self.rank_and_world_size()
        return min(self.samples, self.start_position + self.batches_seen * self.batch_size * world_size)

    def _begin_pass(self):
        """Main process, before a pass: continue where the epoch was consumed; a consumed epoch
        moves on to the next one, except right after set_epoch(loaded epoch). Returns whether the
        pass has batches."""
        self._capture_rank()
        self.start_position, self.batches_seen = self._position(), 0
        resumed, kept = self._resumed, self._epoch_kept
        self._resumed = self._epoch_kept = False
        if self.start_position < self.samples:
            return True
        if resumed and kept:
            return False  # the loop asked for the loaded epoch, which was already consumed
        self.epoch, self.start_position = self.epoch + 1, 0
        return True

    def _batches(self, worker, num_workers):
        """This process's part of the current pass, as dicts of CPU tensors."""
        try:
            for batch in self._client_here().stream(self.request(worker, num_workers)):
                yield to_torch(batch)
        finally:
            self._close_client()

    def _land(self, batch):
        """Pins and moves a batch to the device, then runs the deferred steps there."""
        batch = _move(batch, self.device, self.device is not None)
        return apply_client_steps(batch, self.client_steps)

    def __iter__(self):
        info = get_worker_info()
        if info is not None:  # a worker of a plain DataLoader: deferred steps run here, on CPU
            if self.start_position >= self.samples:
                return  # a loaded end-of-epoch state: call set_epoch(next epoch)
            for batch in self._batches(info.id, info.num_workers):
                yield apply_client_steps(batch, self.client_steps)
            return
        if not self._begin_pass():
            return
        for batch in self._batches(0, 1):
            self.batches_seen += 1
            yield self._land(batch)

    def loader(self, num_workers=0, **kwargs):
        """A DataLoader over the server's batches that keeps :meth:`state_dict` current.

        Workers are forked while this process has not streamed from a feed itself (its plan calls
        run in a forked helper, see :func:`mlobj_torch.client.grpc_initialised`); after a
        stream in this process (a pass with ``num_workers=0``) they are spawned, which re-runs the
        main script's top level in each worker, so the loop must then be under
        ``if __name__ == "__main__":`` (checked, with an error saying so).
        Batches are pinned, moved to the device and finished (deferred steps) in this process.
        """
        return FeedLoader(self, num_workers=num_workers, **kwargs)

    # ---- epochs and resume ----

    def set_epoch(self, epoch):
        """Starts ``epoch`` (reshuffled) from its beginning; right after :meth:`load_state_dict`
        with the loaded epoch, keeps the loaded position instead."""
        if self._resumed and epoch == self.epoch:
            self._epoch_kept = True
            return
        self._resumed = self._epoch_kept = False
        self.epoch = epoch
        self.start_position = 0
        self.batches_seen = 0

    def state_dict(self):
        """Where the job is: the global position after the batches this rank consumed.

        Ranks consume in lockstep, so the job has consumed a prefix of the epoch's global order
        of ``batches_seen * batch_size * world_size`` samples beyond the start (at most the
        epoch's size: padding repeats samples, it does not move past the end).
        """
        return {
            "dataset": self.dataset,
            "version": self.version,
            "epoch": self.epoch,
            "seed": self.seed,
            "batch_size": self.batch_size,
            "position": self._position(),
        }

    def load_state_dict(self, state):
        """Resumes where :meth:`state_dict` was taken, on any world size.

        The next pass continues the saved epoch at the saved position; ``set_epoch(saved
        epoch)`` keeps it. A state saved after the epoch's last batch resumes as the start of the
        next epoch (or, after ``set_epoch(saved epoch)``, as that epoch, with no batches left).
        """
        if state["dataset"] != self.dataset:
            raise ValueError(
                "Cannot resume %s from a state of %s: the datasets differ. Use the state saved"
                " for this dataset." % (self.dataset, state["dataset"])
            )
        if state["version"] != self.version:
            plan = self._call_plan(dict(self.request(), version=state["version"], position=0))
            self.samples = plan["samples"]
        self.version = state["version"]
        self.epoch = state["epoch"]
        self.seed = state["seed"]
        self.start_position = min(int(state["position"]), self.samples)
        self.batches_seen = 0
        self._resumed, self._epoch_kept = True, False


class _WorkerView(IterableDataset):
    """What :class:`FeedLoader` hands its DataLoader: a worker's raw batches of the pass the main
    process set up (the main process lands them and counts them)."""

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset

    def __iter__(self):
        info = get_worker_info()
        worker, num_workers = (0, 1) if info is None else (info.id, info.num_workers)
        return self.dataset._batches(worker, num_workers)


def _is_main_guard(node):
    """Whether a module-level statement is ``if __name__ == "__main__":``."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    names = [node.test.left] + list(node.test.comparators)
    texts = {n.id if isinstance(n, ast.Name) else getattr(n, "value", None) for n in names}
    return texts == {"__name__", "__main__"}


def _check_spawn_reruns_nothing(num_workers):
    """Refuses to spawn workers from a loop at a script's top level: 'spawn' re-runs it in every
    worker, which then fails with multiprocessing's bootstrapping error."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path or not os.path.exists(path):
        return
    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_globals.get("__name__") == "__main__" and frame.f_code.co_name == "<module>":
            break
        frame = frame.f_back
    if frame is None:
        return
    line = frame.f_lineno
    with open(path) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if node.lineno <= line <= (node.end_lineno or node.lineno):
            if _is_main_guard(node):
                return
            raise FeedError(
                "Cannot start %d DataLoader workers from the top level of %s (line %d): this"
                " process already streamed from a feed server (gRPC is running in it), so the"
                " workers must be spawned, and spawning re-runs the script's top level in every"
                " worker. Put the training loop under `if __name__ == \"__main__\":`, or read"
                " every pass with workers (num_workers > 0) so this process never streams"
                " itself." % (num_workers, path, line),
                "FAILED_PRECONDITION",
            )


class FeedLoader:
    """Iterates a DataLoader over a :class:`MlobjIterableDataset`, counting consumed batches.

    Each pass (``for batch in loader``) reads the dataset's current epoch from its current
    position, so ``ds.set_epoch(e)`` between passes, and :meth:`MlobjIterableDataset.state_dict`
    during one, work as with a sampler. ``len(loader)`` is the batches this rank gets.
    """

    def __init__(self, dataset, num_workers=0, **kwargs):
        if kwargs.get("persistent_workers"):
            raise ValueError(
                "Cannot use persistent_workers=True with MlobjIterableDataset.loader(): each pass"
                " sends its epoch and position when its workers start. Drop persistent_workers.")
        self.dataset = dataset
        self.num_workers = num_workers
        self.kwargs = kwargs
        dataset._capture_rank()

    def _context(self):
        if self.num_workers == 0:
            return None
        context = self.kwargs.get("multiprocessing_context")
        if context is None:
            if not grpc_initialised() and "fork" in multiprocessing.get_all_start_methods():
                return "fork"  # no import of torch per worker: the first batch comes sooner
            context = "spawn"
        method = context if isinstance(context, str) else context.get_start_method()
        if method != "fork":
            _check_spawn_reruns_nothing(self.num_workers)
        return context

    def __len__(self):
        return self.dataset.batches_left()

    def __iter__(self):
        ds = self.dataset
        if not ds._begin_pass():
            return
        if self.num_workers == 0:
            for batch in ds._batches(0, 1):
                ds.batches_seen += 1
                yield ds._land(batch)
            return
        kwargs = dict(self.kwargs, multiprocessing_context=self._context())
        loader = DataLoader(_WorkerView(ds), batch_size=None, num_workers=self.num_workers, **kwargs)
        for batch in loader:
            ds.batches_seen += 1
            yield ds._land(batch)


class MlobjMapDataset(Dataset):
    """Map-style access to one dataset version: ``ds[i]`` is the sample at global index ``i``."""

    def __init__(self, endpoint, dataset, *, token=None, version=None, columns=None, pipeline=None):
        self.endpoint = endpoint
        self.dataset = dataset
        self.token = token
        self.columns = columns
        self.pipeline = pipeline or []
        self._client = None
        self._pid = None
        probe = {"dataset": dataset, "shuffle": False, "batch_size": 1, "pipeline": self.pipeline}
        if version is not None:
            probe["version"] = version
        if columns is not None:
            probe["columns"] = list(columns)
        with FeedClient(endpoint, token) as client:  # closed: workers can fork
            plan = client.plan(probe)
        self.version = plan["version"]
        self._len = plan["samples"]

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_client"] = None
        state["_pid"] = None
        return state

    def _client_here(self):
        if self._client is None or self._pid != os.getpid():
            self._client = FeedClient(self.endpoint, self.token)
            self._pid = os.getpid()
        return self._client

    def __len__(self):
        return self._len

    def get_batch(self, indexes):
        """Several samples at once (one round trip)."""
        req = {"version": self.version, "pipeline": self.pipeline}
        if self.columns is not None:
            req["columns"] = list(self.columns)
        table = self._client_here().take(self.dataset, indexes, **req)
        return to_torch(table)

    def __getitem__(self, index):
        if index < 0:
            index += self._len
        batch = self.get_batch([index])
        return {k: (v[0] if isinstance(v, (torch.Tensor, list)) else v) for k, v in batch.items()}
