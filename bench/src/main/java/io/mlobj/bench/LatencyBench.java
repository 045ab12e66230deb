package io.mlobj.bench;

import io.mlobj.ShardFormat;
import io.mlobj.bench.ScanThroughputBench.Comparison;
import io.mlobj.s3server.EmbeddedS3;
import io.mlobj.testing.FaultInjectingProxy;
import io.mlobj.testing.FaultInjectingProxy.Rule;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Scan throughput under network latency and a bandwidth cap: the scan and the raw parallel GET both
 * go through the same {@link FaultInjectingProxy}, which delays every request and caps the bytes
 * per second of all responses together, as a link to a remote store would. On loopback the latency
 * is zero and hides what read-ahead does; here the scan is compared at several read-ahead depths
 * with the raw ceiling measured through the same proxy in the same run.
 *
 * <p>Arguments: {@code mib=128 shardMib=8 rounds=3 latencyMs=1,10 capMBps=200 readAhead=1,2,4,8
 * threads=8 formats=PARQUET,ARROW}.
 */
public final class LatencyBench {
  private LatencyBench() {}

  public static void main(String[] args) throws Exception {
    run(BenchSupport.args(args));
  }

  static void run(Map<String, String> a) throws Exception {
    BenchSupport.Volume volume = BenchSupport.Volume.of(a, 128, 8);
    int threads = BenchSupport.integer(a, "threads", 8);
    long cap = Long.parseLong(a.getOrDefault("capMBps", "200")) * 1_000_000;
    List<Integer> latencies = BenchSupport.integers(a, "latencyMs", "1,10");
    List<Integer> depths = BenchSupport.integers(a, "readAhead", "1,2,4,8");
    List<ShardFormat> formats =
        Arrays.stream(a.getOrDefault("formats", "PARQUET,ARROW").split(","))
            .map(ShardFormat::parse)
            .toList();
    BenchSupport.environment();
    try (EmbeddedS3 s3 = BenchSupport.startS3();
        BufferAllocator allocator = new RootAllocator();
        FaultInjectingProxy proxy = FaultInjectingProxy.inFrontOf(s3.endpoint()).start();
        S3Client raw = BenchSupport.rawClient(s3, proxy.endpoint())) {
      Map<String, String> conf = BenchSupport.withOverrides(s3.hadoopConf(proxy.endpoint()), a);
      Map<ShardFormat, String> uris =
          ScanThroughputBench.writeDatasets(
              s3.hadoopConf(), allocator, volume.totalBytes(), volume.shardBytes(), formats);
      proxy.bandwidth(cap);
      for (int latency : latencies) {
        for (int depth : depths) {
          // A fresh rule per setting: a rule fires a bounded number of times.
          proxy.clearRules();
          proxy.add(Rule.latency(Duration.ofMillis(latency)).times(10_000));
          Map<ShardFormat, Comparison> results =
              ScanThroughputBench.compare(
                  conf, raw, uris, allocator, volume.rounds(), threads, depth);
          for (Map.Entry<ShardFormat, Comparison> e : results.entrySet()) {
            Comparison c = e.getValue();
            BenchSupport.recordThroughput(
                BenchSupport.f(
                    "scan %s, %d ms + %d MB/s link, read-ahead %d vs raw GET",
                    e.getKey(), latency, cap / 1_000_000, depth),
                c.ours(),
                c.bytes(),
                c.raw(),
                c.bytes(),
                ScanThroughputBench.GOAL);
          }
        }
      }
    }
  }
}
