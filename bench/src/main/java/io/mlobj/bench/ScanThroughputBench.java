package io.mlobj.bench;

import io.mlobj.Dataset;
import io.mlobj.ScanMetrics;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.arrow.BatchReader;
import io.mlobj.bench.BenchSupport.Sample;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Scan throughput of a dataset of Arrow IPC and of Parquet shards (fetch, CRC32C check and decode
 * into Arrow batches), against raw parallel ranged GETs of exactly the same objects from the same
 * server, in the same run. Each round runs both, the order alternating between rounds, so that
 * drift hits both alike; medians over rounds.
 *
 * <p>Arguments ({@code -Dbench.args="mib=256 shardMib=32 rounds=3 threads=8 readAhead=4"}); without
 * {@code readAhead} the kernel's default; a list ({@code readAhead=2,4,8}) scans at each depth in
 * every round. {@code parquetCompression=snappy,none,zstd} scans one Parquet dataset per codec
 * (alternating in the same rounds, each against its own raw GET) instead of the default codec only.
 */
public final class ScanThroughputBench {
  private ScanThroughputBench() {}

  /** Goal of the scan / raw GET ratio. */
  static final String GOAL = ">= 0.8";

  /** mlobj's and the raw downloader's runs of one format, and the bytes each run reads. */
  record Comparison(List<Sample> ours, List<Sample> raw, long bytes) {}

  public static void main(String[] args) throws Exception {
    run(BenchSupport.args(args));
  }

  static void run(Map<String, String> a) throws Exception {
    BenchSupport.Volume volume = BenchSupport.Volume.of(a, 256, 32);
    int threads = BenchSupport.integer(a, "threads", 8);
    // -1: the kernel's default (ScanBuilder: 4 shards, 256 MiB). Several (readAhead=2,4,8): each
    // round scans at every depth in turn, so that the depths share the machine's drift.
    List<Integer> depths = BenchSupport.integers(a, "readAhead", "-1");
    String codecs = a.get("parquetCompression");
    try (BenchRig rig = BenchRig.start()) {
      Map<String, String> conf = rig.conf(a);
      Map<String, String> uris = new java.util.LinkedHashMap<>();
      if (codecs == null) {
        writeDatasets(
                conf,
                rig.allocator(),
                volume.totalBytes(),
                volume.shardBytes(),
                ShardFormat.values())
            .forEach((format, uri) -> uris.put(format.toString(), uri));
      } else {
        for (String codec : codecs.split(",")) {
          uris.put(
              ShardFormat.PARQUET + " " + codec,
              writeDataset(
                  conf,
                  rig.allocator(),
                  volume.totalBytes(),
                  volume.shardBytes(),
                  ShardFormat.PARQUET,
                  codec));
        }
      }
      Map<String, Comparison> results;
      if (depths.size() == 1) {
        results =
            compare(
                conf, rig.raw(), uris, rig.allocator(), volume.rounds(), threads, depths.get(0));
      } else {
        results = new java.util.LinkedHashMap<>();
        for (int round = 0; round < volume.rounds(); round++) {
          for (int depth : depths) {
            for (Map.Entry<String, Comparison> r :
                compare(conf, rig.raw(), uris, rig.allocator(), 1, threads, depth).entrySet()) {
              Comparison c =
                  results.computeIfAbsent(
                      r.getKey() + ", read-ahead " + depth,
                      k ->
                          new Comparison(
                              new ArrayList<>(), new ArrayList<>(), r.getValue().bytes()));
              c.ours().addAll(r.getValue().ours());
              c.raw().addAll(r.getValue().raw());
            }
          }
        }
      }
      results.forEach(
          (variant, c) ->
              BenchSupport.recordThroughput(
                  "scan " + variant + " vs raw GET",
                  c.ours(),
                  c.bytes(),
                  c.raw(),
                  c.bytes(),
                  GOAL));
    }
  }

