#!/usr/bin/env python3
"""Trainer feed benchmark, side by side on the same data in one run.

  (a)  feed:    the mlobj feed server (FeedServerMain, its own JVM) -> MlobjIterableDataset
                with its defaults (cast/normalize deferred to the client: uint8 travels), the
                server deployed as a node sidecar is: with a local shard cache (--cache-dir), so
                epochs after the first read shards from local disk
  (a0) the same without the local cache: every epoch fetches every shard from the S3 server
  (a1) feed (local cache) with the whole pipeline on the server (defer=False: float32 travels)
  (b)  pyarrow: pyarrow.fs.S3FileSystem reading the same Arrow shards straight from the S3
                server, numpy shuffle and the same preprocessing in the client
  (c)  noop:    a Flight server sending the very same batches as (a) from memory, consumed
                by the same client code (the loopback limit for (a))
  (c1) noop sending the very same float32 batches as (a1) (the loopback limit for (a1))

Formats (``--suite formats``, the default runs both suites): the same 100,000 samples of
uint8[3,32,32] written by pyarrow as 10 shards in three shapes, each imported with the kernel's
Importer (not rewritten): Parquet with pyarrow's default 1,024-row groups (``parquet_small_rg``),
Parquet with one row group per shard as Spark writes (``parquet_large_rg``), and Arrow IPC with
1,024-row record batches (``arrow_ipc``); pyarrow and Spark dictionary-encode the image column
(RLE_DICTIONARY). For each, the loop of the README, run the way users run it:
``ds.loader(num_workers=2)`` with cast + normalize (deferred to the client by default), batch 256,
shuffle on (window 8192), against the feed with its local cache (``loader_cache``) and without
(``loader_no_cache``), and pyarrow reading the same shards straight from the same S3 server with
the same shuffle (shards, then samples within a shard) and preprocessing in one process
(``pyarrow_direct``). Modes alternate, repeated; medians reported, with each process's CPU ms per
1,000 samples. ``--formats`` runs some of the formats only; ``--feed-jvm-opt`` passes JVM options to
the feed servers, e.g. a JFR recording per server to profile one format:
``--feed-jvm-opt=-XX:StartFlightRecording=filename=/tmp/{server}.jfr,settings=profile``.

Under latency (``--latency-ms 1,10 --cap-mbps 200``, in suite ``all`` or alone with ``--suite
latency``): one ``LatencyProxyMain`` (test-support's FaultInjectingProxy: every request waits the
given milliseconds, all response bodies together are capped at the given MB/s) sits in front of
the S3 server; feed servers without a local cache, one per ``--read-ahead-shards`` depth (1,2,4,8)
reach S3 only through it, and so do pyarrow-direct and the ceiling, a raw parallel whole-object
GET of the same shards (``--raw-threads``), so all see the same link. Per latency, modes alternate
(a warm-up round, then ``--repeat`` rounds, medians); the README loop reads the
``--latency-format`` shards. Reported per mode: samples/s, stored MB/s over the link, GETs per
epoch (counted by the proxy).

Every mode delivers the same tensors (image float32 [3,32,32] cast/normalized/flipped, label
int32) for one epoch; each client runs in its own process so its peak RSS is its own, with one
torch thread (as in a DataLoader worker; more threads spin against the servers on a small
machine). Records the CPU seconds of every process per run. Also measures the shuffle buffer's
throughput cost and the shuffle quality. Not a test: run it by hand (after
`mvn -pl trainer-feed test-compile`):

    python python/benchmarks/bench_feed.py --samples 262144 --out bench.json
    python python/benchmarks/bench_feed.py --suite latency --latency-ms 1,10 --cap-mbps 200 \
        --out feed-latency.json
"""

import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve()
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "python" / "tests"))

MEAN, STD = 0.5, 0.25


def pipeline():
    return [
        {"op": "cast", "column": "image", "to": "float32", "scale": 1 / 255},
        {"op": "normalize", "column": "image", "mean": [MEAN] * 3, "std": [STD] * 3},
        {"op": "random_flip", "column": "image", "p": 0.5},
    ]


def split(steps):
    """(server steps, client steps) as MlobjIterableDataset splits them by default."""
    from mlobj_torch.dataset import split_pipeline

    return split_pipeline(steps, defer=True)


def request(info, args, **overrides):
    req = {
        "dataset": info["dataset"],
        "version": info["version"],
        "columns": ["image", "label"],
        "batch_size": args.batch_size,
        "seed": 1,
        "epoch": 0,
        "shuffle": True,
        "shuffle_buffer": args.shuffle_buffer,
        "pipeline": pipeline(),
    }
    req.update(overrides)
    return req


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vm_hwm_mb(pid):
    return status_mb(pid, "VmHWM")


def status_mb(pid, key):
    """A memory figure of /proc/<pid>/status in MB (VmHWM: peak RSS; RssAnon: heap and direct
    memory now; RssFile: mapped file pages now, e.g. memory-mapped cached shards, which belong to
    the OS page cache and are reclaimable)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------- children (one mode each)


def child_feed(info, args, endpoint, req, defer=True):
    from mlobj_torch import MlobjIterableDataset

    ds = MlobjIterableDataset(
        endpoint,
        info["dataset"],
        token=info["token"],
        version=req["version"],
        columns=req["columns"],
        batch_size=req["batch_size"],
        shuffle=req["shuffle"],
        shuffle_buffer=req["shuffle_buffer"],
        seed=req["seed"],
        pipeline=req["pipeline"],
        device=None,
        defer=defer,
    )
    ds.resolve()
    return consume(iter(ds))


def child_feed_server_side(info, args, endpoint, req):
    return child_feed(info, args, endpoint, req, defer=False)


def child_noop(info, args, endpoint, req):
    """Batches from the no-op server, through the same client steps as the feed's defaults."""
    from mlobj_torch import FeedClient, to_torch
    from mlobj_torch.dataset import apply_client_steps, compile_client_steps

    client = FeedClient(endpoint, info["token"])
    steps = compile_client_steps(split(req["pipeline"])[1])
    return consume(apply_client_steps(to_torch(b), steps) for b in client.stream(req))


