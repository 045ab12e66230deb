"""feed_results.py turns bench_feed.py's latency section into bin/bench scenario lines."""

import json
import subprocess
import sys

from conftest import ROOT

SCRIPT = ROOT / "python" / "benchmarks" / "feed_results.py"


def mode(samples_per_s, requests):
    cpu = {"client": 1.0, "proxy": 2.0, "s3": 3.0, "feed_ra1": 4.0, "feed_ra4": 5.0}
    return {"samples": 1000, "samples_per_s": samples_per_s, "samples_per_s_all": [samples_per_s],
            "stored_mb_per_s": samples_per_s / 100, "requests_per_epoch": requests,
            "client_peak_rss_mb": 300.0, "cpu_ms_per_1k_samples": cpu}


def latency_results():
    settings = {
        ms: {
            "raw_get": mode(10000.0, 8),
            "pyarrow_direct": mode(4000.0, 12),
            "feed_read_ahead_1": mode(5000.0 / ms, 10),
            "feed_read_ahead_4": mode(9000.0, 10),
        }
        for ms in (1, 10)
    }
    return {"latency": {"format": "parquet_large_rg", "samples": 1000, "stored_bytes": 10 ** 6,
                        "cap_mbps": 200, "runs": 3, "default_read_ahead_shards": 4,
                        "latency_ms": {str(ms): modes for ms, modes in settings.items()}},
            "args": {"repeat": 3}}


def lines(tmp_path, results):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(results))
    out = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True,
                         check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_each_latency_and_depth_is_a_scenario_against_the_raw_get_ceiling(tmp_path):
    rows = {r["scenario"]: r for r in lines(tmp_path, latency_results())}
    depth1 = rows[
        "feed under 10 ms + 200 MB/s link, parquet_large_rg, read-ahead depth 1 vs raw GET"]
    assert depth1["ours"] == 500.0
    assert depth1["baseline"] == 10000.0
    assert depth1["ratio"] == 0.05
    assert depth1["goal"] == ">= 0.8"
    assert depth1["runs"] == 3
    assert depth1["unit"] == "samples/s"
    assert depth1["ours_requests_per_epoch"] == 10
    assert depth1["baseline_requests_per_epoch"] == 8
    # Only the processes the mode uses: the idle feed server of depth 4 is left out.
    assert depth1["ours_cpu_ms_per_1k_samples_feed_ra1"] == 4.0
    assert "ours_cpu_ms_per_1k_samples_feed_ra4" not in depth1
    assert len([s for s in rows if s.endswith("vs raw GET")]) == 4


def test_the_default_depth_is_compared_with_pyarrow_direct_at_each_latency(tmp_path):
    rows = [r for r in lines(tmp_path, latency_results())
            if r["scenario"].endswith("pyarrow_direct")]
    assert [r["scenario"] for r in rows] == [
        "feed under 1 ms + 200 MB/s link, parquet_large_rg, read-ahead depth 4 vs pyarrow_direct",
        "feed under 10 ms + 200 MB/s link, parquet_large_rg, read-ahead depth 4 vs pyarrow_direct",
    ]
    assert all(r["ratio"] == 9000.0 / 4000.0 and r["goal"] == ">= 1.0" for r in rows)


def test_results_without_a_latency_section_give_no_latency_scenarios(tmp_path):
    assert lines(tmp_path, {"modes": {}, "ratios": {}}) == []
