package io.mlobj.bench;

import io.mlobj.testing.BenchResults;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java scenarios of {@code bin/bench}, one after the other in one JVM, each recording its
 * results through {@link BenchResults}: commit latency, scan and write against raw S3 calls, the
 * CRT against the Apache HTTP client, a million shards, and scans under network latency. {@code
 * --quick} runs every scenario at a size that takes seconds (what CI runs so the suite keeps
 * working); the full sizes are the ones in docs/PERFORMANCE.md.
 *
 * <pre>{@code
 * java -Dmlobj.bench.out=bench/results/parts.jsonl ... io.mlobj.bench.BenchSuite --quick
 * java ... io.mlobj.bench.BenchSuite --only=scan,latency
 * }</pre>
 */
public final class BenchSuite {
  private BenchSuite() {}

  /** A scenario: its name, how to run it, its arguments at full and at quick size. */
  record Scenario(String name, Runner runner, String full, String quick) {}

  interface Runner {
    void run(Map<String, String> args) throws Exception;
  }

  static final List<Scenario> SCENARIOS =
      List.of(
          new Scenario(
              "commit",
              CommitLatencyBench::run,
              "sizes=1000,100000,1000000 commits=30 build=10",
              "sizes=1000,10000 commits=5 build=2"),
          new Scenario(
              "scan",
              ScanThroughputBench::run,
              "mib=192 shardMib=32 rounds=3",
              "mib=8 shardMib=2 rounds=2"),
          new Scenario(
              "write",
              WriteThroughputBench::run,
              "mib=192 shardMib=32 rounds=3",
              "mib=8 shardMib=4 rounds=2"),
          new Scenario(
              "fetch",
              HttpClientFetchBench::run,
              "mib=192 shardMib=32 rounds=3",
              "mib=8 shardMib=2 rounds=2"),
          new Scenario(
              "million",
              MillionShardsBench::run,
              "shards=1000000 versions=10000 days=100 runs=3",
              "shards=5000 versions=100 days=10 runs=1"),
          new Scenario(
              "latency",
              LatencyBench::run,
              "mib=128 shardMib=8 rounds=3 latencyMs=1,10 capMBps=200 readAhead=1,2,4,8",
              "mib=8 shardMib=2 rounds=2 latencyMs=10 capMBps=200 readAhead=2,8"
                  + " formats=PARQUET"));

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    List<String> only = new ArrayList<>();
    Map<String, String> extra = new LinkedHashMap<>();
    for (String arg : args) {
      if (arg.equals("--quick")) {
        quick = true;
      } else if (arg.startsWith("--only=")) {
        only.addAll(List.of(arg.substring("--only=".length()).split(",")));
      } else if (arg.startsWith("--out=")) {
        System.setProperty(BenchResults.PROPERTY, arg.substring("--out=".length()));
      } else {
        extra.putAll(BenchSupport.args(new String[] {arg}));
      }
    }
    run(quick, only, extra);
  }

  /**
   * Runs the scenarios named in {@code only} (all if empty); {@code extra} arguments override the
   * scenario's own (e.g. {@code rounds=5}).
   */
  static void run(boolean quick, List<String> only, Map<String, String> extra) throws Exception {
    for (Scenario s : SCENARIOS) {
      if (!only.isEmpty() && !only.contains(s.name())) {
        continue;
      }
      Map<String, String> args =
          new LinkedHashMap<>(BenchSupport.args((quick ? s.quick() : s.full()).split(" ")));
      args.putAll(extra);
      System.out.println("## " + s.name() + " " + args);
      long t = System.nanoTime();
      s.runner().run(args);
      System.out.println(
          BenchSupport.f("## %s done in %.1f s", s.name(), (System.nanoTime() - t) / 1e9));
    }
  }
}