def child_noop_server_side(info, args, endpoint, req):
    from mlobj_torch import FeedClient, to_torch

    client = FeedClient(endpoint, info["token"])
    return consume(to_torch(b) for b in client.stream(req))


def s3_filesystem(s3):
    """pyarrow's S3 client for the benchmark's S3 server (or the proxy in front of it)."""
    import pyarrow.fs as pafs

    return pafs.S3FileSystem(
        access_key=s3["access_key"],
        secret_key=s3["secret_key"],
        endpoint_override=s3["endpoint"].split("://", 1)[1],
        scheme="http",
        region="us-east-1",
    )


def pyarrow_batches(req, shards, read, flip):
    """Batches as a pyarrow loop without mlobj makes them: shards in a shuffled order, samples
    shuffled within each shard, then cast to float32, normalized and (with flip) flipped at random
    in the client. read(key) returns a shard's (images, labels) as numpy arrays."""
    import numpy as np
    import torch

    rng = np.random.default_rng(1)
    mean = np.float32(MEAN)
    inv = np.float32(1 / STD)
    shards = list(shards)
    rng.shuffle(shards)
    b = req["batch_size"]
    for key in shards:
        images, labels = read(key)
        order = rng.permutation(len(labels))
        for start in range(0, len(order), b):
            idx = order[start : start + b]
            x = images[idx].astype(np.float32) * np.float32(1 / 255)
            x = (x - mean) * inv
            if flip:
                flipped = rng.random(len(idx)) < 0.5
                x[flipped] = x[flipped][..., ::-1]
            yield {"image": torch.from_numpy(x), "label": torch.from_numpy(labels[idx])}


def child_pyarrow(info, args, endpoint, req):
    import pyarrow as pa

    s3 = info["s3"]
    fs = s3_filesystem(s3)

    def read(key):
        with fs.open_input_file("%s/%s/%s" % (s3["bucket"], s3["prefix"], key)) as f:
            table = pa.ipc.open_file(f).read_all()
        images = table.column("image").combine_chunks().to_numpy_ndarray()
        return images, table.column("label").to_numpy()

    return consume(pyarrow_batches(req, info["shards"], read, flip=True))


def user_pipeline():
    """The README's preprocessing: cast to float32 in [0, 1], then normalize."""
    return [
        {"op": "cast", "column": "image", "to": "float32", "scale": 1 / 255},
        {"op": "normalize", "column": "image", "mean": [MEAN] * 3, "std": [STD] * 3},
    ]


def child_loader(info, args, endpoint, req):
    """The README's loop: ds.loader(num_workers=2), the DataLoader workers streaming."""
    from mlobj_torch import MlobjIterableDataset

    ds = MlobjIterableDataset(
        endpoint,
        req["dataset"],
        token=info["token"],
        version=req["version"],
        columns=["image", "label"],
        batch_size=req["batch_size"],
        shuffle=True,
        shuffle_buffer=req["shuffle_buffer"],
        seed=req["seed"],
        pipeline=user_pipeline(),
        device=None,
    )
    return consume(iter(ds.loader(num_workers=args.loader_workers)))