  /** One dataset of about {@code total} bytes of tensor rows in the given format and codec. */
  static String writeDataset(
      Map<String, String> conf,
      BufferAllocator allocator,
      long total,
      long shardBytes,
      ShardFormat format,
      String compression) {
    List<VectorSchemaRoot> batches = TensorData.batches(allocator, total, 4096);
    try {
      String uri =
          "s3a://" + BenchSupport.BUCKET + "/scan-" + format.id() + "-" + UUID.randomUUID();
      Dataset dataset = Dataset.create(uri, conf, TensorData.schema(), List.of(), Map.of());
      TensorData.append(dataset, format, compression, shardBytes, batches, allocator);
      return uri;
    } finally {
      batches.forEach(VectorSchemaRoot::close);
    }
  }

  /** Writes one dataset per format of about {@code total} bytes of tensor rows. */
  static Map<ShardFormat, String> writeDatasets(
      Map<String, String> conf,
      BufferAllocator allocator,
      long total,
      long shardBytes,
      List<ShardFormat> formats) {
    Map<ShardFormat, String> uris = new java.util.LinkedHashMap<>();
    List<VectorSchemaRoot> batches = TensorData.batches(allocator, total, 4096);
    try {
      for (ShardFormat format : formats) {
        String uri =
            "s3a://" + BenchSupport.BUCKET + "/scan-" + format.id() + "-" + UUID.randomUUID();
        Dataset dataset = Dataset.create(uri, conf, TensorData.schema(), List.of(), Map.of());
        TensorData.append(dataset, format, shardBytes, batches, allocator);
        uris.put(format, uri);
      }
    } finally {
      batches.forEach(VectorSchemaRoot::close);
    }
    return uris;
  }

  /**
   * Scans each dataset and downloads its objects raw, {@code rounds} times each, alternating which
   * goes first. {@code conf} and {@code raw} must reach the server by the same path (e.g. both
   * through the same proxy).
   */
  static <K> Map<K, Comparison> compare(
      Map<String, String> conf,
      S3Client raw,
      Map<K, String> uris,
      BufferAllocator allocator,
      int rounds,
      int threads,
      int readAhead)
      throws Exception {
    Map<K, Comparison> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<K, String> e : uris.entrySet()) {
      Snapshot latest = Dataset.open(e.getValue(), conf).latest();
      System.out.println(
          BenchSupport.f(
              "# %s: %d shards, %.1f MB, %d rows",
              e.getKey(), latest.shards().size(), latest.bytes() / 1e6, latest.rows()));
      out.put(e.getKey(), new Comparison(new ArrayList<>(), new ArrayList<>(), latest.bytes()));
    }
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<K, String> e : uris.entrySet()) {
        Comparison c = out.get(e.getKey());
        // A fresh handle each round, as a new reader process would have (no cached manifests).
        Snapshot latest = Dataset.open(e.getValue(), conf).latest();
        String prefix = URI.create(e.getValue()).getPath().substring(1);
        List<String> keys = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (Shard shard : latest.shards()) {
          keys.add(BenchSupport.fullKey(prefix, shard.path()));
          sizes.add(shard.bytes());
        }
        BenchSupport.Timed rawRun =
            () -> {
              long got = BenchSupport.rawParallelGet(raw, keys, sizes, 8 << 20, threads);
              if (got != c.bytes()) {
                throw new IllegalStateException("raw GET read " + got + " of " + c.bytes());
              }
            };
        BenchSupport.Timed ourRun =
            () -> {
              long rows = scan(latest, allocator, true, readAhead);
              if (rows != latest.rows()) {
                throw new IllegalStateException("read " + rows + " rows of " + latest.rows());
              }
            };
        if (round % 2 == 0) {
          c.raw().add(BenchSupport.measure("scan " + e.getKey() + " raw", rawRun));
          c.ours().add(BenchSupport.measure("scan " + e.getKey() + " ours", ourRun));
        } else {
          c.ours().add(BenchSupport.measure("scan " + e.getKey() + " ours", ourRun));
          c.raw().add(BenchSupport.measure("scan " + e.getKey() + " raw", rawRun));
        }
      }
    }
    return out;
  }

  /** Reads every batch of the snapshot; returns the rows. */
  static long scan(Snapshot snapshot, BufferAllocator allocator, boolean verify, int readAhead) {
    long rows = 0;
    var builder = snapshot.newScan().verifyChecksums(verify);
    if (readAhead >= 0) {
      builder.readAhead(readAhead, 256L << 20);
    }
    var scan = builder.build();
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
