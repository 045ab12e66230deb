#!/usr/bin/env python3
"""Turns bench_feed.py's --out JSON into bin/bench result lines (one JSON object per line).

Every entry of its "ratios" named "<x>_vs_<y>_<metric>" (e.g. "a0_vs_c_bytes_per_s") becomes
{"scenario", "ours", "baseline", "unit", "ratio", "runs", "goal"} with mode <x> as ours and mode
<y> as the baseline, plus each side's CPU ms per 1,000 samples and peak RSS. Goals: against the
no-op Flight server (the loopback limit) >= 0.9 with the local cache and >= 0.7 without it (the
first epoch); against pyarrow reading S3 directly >= 1.0.

Its "latency" section (runs through the latency proxy) becomes one row per latency and feed
read-ahead depth against the raw GET ceiling through the same link (goal >= 0.8, as the scan's),
and one per latency for the feed at its default depth against pyarrow-direct (goal >= 1.0). When
0 ms is among the latencies (``--latency-ms 0,1,10``), also one per latency and depth against the
same feed server at 0 ms through the same link (goal >= 0.8): what latency alone costs the feed.

    python python/benchmarks/feed_results.py bench/results/feed.json >> bench/results/parts.jsonl
"""

import json
import re
import sys

METRICS = {"bytes_per_s": ("gb_per_s", "GB/s"), "samples_per_s": ("samples_per_s", "samples/s")}


def mode(modes, prefix):
    """The mode whose name is <prefix>_<description>, e.g. a0 -> a0_feed_no_local_cache."""
    for name in modes:
        if name == prefix or name.startswith(prefix + "_"):
            return name
    return None


def goal(ours, baseline):
    if "noop" in baseline:
        return ">= 0.7" if "no_local_cache" in ours else ">= 0.9"
    return ">= 1.0"


def rows(results):
    modes = results.get("modes", {})
    runs = results.get("args", {}).get("repeat", 1)
    for key in results.get("ratios", {}):
        match = re.fullmatch(r"([a-z0-9]+)_vs_([a-z0-9]+)_(bytes_per_s|samples_per_s)", key)
        if not match:
            print("feed_results: skipping ratio %s (unknown form)" % key, file=sys.stderr)
            continue
        ours, baseline = mode(modes, match.group(1)), mode(modes, match.group(2))
        if ours is None or baseline is None:
            print("feed_results: skipping ratio %s (mode missing)" % key, file=sys.stderr)
            continue
        field, unit = METRICS[match.group(3)]
        o, b = modes[ours][field], modes[baseline][field]
        yield {
            "scenario": "feed: %s vs %s" % (ours, baseline),
            "ours": o,
            "baseline": b,
            "unit": unit,
            "ratio": o / b if b else 0.0,
            "runs": runs,
            "goal": goal(ours, baseline),
            "ours_cpu_ms_per_1k_samples": modes[ours].get("cpu_ms_per_1k_samples"),
            "baseline_cpu_ms_per_1k_samples": modes[baseline].get("cpu_ms_per_1k_samples"),
            "ours_client_peak_rss_mb": modes[ours].get("client_peak_rss_mb"),
            "ours_server_peak_rss_mb": modes[ours].get("server_peak_rss_mb"),
        }


LATENCY_CEILING_GOAL = ">= 0.8"


def latency_rows(results):
    latency = results.get("latency")
    if not latency:
        return
    link = "%s MB/s" % ("%g" % latency["cap_mbps"] if latency["cap_mbps"] else "uncapped")
    default = latency["default_read_ahead_shards"]
    for ms, modes in latency["latency_ms"].items():
        where = "%s ms + %s link, %s" % (ms, link, latency["format"])
        depths = [(int(name.rsplit("_", 1)[1]), name) for name in modes
                  if name.startswith("feed_read_ahead_")]
        for depth, name in sorted(depths):
            yield latency_row(latency, modes, name, "raw_get", LATENCY_CEILING_GOAL,
                              "feed under %s, read-ahead depth %d vs raw GET" % (where, depth))
        # With 0 ms among the latencies: each depth against the same feed server through the same
        # capped link without added latency, which isolates what the latency costs from the CPU
        # the feed's pipeline needs (on a small machine the feed is CPU-bound below the link).
        unloaded = latency["latency_ms"].get("0")
        if unloaded is not None and ms != "0":
            for depth, name in sorted(depths):
                if name in unloaded:
                    yield latency_row(latency, {name: modes[name], "0ms_" + name: unloaded[name]},
                                      name, "0ms_" + name, LATENCY_CEILING_GOAL,
                                      "feed under %s, read-ahead depth %d vs the same at 0 ms"
                                      % (where, depth))
        at_default = dict(depths).get(default)
        if at_default:
            yield latency_row(latency, modes, at_default, "pyarrow_direct", ">= 1.0",
                              "feed under %s, read-ahead depth %d vs pyarrow_direct"
                              % (where, default))


def latency_row(latency, modes, ours, baseline, goal_text, scenario):
    o, b = modes[ours]["samples_per_s"], modes[baseline]["samples_per_s"]
    return {
        "scenario": scenario,
        "ours": o,
        "baseline": b,
        "unit": "samples/s",
        "ratio": o / b if b else 0.0,
        "runs": latency["runs"],
        "goal": goal_text,
        "ours_stored_mb_per_s": modes[ours]["stored_mb_per_s"],
        "baseline_stored_mb_per_s": modes[baseline]["stored_mb_per_s"],
        "ours_requests_per_epoch": modes[ours]["requests_per_epoch"],
        "baseline_requests_per_epoch": modes[baseline]["requests_per_epoch"],
        "ours_cpu_ms_per_1k_samples": own_cpu(modes[ours], ours),
        "baseline_cpu_ms_per_1k_samples": own_cpu(modes[baseline], baseline),
        "ours_client_peak_rss_mb": modes[ours].get("client_peak_rss_mb"),
    }


def own_cpu(mode, name):
    """CPU ms per 1,000 samples of the processes a mode uses: its client, the proxy, the S3
    server and, for the feed, its own server (the idle servers of other depths left out)."""
    cpu = mode.get("cpu_ms_per_1k_samples", {})
    keep = {"client", "proxy", "s3"}
    name = name[len("0ms_"):] if name.startswith("0ms_") else name
    if name.startswith("feed_read_ahead_"):
        keep.add("feed_ra" + name.rsplit("_", 1)[1])
    return {k: v for k, v in cpu.items() if k in keep}


def main():
    with open(sys.argv[1]) as f:
        results = json.load(f)
    for row in list(rows(results)) + list(latency_rows(results)):
        # Nested values (CPU by process) are flattened: the report reads flat objects.
        flat = {}
        for k, v in row.items():
            if isinstance(v, dict):
                for sub, value in v.items():
                    flat["%s_%s" % (k, sub)] = value
            else:
                flat[k] = v
        print(json.dumps(flat))


if __name__ == "__main__":
    main()