def child_pyarrow_direct(info, args, endpoint, req):
    """pyarrow reading the same shards from S3 in one process, same shuffle and preprocessing."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    s3 = info["s3"]
    fs = s3_filesystem(s3)

    def images_of(column):
        column = column.combine_chunks()
        if isinstance(column.type, pa.BaseExtensionType):
            return column.to_numpy_ndarray()
        size = column.type.list_size
        return column.flatten().to_numpy().reshape(len(column), size)

    def read(key):
        with fs.open_input_file("%s/%s/%s" % (s3["bucket"], req["prefix"], key)) as f:
            if key.endswith(".parquet"):
                table = pq.read_table(f, columns=["image", "label"])
            else:
                table = pa.ipc.open_file(f).read_all().select(["image", "label"])
        return images_of(table.column("image")), table.column("label").to_numpy()

    return consume(pyarrow_batches(req, req["shards"], read, flip=False))


def child_raw_get(info, args, endpoint, req):
    """The link's ceiling: every shard's stored bytes by whole-object GETs on parallel threads,
    nothing decoded (pyarrow's C++ S3 client releases the GIL while it waits)."""
    from concurrent.futures import ThreadPoolExecutor

    s3 = info["s3"]
    fs = s3_filesystem(s3)
    paths = ["%s/%s/%s" % (s3["bucket"], req["prefix"], key) for key in req["shards"]]

    def get(path):
        with fs.open_input_file(path) as f:
            return len(f.read())

    start = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    with ThreadPoolExecutor(req["raw_threads"]) as pool:
        nbytes = sum(pool.map(get, paths))
    seconds = time.perf_counter() - start
    end = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = end.ru_utime - cpu.ru_utime + end.ru_stime - cpu.ru_stime
    return {"samples": req["rows"], "bytes": nbytes, "seconds": seconds, "client_cpu_s": cpu_s}


def write_format_shards(root, samples, shards, seed=3):
    """The same samples as pyarrow writes them: Parquet with small and with large row groups
    (both pyarrow's defaults otherwise: dictionary-encoded, snappy), and Arrow IPC."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    per = samples // shards
    tensor = pa.fixed_shape_tensor(pa.uint8(), [3, 32, 32])
    dirs = {name: root / name for name in ("parquet_small_rg", "parquet_large_rg", "arrow_ipc")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    for s in range(shards):
        images = rng.integers(0, 256, size=(per, 3 * 32 * 32), dtype=np.uint8)
        storage = pa.FixedSizeListArray.from_arrays(pa.array(images.ravel()), 3 * 32 * 32)
        table = pa.table({
            "id": pa.array(np.arange(s * per, (s + 1) * per, dtype=np.int64)),
            "image": pa.ExtensionArray.from_storage(tensor, storage),
            "label": pa.array(rng.integers(0, 10, per, dtype=np.int32)),
        })
        name = "part-%05d" % s
        pq.write_table(table, dirs["parquet_small_rg"] / (name + ".parquet"), row_group_size=1024)
        pq.write_table(table, dirs["parquet_large_rg"] / (name + ".parquet"), row_group_size=per)
        with pa.ipc.new_file(dirs["arrow_ipc"] / (name + ".arrow"), table.schema) as w:
            w.write_table(table, max_chunksize=1024)
    return dirs


def consume(batches):
    start = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    samples = 0
    nbytes = 0
    for batch in batches:
        samples += len(batch["label"])
        nbytes += batch["image"].numel() * batch["image"].element_size()
        nbytes += batch["label"].numel() * batch["label"].element_size()
    seconds = time.perf_counter() - start
    end = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = end.ru_utime - cpu.ru_utime + end.ru_stime - cpu.ru_stime
    return {"samples": samples, "bytes": nbytes, "seconds": seconds, "client_cpu_s": cpu_s}


def child_ids(info, args, endpoint, req):
    from mlobj_torch import FeedClient

    client = FeedClient(endpoint, info["token"])
    ids = []
    for batch in client.stream(req):
        ids.extend(batch.column(0).to_pylist())
    return {"ids": ids}


CHILDREN = {
    "feed": child_feed,
    "feed_server_side": child_feed_server_side,
    "noop_server_side": child_noop_server_side,
    "noop": child_noop,
    "pyarrow": child_pyarrow,
    "ids": child_ids,
    "loader": child_loader,
    "pyarrow_direct": child_pyarrow_direct,
    "raw_get": child_raw_get,
}


def run_child(mode, info, args, endpoint, req):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"info": info, "endpoint": endpoint, "request": req, "args": vars(args)}, f)
    servers = [p for p in SERVERS.values() if p is not None]
    before = [cpu_seconds(p.pid) for p in servers]
    jit_before = [jit_cpu_seconds(p.pid) for p in servers]
    out = subprocess.run(
        [sys.executable, str(HERE), "--child", mode, "--child-input", f.name],
        capture_output=True, text=True,
    )
    if out.returncode != 0:
        raise RuntimeError("Benchmark client %s failed:\n%s" % (mode, out.stderr[-3000:]))
    os.unlink(f.name)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    named = [(k, v) for k, v in SERVERS.items() if v is not None]
    for (name, proc), cpu, jit in zip(named, before, jit_before):
        result[name + "_cpu_s"] = cpu_seconds(proc.pid) - cpu
        # Of which the JIT compiler threads: a JVM still warming up (short epochs) spends much of
        # its CPU there, which a long-running server does not.
        result[name + "_jit_cpu_s"] = jit_cpu_seconds(proc.pid) - jit
    return result


# The server processes whose CPU time each run records (the feed, the no-op server, S3).
SERVERS = {"feed": None, "feed0": None, "noop": None, "noop1": None, "s3": None}


def jit_cpu_seconds(pid):
    """User + system CPU seconds of a JVM's JIT compiler threads so far (Linux /proc)."""
    total = 0
    for task in pathlib.Path("/proc/%d/task" % pid).iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        comm, fields = stat.split("(", 1)[1].rsplit(")", 1)
        if comm.startswith(("C1 CompilerThre", "C2 CompilerThre")):
            rest = fields.split()
            total += int(rest[11]) + int(rest[12])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- orchestration


LOGS = pathlib.Path(tempfile.mkdtemp(prefix="mlobj-bench-"))


JAVA_FLAGS = ["--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx2g", "-XX:+UseParallelGC"]


def java(cp, main, *args, stdin=subprocess.PIPE, extra_flags=()):
    flags = list(JAVA_FLAGS) + list(extra_flags)
    if any(f.startswith("-XX:+Use") and f.endswith("GC") for f in extra_flags):
        flags.remove("-XX:+UseParallelGC")  # an extra flag chooses the collector
    log = open(LOGS / ("%s-%d.log" % (main.rsplit(".", 1)[-1], len(list(LOGS.iterdir())))), "w")
    return subprocess.Popen(
        ["java", *flags, "-cp", cp, main, *args],
        stdin=stdin, stdout=subprocess.PIPE, stderr=log, text=True,
    )


def snapshot_classpath(cp):
    """Copies the work tree's class directories aside, so a rebuild while the benchmark runs
    (mvn recompiles target/classes in place) cannot break the JVMs it started."""
    import shutil

    entries = []
    for i, entry in enumerate(cp.split(":")):
        path = pathlib.Path(entry)
        if path.is_dir() and ROOT in path.parents:
            copy = LOGS / "classpath" / str(i)
            shutil.copytree(path, copy)
            entries.append(str(copy))
        else:
            entries.append(entry)
    return ":".join(entries)


def crt_classpath():
    """The AWS CRT HTTP client's jars (optional kernel dependencies) from the local Maven
    repository, at the versions the root pom names."""
    import re

    pom = (ROOT / "pom.xml").read_text()
    sdk = re.search(r"<awssdk.version>([^<]+)<", pom).group(1)
    crt = re.search(r"<awscrt.version>([^<]+)<", pom).group(1)
    repo = pathlib.Path.home() / ".m2" / "repository" / "software" / "amazon" / "awssdk"
    jars = [repo / "aws-crt-client" / sdk / ("aws-crt-client-%s.jar" % sdk),
            repo / "crt" / "aws-crt" / crt / ("aws-crt-%s.jar" % crt)]
    missing = [str(j) for j in jars if not j.exists()]
    if missing:
        raise SystemExit("--compare-crt needs %s (mvn -o dependency:resolve in arrow-bridge)"
                         % ", ".join(missing))
    return ":".join(str(j) for j in jars)


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def first_json(proc):
    """The first stdout line of a launched process that is a JSON object (logs may come first)."""
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(
                "Cannot start %s: it exited with %s; see the logs in %s"
                % (proc.args[6], proc.wait(), LOGS)
            )
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass


def quality(ids, rows_per_block):
    import numpy as np

    order = np.asarray(ids)
    n = len(order)
    pos = np.arange(n)
    rho = 1 - 6 * np.sum((order - pos).astype(np.float64) ** 2) / (n * (n * n - 1.0))
    blocks = order // rows_per_block
    same = float(np.mean(blocks[1:] == blocks[:-1]))
    tail = order[n - n // 10 :]
    counts = np.bincount(tail * 10 // n, minlength=10)
    expected = len(tail) / 10
    chi = float(np.sum((counts - expected) ** 2 / expected) / 9)
    return {"spearman": float(rho), "same_block_adjacency": same, "tail_chi2_per_dof": chi}


def run_formats(info, args, feed_endpoint, feed0_endpoint):
    """The README loop vs pyarrow-direct on every imported shard format, alternating."""
    plan = []
    for fmt, imp in info["imports"].items():
        if fmt == LATENCY_TWIN or (args.formats and fmt not in args.formats):
            continue
        req = {"dataset": imp["dataset"], "version": imp["version"], "prefix": imp["prefix"],
               "shards": imp["shards"], "batch_size": args.batch_size,
               "shuffle_buffer": args.shuffle_buffer, "seed": 1}
        plan += [(fmt, "loader_cache", "loader", feed_endpoint, req),
                 (fmt, "loader_no_cache", "loader", feed0_endpoint, req),
                 (fmt, "pyarrow_direct", "pyarrow_direct", None, req)]
    runs = {(fmt, mode): [] for fmt, mode, _, _, _ in plan}
    # One warm-up round: the JVM compiles its hot paths, the cache fills.
    for fmt, mode, child, endpoint, req in plan:
        run_child(child, info, args, endpoint, req)
    for _ in range(args.repeat):
        for fmt, mode, child, endpoint, req in plan:
            runs[(fmt, mode)].append(run_child(child, info, args, endpoint, req))
    out = {}
    print("| shards | mode | samples/s (median) | all runs | vs pyarrow_direct "
          "| CPU ms/1k samples (feed, feed0, client) |")
    print("|---|---|---:|---|---:|---|")
    for (fmt, mode), rs in runs.items():
        rates = sorted(r["samples"] / r["seconds"] for r in rs)
        out.setdefault(fmt, {})[mode] = {
            "samples": rs[0]["samples"],
            "samples_per_s": median(rates),
            "samples_per_s_all": rates,
            # CPU seconds per 1000 samples, by process (median over the runs): on a shared
            # machine a steadier comparison than samples/s.
            "cpu_ms_per_1k_samples": {
                key[: -len("_cpu_s")]: median([r[key] for r in rs]) * 1e6 / rs[0]["samples"]
                for key in rs[0] if key.endswith("_cpu_s")
            },
        }
    for fmt, modes in out.items():
        base = modes["pyarrow_direct"]["samples_per_s"]
        for mode, m in modes.items():
            m["vs_pyarrow_direct"] = m["samples_per_s"] / base
            cpu = m["cpu_ms_per_1k_samples"]
            print("| %s | %s | %.0f | %s | %.2fx | %s |" % (
                fmt, mode, m["samples_per_s"], " ".join("%.0f" % r for r in m["samples_per_s_all"]),
                m["vs_pyarrow_direct"],
                " ".join("%.0f" % cpu.get(k, float("nan")) for k in ("feed", "feed0", "client"))))
    sys.stdout.flush()
    return out


# The feed server's read-ahead depth when --read-ahead-shards is not given (FeedServerMain).
DEFAULT_READ_AHEAD_SHARDS = 4

# A second import of the --latency-format shards. A feed server keeps fetched shards in memory
# up to its read-ahead byte cap, least recently used out first, so an epoch re-reading the same
# dataset would hit memory instead of the link; the runs alternate between the two imports, each
# at least as large as the cap, so every epoch fetches every shard.
LATENCY_TWIN = "latency_twin"


def parse_bytes(text):
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    text = text.strip().lower()
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def run_latency(info, args, cp, tmp):
    """The README loop (feed without a local cache: every epoch fetches from S3), pyarrow-direct
    and the raw GET ceiling, all through one LatencyProxyMain (per-request latency and a bandwidth
    cap shared by all connections), at each latency and read-ahead depth, alternating."""
    fmt = args.latency_format
    imp = info["imports"][fmt]
    twin = info["imports"][LATENCY_TWIN]
    proxy = java(cp, "io.mlobj.feed.bench.LatencyProxyMain", info["s3"]["endpoint"],
                 str(int(args.cap_mbps * 1e6)))
    SERVERS["proxy"] = proxy
    link = first_json(proxy)["endpoint"]

    def command(line):
        proxy.stdin.write(line + "\n")
        proxy.stdin.flush()
        return first_json(proxy)

    conf = dict(info["conf"], **{"fs.s3a.endpoint": link})
    (tmp / "latency.properties").write_text("".join("%s=%s\n" % kv for kv in conf.items()))
    feeds = {}
    try:
        for depth in args.read_ahead_shards:
            server = java(cp, "io.mlobj.feed.FeedServerMain",
                          "--token-file", str(tmp / "token"),
                          "--conf-file", str(tmp / "latency.properties"),
                          "--read-ahead", args.latency_read_ahead,
                          "--read-ahead-shards", str(depth),
                          "--prepare-threads", str(args.prepare_threads))
            SERVERS["feed_ra%d" % depth] = server
            feeds[depth] = (server, first_json(server)["endpoint"])
        through_link = dict(info, s3=dict(info["s3"], endpoint=link))
        reqs = [{"dataset": i["dataset"], "version": i["version"], "prefix": i["prefix"],
                 "shards": i["shards"], "rows": i["rows"], "batch_size": args.batch_size,
                 "shuffle_buffer": args.shuffle_buffer, "seed": 1, "raw_threads": args.raw_threads}
                for i in (imp, twin)]
        turns = {}
        plan = [("raw_get", "raw_get", None), ("pyarrow_direct", "pyarrow_direct", None)]
        plan += [("feed_read_ahead_%d" % d, "loader", feeds[d][1]) for d in feeds]
        settings = {}
        for latency in args.latency_ms:
            runs = {name: [] for name, _, _ in plan}

            def once(name, child, endpoint):
                # A fresh rule per run: each fires a bounded number of times.
                command("latency %d" % latency)
                before = command("requests")["requests"]
                turns[name] = turns.get(name, 0) + 1
                r = run_child(child, through_link, args, endpoint, reqs[turns[name] % 2])
                r["requests"] = command("requests")["requests"] - before
                return r

            for name, child, endpoint in plan:  # warm-up: JIT, connection pools
                once(name, child, endpoint)
            for _ in range(args.repeat):
                for name, child, endpoint in plan:
                    runs[name].append(once(name, child, endpoint))
            stored = runs["raw_get"][0]["bytes"]
            if stored < parse_bytes(args.latency_read_ahead):
                print("bench_feed: the shards (%d bytes) fit the feed's read-ahead cap (%s): it "
                      "reads some from memory, not the link; raise --format-samples or lower "
                      "--latency-read-ahead" % (stored, args.latency_read_ahead), file=sys.stderr)
            modes = {}
            for name, rs in runs.items():
                rates = sorted(r["samples"] / r["seconds"] for r in rs)
                modes[name] = {
                    "samples": rs[0]["samples"],
                    "samples_per_s": median(rates),
                    "samples_per_s_all": rates,
                    # Stored (S3) bytes per second: what crossed the link.
                    "stored_mb_per_s": median(rates) * stored / rs[0]["samples"] / 1e6,
                    "requests_per_epoch": median([r["requests"] for r in rs]),
                    "client_peak_rss_mb": max(r["client_peak_rss_mb"] for r in rs),
                    "cpu_ms_per_1k_samples": {
                        key[: -len("_cpu_s")]: median([r[key] for r in rs]) * 1e6 / rs[0]["samples"]
                        for key in rs[0] if key.endswith("_cpu_s")
                    },
                }
            settings[str(latency)] = modes
        command("latency 0")
    finally:
        for server, _ in feeds.values():
            server.terminate()
        proxy.stdin.close()
        for proc in [s for s, _ in feeds.values()] + [proxy]:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for key in [k for k in SERVERS if k == "proxy" or k.startswith("feed_ra")]:
            del SERVERS[key]
    out = {"format": fmt, "samples": imp["rows"], "stored_bytes": stored,
           "cap_mbps": args.cap_mbps, "raw_threads": args.raw_threads,
           "loader_workers": args.loader_workers, "read_ahead": args.latency_read_ahead,
           "read_ahead_shards": list(feeds), "default_read_ahead_shards": DEFAULT_READ_AHEAD_SHARDS,
           "runs": args.repeat, "latency_ms": settings}
    print("| latency | mode | samples/s (median) | stored MB/s | vs raw GET | GETs per epoch |")
    print("|---|---|---:|---:|---:|---:|")
    for latency, modes in settings.items():
        ceiling = modes["raw_get"]["samples_per_s"]
        for name, m in modes.items():
            print("| %s ms | %s | %.0f | %.1f | %.2f | %d |" % (
                latency, name, m["samples_per_s"], m["stored_mb_per_s"],
                m["samples_per_s"] / ceiling, m["requests_per_epoch"]))
    sys.stdout.flush()
    return out


def csv_ints(text):
    return [int(v) for v in text.split(",") if v.strip()]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--samples", type=int, default=262144)
    p.add_argument("--shards", type=int, default=8)
    p.add_argument("--rows-per-batch", type=int, default=1024, help="rows per record batch")
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--shuffle-buffer", type=int, default=8192)
    p.add_argument("--repeat", type=int, default=3, help="runs per mode (median reported)")
    p.add_argument("--prepare-threads", type=int, default=2)
    p.add_argument("--torch-threads", type=int, default=1,
                   help="torch intra-op threads in each client (1, as in a DataLoader worker)")
    p.add_argument("--zero-copy", action="store_true",
                   help="both Flight servers send with arrow.flight.enable_zero_copy_write=true")
    p.add_argument("--suite", choices=("all", "formats", "ipc", "latency"), default="all",
                   help="formats: the README loop on Parquet/IPC shards written by pyarrow; "
                        "ipc: the launcher's Arrow IPC dataset, every mode; "
                        "latency: only the runs through the latency proxy (see --latency-ms)")
    p.add_argument("--format-samples", type=int, default=100000)
    p.add_argument("--format-shards", type=int, default=10)
    p.add_argument("--loader-workers", type=int, default=2)
    p.add_argument("--formats", type=lambda t: t.split(","), default=[],
                   help="the formats suite's shard formats to run (default: all), e.g. "
                        "parquet_large_rg,parquet_small_rg")
    p.add_argument("--feed-jvm-opt", action="append", default=[],
                   help="an extra JVM option of the feed servers (repeatable); {server} becomes "
                        "feed or feed0, e.g. -XX:StartFlightRecording=filename=/tmp/{server}.jfr,"
                        "settings=profile")
    p.add_argument("--latency-ms", type=csv_ints, default=[],
                   help="per-request latencies, e.g. 1,10: run the feed (no local cache),"
                        " pyarrow-direct and a raw parallel GET through a FaultInjectingProxy with"
                        " each latency and --cap-mbps (suite all or latency)")
    p.add_argument("--cap-mbps", type=float, default=200,
                   help="the proxy's bandwidth cap in MB/s, all connections together (0: none)")
    p.add_argument("--read-ahead-shards", type=csv_ints, default=[1, 2, 4, 8],
                   help="the feed servers' --read-ahead-shards depths compared under latency")
    p.add_argument("--latency-read-ahead", default="256m",
                   help="the feed servers' --read-ahead byte cap under latency")
    p.add_argument("--latency-format", default="parquet_large_rg",
                   choices=("parquet_small_rg", "parquet_large_rg", "arrow_ipc"),
                   help="which of the formats suite's shards are read under latency")
    p.add_argument("--raw-threads", type=int, default=8,
                   help="parallel whole-object GETs of the raw ceiling")
    p.add_argument("--modes", type=lambda t: t.split(","), default=[],
                   help="suite ipc: run only these modes (by prefix, e.g. a0,c to profile the"
                        " first epoch against its limit); leaves out the shuffle runs")
    p.add_argument("--compare-crt", action="store_true",
                   help="suite ipc: also run (a2) a feed server without a local cache fetching"
                        " through the AWS CRT HTTP client (mlobj.s3.http-client=crt)")
    p.add_argument("--out", help="write the results as JSON here")
    p.add_argument("--child")
    p.add_argument("--child-input")
    args = p.parse_args()

    if args.child:
        with open(args.child_input) as f:
            data = json.load(f)
        import torch

        torch.set_num_threads(data["args"]["torch_threads"])
        result = CHILDREN[args.child](data["info"], args, data["endpoint"], data["request"])
        result["client_peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return

    from conftest import feed_classpath

    cp = snapshot_classpath(feed_classpath())
    if args.zero_copy:
        JAVA_FLAGS.append("-Darrow.flight.enable_zero_copy_write=true")
    batches = max(1, args.samples // (args.shards * args.rows_per_batch))
    if args.suite == "latency" and not args.latency_ms:
        p.error("--suite latency needs --latency-ms, e.g. --latency-ms 1,10")
    if args.suite == "ipc" and args.latency_ms:
        p.error("--latency-ms reads the formats suite's shards: use --suite all or latency")
    imports = []
    if args.suite in ("all", "formats", "latency"):
        dirs = write_format_shards(LOGS / "shards", args.format_samples, args.format_shards)
        for name, d in dirs.items():
            if args.suite != "latency" or name == args.latency_format:
                imports += ["--import", "%s=%s" % (name, d)]
            if args.latency_ms and name == args.latency_format:
                imports += ["--import", "%s=%s" % (LATENCY_TWIN, d)]
    if args.suite in ("formats", "latency"):  # the launcher's own dataset is not used: keep it tiny
        args.shards, batches, args.rows_per_batch = 1, 1, 8
    launcher = java(
        cp, "io.mlobj.feed.FeedTestLauncher", "--no-feed",
        "--shards", str(args.shards), "--batches", str(batches),
        "--rows", str(args.rows_per_batch), "--size", str(args.size), *imports,
    )
    info = first_json(launcher)
    SERVERS["s3"] = launcher
    tmp = pathlib.Path(tempfile.mkdtemp())
    (tmp / "conf.properties").write_text("".join("%s=%s\n" % kv for kv in info["conf"].items()))
    (tmp / "token").write_text("bench-token")
    info["token"] = "bench-token"
    feed_args = [
        "--token-file", str(tmp / "token"), "--conf-file", str(tmp / "conf.properties"),
        "--read-ahead", "256m", "--read-ahead-shards", "4",
        "--prepare-threads", str(args.prepare_threads),
    ]
    feed = feed0 = None

    def feed_flags(server):
        return [opt.replace("{server}", server) for opt in args.feed_jvm_opt]

    if args.suite != "latency":  # the latency runs start their own feed servers

        feed = java(cp, "io.mlobj.feed.FeedServerMain", *feed_args,
                    "--cache-dir", str(tmp / "cache"), "--cache-size", "4g",
                    extra_flags=feed_flags("feed"))
        feed_info = first_json(feed)
        SERVERS["feed"] = feed
        feed_endpoint = feed_info["endpoint"]
        feed0 = java(cp, "io.mlobj.feed.FeedServerMain", *feed_args,
                     extra_flags=feed_flags("feed0"))
        feed0_endpoint = first_json(feed0)["endpoint"]
        SERVERS["feed0"] = feed0
    feed0crt = None
    if args.compare_crt:
        # The same as feed0 but fetching through the AWS CRT HTTP client (mlobj.s3.http-client):
        # its jars are optional dependencies of the kernel, taken from the local Maven repository.
        (tmp / "crt.properties").write_text(
            (tmp / "conf.properties").read_text() + "mlobj.s3.http-client=crt\n")
        crt_args = [a if a != str(tmp / "conf.properties") else str(tmp / "crt.properties")
                    for a in feed_args]
        feed0crt = java(cp + ":" + crt_classpath(), "io.mlobj.feed.FeedServerMain", *crt_args,
                        extra_flags=feed_flags("feed0crt"))
        feed0crt_endpoint = first_json(feed0crt)["endpoint"]
        SERVERS["feed0crt"] = feed0crt
    req = request(info, args)
    # What (a) asks the server for (the deferred steps stay on the client), and what (a1) asks.
    (tmp / "request.json").write_text(json.dumps(dict(req, pipeline=split(req["pipeline"])[0])))
    (tmp / "request1.json").write_text(json.dumps(req))
    noop = noop1 = None
    if args.suite in ("all", "ipc"):  # the no-op servers hold 512 MB of batches: only when used
        noop = java(cp, "io.mlobj.feed.bench.NoOpFlightServer",
                    str(feed_info["port"]), "bench-token", str(tmp / "request.json"))
        noop_endpoint = "grpc+tcp://127.0.0.1:%d" % first_json(noop)["port"]
        noop1 = java(cp, "io.mlobj.feed.bench.NoOpFlightServer",
                     str(feed_info["port"]), "bench-token", str(tmp / "request1.json"))
        noop1_endpoint = "grpc+tcp://127.0.0.1:%d" % first_json(noop1)["port"]
        SERVERS["noop"] = noop
        SERVERS["noop1"] = noop1
    try:
        if args.suite == "latency":
            results = {"latency": run_latency(info, args, cp, tmp), "args": {"repeat": args.repeat}}
            if args.out:
                pathlib.Path(args.out).write_text(json.dumps(results, indent=2))
            return
        if args.suite in ("all", "formats"):
            formats = run_formats(info, args, feed_endpoint, feed0_endpoint)
            if args.suite == "formats":
                if args.out:
                    pathlib.Path(args.out).write_text(json.dumps({"formats": formats}, indent=2))
                return
        results = {"samples": info["rows"], "batch_size": args.batch_size,
                   "shuffle_buffer": args.shuffle_buffer, "cpus": os.cpu_count(),
                   "args": {"repeat": args.repeat}}
        # Modes interleaved, repeated: on a shared machine single runs are noise.
        plan = [
            ("a_feed", "feed", feed_endpoint),
            ("a0_feed_no_local_cache", "feed", feed0_endpoint),
            ("a1_feed_all_steps_on_server", "feed_server_side", feed_endpoint),
            *([("a2_feed_no_local_cache_crt", "feed", feed0crt_endpoint)] if feed0crt else []),
            ("b_pyarrow_s3", "pyarrow", None),
            ("c_noop_flight", "noop", noop_endpoint),
            ("c1_noop_flight_float32", "noop_server_side", noop1_endpoint),
        ]
        if args.modes:
            plan = [m for m in plan if m[0].split("_", 1)[0] in args.modes]
        runs = {name: [] for name, _, _ in plan}
        # Warm-up: the JVMs compile their hot paths during the first epochs.
        for _ in range(2):
            for name, child, endpoint in plan:
                if endpoint is not None:
                    run_child(child, info, args, endpoint, req)
        for _ in range(args.repeat):
            for name, child, endpoint in plan:
                runs[name].append(run_child(child, info, args, endpoint, req))
        modes = {}
        for name, rs in runs.items():
            rates = sorted(r["samples"] / r["seconds"] for r in rs)
            nbytes = rs[0]["bytes"]
            modes[name] = {
                "samples": rs[0]["samples"],
                "bytes": nbytes,
                "samples_per_s": median(rates),
                "samples_per_s_all": rates,
                "gb_per_s": median(rates) * nbytes / rs[0]["samples"] / 1e9,
                "client_peak_rss_mb": max(r["client_peak_rss_mb"] for r in rs),
                # CPU seconds per 1000 samples, by process (median over the runs).
                "cpu_ms_per_1k_samples": {
                    key[: -len("_cpu_s")]: median([r[key] for r in rs]) * 1e6 / rs[0]["samples"]
                    for key in rs[0] if key.endswith("_cpu_s")
                },
            }
        peaks = {"a_feed": feed, "a0_feed_no_local_cache": feed0,
                 "a2_feed_no_local_cache_crt": feed0crt,
                 "a1_feed_all_steps_on_server": feed, "b_pyarrow_s3": launcher,
                 "c_noop_flight": noop, "c1_noop_flight_float32": noop1}
        for name, proc in peaks.items():
            if name in modes:
                modes[name]["server_peak_rss_mb"] = vm_hwm_mb(proc.pid)
        for name, proc in (("a_feed", feed), ("a0_feed_no_local_cache", feed0)):
            if name in modes:
                modes[name]["server_rss_anon_mb"] = status_mb(proc.pid, "RssAnon")
                modes[name]["server_rss_file_mb"] = status_mb(proc.pid, "RssFile")
        results["modes"] = modes

        # Every mode delivers the same tensors: delivered bytes/s and samples/s are proportional.
        results["ratios"] = {
            "%s_vs_%s_%s" % (a.split("_", 1)[0], b.split("_", 1)[0], unit):
                modes[a][key] / modes[b][key]
            for a, b, key, unit in [
                ("a_feed", "c_noop_flight", "gb_per_s", "bytes_per_s"),
                ("a_feed", "b_pyarrow_s3", "samples_per_s", "samples_per_s"),
                ("a0_feed_no_local_cache", "c_noop_flight", "gb_per_s", "bytes_per_s"),
                ("a0_feed_no_local_cache", "b_pyarrow_s3", "samples_per_s", "samples_per_s"),
                ("a1_feed_all_steps_on_server", "c1_noop_flight_float32", "gb_per_s",
                 "bytes_per_s"),
                ("a1_feed_all_steps_on_server", "b_pyarrow_s3", "samples_per_s", "samples_per_s"),
                ("a2_feed_no_local_cache_crt", "c_noop_flight", "gb_per_s", "bytes_per_s"),
                ("a2_feed_no_local_cache_crt", "a0_feed_no_local_cache", "samples_per_s",
                 "samples_per_s"),
            ]
            if a in modes and b in modes
        }
        print("| mode | samples/s (median) | all runs | GB/s | client peak RSS MB | server peak RSS MB "
              "| CPU ms per 1k samples: client / feed / noop / S3 |")
        print("|---|---:|---|---:|---:|---:|---|")
        for name, m in results["modes"].items():
            cpu = m["cpu_ms_per_1k_samples"]
            print("| %s | %.0f | %s | %.3f | %.0f | %.0f | %s |" % (
                name, m["samples_per_s"], " ".join("%.0f" % r for r in m["samples_per_s_all"]),
                m["gb_per_s"], m["client_peak_rss_mb"], m["server_peak_rss_mb"],
                " / ".join("%.1f" % sum(cpu.get(k + x, 0) for x in ("", "0", "1", "0crt"))
                           for k in ("client", "feed", "noop", "s3"))))
        print("ratios: %s" % json.dumps(results["ratios"]))
        for name, m in results["modes"].items():
            cpu = m["cpu_ms_per_1k_samples"]
            jit = {k[: -len("_jit")]: v for k, v in cpu.items() if k.endswith("_jit") and v > 0.5}
            if jit:
                print("%s: of the CPU ms per 1k samples, JIT compiler threads: %s" % (
                    name, ", ".join("%s %.1f of %.1f" % (k, v, cpu[k]) for k, v in jit.items())))
        for name in (n for n in ("a_feed", "a0_feed_no_local_cache") if n in modes):
            print("%s server RSS now: anonymous %.0f MB, mapped files %.0f MB" % (
                name, modes[name]["server_rss_anon_mb"], modes[name]["server_rss_file_mb"]))
        # The shuffle buffer's cost and quality (not when only some modes run).
        shuffle = {}
        for label, over in [] if args.modes else [
            ("no shuffle", {"shuffle": False}),
            ("buffer 1024", {"shuffle_buffer": 1024}),
            ("buffer 8192", {"shuffle_buffer": 8192}),
            # The whole epoch when it fits the server's default 1 GiB memory cap decoded.
            ("buffer %d" % min(info["rows"], 65536), {"shuffle_buffer": min(info["rows"], 65536)}),
        ]:
            rates = []
            for _ in range(args.repeat):
                r = run_child("feed", info, args, feed_endpoint, request(info, args, **over))
                rates.append(r["samples"] / r["seconds"])
            q = run_child("ids", info, args, feed_endpoint,
                          request(info, args, columns=["id"], pipeline=[], **over))
            shuffle[label] = {
                "samples_per_s": median(rates),
                **quality(q["ids"], args.rows_per_batch),
            }
        if shuffle:
            results["shuffle"] = shuffle
        results["server_metrics"] = __import__("mlobj_torch").FeedClient(
            feed_endpoint, "bench-token").metrics()
        if args.latency_ms:
            results["latency"] = run_latency(info, args, cp, tmp)
    finally:
        for proc in (noop, noop1, feed, feed0, feed0crt):
            if proc is not None:
                proc.terminate()
        launcher.stdin.close()
        for proc in (p for p in (noop, noop1, feed, feed0, feed0crt, launcher) if p is not None):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    print("| shuffle | samples/s | spearman | same-block adjacency | tail chi2/dof |")
    print("|---|---:|---:|---:|---:|")
    for name, s in results.get("shuffle", {}).items():
        print("| %s | %.0f | %.3f | %.3f | %.2f |" % (
            name, s["samples_per_s"], s["spearman"], s["same_block_adjacency"], s["tail_chi2_per_dof"]))
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
