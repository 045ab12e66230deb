#!/usr/bin/env python3
"""Random access: the feed's take() of single random samples against pyarrow reading the record
batch that holds each sample straight from the S3 server, alternating sample by sample.

Starts FeedTestLauncher (an in-process S3 server with a dataset of Arrow IPC shards and a feed
server without a local cache, so every take fetches the sample's bytes from S3), then asks for
--samples random global indexes one at a time both ways, checks both return the same sample (by
id), and prints p50/p99 latency in bin/bench's result format (one JSON object per line; --out
appends them to a file).

Both sides keep what they learn about a shard's layout and read the sample's data from S3 every
time: the feed keeps file footers and record batch metadata; pyarrow keeps one open
RecordBatchFileReader per shard (which holds the footer), so neither pays a HEAD and a footer read
per sample. Both are pinned to one version, as MlobjMapDataset pins it (a take against "latest"
also looks the latest version up, and pyarrow here reads a fixed list of files). Run after
`mvn -pl trainer-feed test-compile`:

    python python/benchmarks/bench_take.py --samples 1000 --out bench/results/parts.jsonl
"""

import argparse
import json
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parents[1] / "tests"))


FORMAT_NAMES = {"arrow": "Arrow IPC", "parquet": "Parquet"}
UNIT_NAMES = {"arrow": "record batch", "parquet": "row group"}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def row_group_of(metadata, row):
    """The row group of a Parquet file holding its row number ``row``, and the row within it."""
    for group in range(metadata.num_row_groups):
        rows = metadata.row_group(group).num_rows
        if row < rows:
            return group, row
        row -= rows
    raise IndexError(row)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, default=1000, help="random samples taken each way")
    p.add_argument("--warmup", type=int, default=2000,
                   help="samples taken each way first and not timed, so that the feed server's JIT"
                        " has compiled its take path, as in a server that has been running (the S3"
                        " SDK's GET alone takes about 4,000 calls to reach its steady latency), and"
                        " both sides have opened their connections and read each shard's layout")
    p.add_argument("--shards", type=int, default=4)
    p.add_argument("--batches", type=int, default=8, help="record batches per shard")
    p.add_argument("--rows", type=int, default=1024, help="rows per record batch")
    p.add_argument("--size", type=int, default=32, help="images are uint8 [3, size, size]")
    p.add_argument("--format", choices=("arrow", "parquet"), default="arrow",
                   help="shard format; pyarrow reads the record batch (Arrow IPC) or the row group"
                        " (Parquet) that holds the sample")
    p.add_argument("--out", help="append the result lines to this file")
    args = p.parse_args()

    import numpy as np
    import pyarrow as pa
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq
    from conftest import launch
    from mlobj_torch import FeedClient

    import threading

    layout = []
    if args.format == "parquet":
        # Parquet row groups as the writer cuts them at a target of a record batch's raw image
        # bytes (it counts encoded bytes: ~5,000 rows at the defaults), not the test data's
        # default of 1 KiB (a row group per row).
        layout = ["--row-group-bytes", str(3 * args.size * args.size * args.rows)]
    proc, info = launch("--shards", str(args.shards), "--batches", str(args.batches),
                        "--rows", str(args.rows), "--size", str(args.size),
                        "--format", args.format, *layout)
    # Drain the launcher's log lines: a full pipe would block the server mid-run.
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    try:
        client = FeedClient(info["endpoint"], info["token"])
        s3 = info["s3"]
        fs = pafs.S3FileSystem(access_key=s3["access_key"], secret_key=s3["secret_key"],
                               endpoint_override=s3["endpoint"].split("://", 1)[1],
                               scheme="http", region="us-east-1")
        per_shard = args.batches * args.rows
        rng = np.random.default_rng(7)
        indexes = rng.integers(0, info["rows"], size=args.samples)
        warmup = rng.integers(0, info["rows"], size=args.warmup)
        columns = ["id", "image", "label"]

        version = info["version"]
        readers = {}

        def ours(i):
            table = client.take(info["dataset"], [i], columns=columns, version=version)
            return table.column("id")[0].as_py()

        def pyarrow_direct(i):
            key = info["shards"][i // per_shard]
            batch, row = divmod(i % per_shard, args.rows)
            if key not in readers:  # opened once per shard: a HEAD and the footer, then kept
                f = fs.open_input_file("%s/%s/%s" % (s3["bucket"], s3["prefix"], key))
                readers[key] = pa.ipc.open_file(f) if args.format == "arrow" else pq.ParquetFile(f)
            reader = readers[key]
            if args.format == "arrow":
                rb = reader.get_batch(batch).select(columns).slice(row, 1)
                return rb.column(0)[0].as_py()
            group, row = row_group_of(reader.metadata, i % per_shard)
            return reader.read_row_group(group, columns=columns).slice(row, 1).column(0)[0].as_py()

        for i in warmup:  # JIT, connections; other samples than the timed ones
            assert ours(int(i)) == pyarrow_direct(int(i))
        times = {"ours": [], "pyarrow": []}
        for k, i in enumerate(int(x) for x in indexes):
            order = [("ours", ours), ("pyarrow", pyarrow_direct)]
            if k % 2:
                order.reverse()
            got = {}
            for name, fn in order:
                t = time.perf_counter()
                got[name] = fn(i)
                times[name].append((time.perf_counter() - t) * 1000)
            if got["ours"] != got["pyarrow"] or got["ours"] != i:
                raise SystemExit("take(%d) returned id %s, pyarrow %s" % (i, got["ours"], got["pyarrow"]))
        client.close()
    finally:
        proc.stdin.close()  # asks the launcher to stop (a clean exit, e.g. for a JFR dump)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    lines = []
    for p_ in (50, 99):
        o, b = percentile(times["ours"], p_), percentile(times["pyarrow"], p_)
        lines.append(json.dumps({
            "scenario": "take 1 random sample, %s, p%d latency vs pyarrow reading its %s"
                        % (FORMAT_NAMES[args.format], p_, UNIT_NAMES[args.format]),
            "ours": o, "baseline": b, "unit": "ms", "ratio": o / b, "runs": args.samples,
            "goal": "<= 1.0", "format": args.format, "local_cache": False,
        }))
    for line in lines:
        print(line)
    if args.out:
        with open(args.out, "a") as f:
            f.write("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    main()
