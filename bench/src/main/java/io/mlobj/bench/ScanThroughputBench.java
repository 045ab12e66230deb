package io.mlobj.bench;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.ScanMetrics;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.arrow.BatchReader;
import io.mlobj.s3server.EmbeddedS3;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Scan throughput of a dataset of Arrow IPC and of Parquet shards (fetch, CRC32C check and decode
 * into Arrow batches), against raw parallel ranged GETs of exactly the same objects from the same
 * server, in the same run. Rounds alternate raw / Arrow / Parquet so that drift hits all alike.
 *
 * <p>Arguments ({@code -Dbench.args="mib=256 shardMib=32 rounds=3 threads=8 readAhead=2"}).
 */
public final class ScanThroughputBench {
  private ScanThroughputBench() {}

  /** Shards fetched ahead of the decoder (ScanBuilder.readAhead; the kernel default is 2). */
  private static int readAhead = 2;

  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchSupport.args(args);
    long total = Long.parseLong(a.getOrDefault("mib", "256")) << 20;
    long shardBytes = Long.parseLong(a.getOrDefault("shardMib", "32")) << 20;
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "8"));
    readAhead = Integer.parseInt(a.getOrDefault("readAhead", "2"));
    BenchSupport.environment();
    try (EmbeddedS3 s3 = BenchSupport.startS3();
        BufferAllocator allocator = new RootAllocator();
        S3Client raw = BenchSupport.rawClient(s3)) {
      Map<String, String> conf = BenchSupport.withOverrides(s3.hadoopConf(), a);
      Map<ShardFormat, String> uris = new java.util.LinkedHashMap<>();
      List<VectorSchemaRoot> batches = TensorData.batches(allocator, total, 4096);
      try {
        for (ShardFormat format : ShardFormat.values()) {
          String uri = "s3a://" + BenchSupport.BUCKET + "/scan-" + format.id();
          Dataset dataset = Dataset.create(uri, conf, TensorData.schema(), List.of(), Map.of());
          try (DatasetWriter writer =
              dataset
                  .newWriter(TensorData.schema())
                  .format(format)
                  .targetShardBytes(shardBytes)
                  .build(allocator)) {
            for (VectorSchemaRoot batch : batches) {
              writer.write(batch);
            }
            dataset.newAppend().addShards(writer.complete()).commit();
          }
          uris.put(format, uri);
        }
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }

      Map<String, List<Double>> results = new java.util.LinkedHashMap<>();
      Map<ShardFormat, Long> bytesOf = new java.util.LinkedHashMap<>();
      for (ShardFormat format : ShardFormat.values()) {
        Snapshot latest = Dataset.open(uris.get(format), conf).latest();
        bytesOf.put(format, latest.bytes());
        System.out.println(
            BenchSupport.f(
                "# %s: %d shards, %.1f MB, %d rows",
                format, latest.shards().size(), latest.bytes() / 1e6, latest.rows()));
      }
      for (int round = 0; round < rounds; round++) {
        for (ShardFormat format : ShardFormat.values()) {
          Snapshot latest = Dataset.open(uris.get(format), conf).latest();
          List<String> keys = new ArrayList<>();
          List<Long> sizes = new ArrayList<>();
          String prefix = URI.create(uris.get(format)).getPath().substring(1);
          for (Shard shard : latest.shards()) {
            keys.add(BenchSupport.fullKey(prefix, shard.path()));
            sizes.add(shard.bytes());
          }
          long t = System.nanoTime();
          long got = BenchSupport.rawParallelGet(raw, keys, sizes, 8 << 20, threads);
          long rawNanos = System.nanoTime() - t;
          results
              .computeIfAbsent("raw GET (" + format + " objects)", k -> new ArrayList<>())
              .add(BenchSupport.mbPerSecond(got, rawNanos));

          t = System.nanoTime();
          long rows = scan(latest, allocator, true);
          long scanNanos = System.nanoTime() - t;
          if (rows != latest.rows()) {
            throw new IllegalStateException("read " + rows + " rows, expected " + latest.rows());
          }
          results
              .computeIfAbsent("mlobj scan " + format, k -> new ArrayList<>())
              .add(BenchSupport.mbPerSecond(bytesOf.get(format), scanNanos));
        }
      }
      System.out.println("what                              MB/s (median of rounds)  all rounds");
      for (Map.Entry<String, List<Double>> e : results.entrySet()) {
        System.out.println(
            BenchSupport.f(
                "%-46s %8.0f               %s",
                e.getKey(), BenchSupport.median(e.getValue()), rounded(e.getValue())));
      }
      for (ShardFormat format : ShardFormat.values()) {
        double scan = BenchSupport.median(results.get("mlobj scan " + format));
        double rawGet = BenchSupport.median(results.get("raw GET (" + format + " objects)"));
        System.out.println(BenchSupport.f("ratio %s scan / raw GET = %.2f", format, scan / rawGet));
      }
    }
  }

  private static String rounded(List<Double> values) {
    return values.stream().map(v -> String.valueOf(Math.round(v))).toList().toString();
  }

  /** Reads every batch of the snapshot; returns the rows. */
  static long scan(Snapshot snapshot, BufferAllocator allocator, boolean verify) {
    long rows = 0;
    var scan = snapshot.newScan().verifyChecksums(verify).readAhead(readAhead, 1L << 30).build();
    try (BatchReader reader = scan.open(allocator)) {
      while (reader.next()) {
        rows += reader.root().getRowCount();
      }
    }
    ScanMetrics m = scan.metrics();
    if (m.rowsRead.get() != rows) {
      throw new IllegalStateException("metrics disagree: " + m.rowsRead.get() + " vs " + rows);
    }
    return rows;
  }
}
