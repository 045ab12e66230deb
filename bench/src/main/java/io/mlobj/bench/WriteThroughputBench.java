package io.mlobj.bench;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Settings;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.s3server.EmbeddedS3;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Write throughput of {@link DatasetWriter} (encode, CRC32C, upload with metadata, then one commit)
 * for Arrow IPC and Parquet shards, against raw SDK {@code PutObject} of byte arrays of the same
 * sizes (one object at a time) to the same server, in the same run. The Arrow batches are built
 * before timing starts.
 *
 * <p>Arguments ({@code -Dbench.args="mib=256 shardMib=32 rounds=3"}).
 */
public final class WriteThroughputBench {
  private WriteThroughputBench() {}

  private static long write(
      Dataset dataset,
      ShardFormat format,
      long shardBytes,
      List<VectorSchemaRoot> batches,
      BufferAllocator allocator) {
    try (DatasetWriter writer =
        dataset
            .newWriter(TensorData.schema())
            .format(format)
            .targetShardBytes(shardBytes)
            .build(allocator)) {
      for (VectorSchemaRoot batch : batches) {
        writer.write(batch);
      }
      List<Shard> shards = writer.complete();
      dataset.newAppend().addShards(shards).commit();
      return shards.stream().mapToLong(Shard::bytes).sum();
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchSupport.args(args);
    long total = Long.parseLong(a.getOrDefault("mib", "256")) << 20;
    long shardBytes = Long.parseLong(a.getOrDefault("shardMib", "32")) << 20;
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    BenchSupport.environment();
    try (EmbeddedS3 s3 = BenchSupport.startS3();
        BufferAllocator allocator = new RootAllocator();
        S3Client raw = BenchSupport.rawClient(s3)) {
      Map<String, String> conf = BenchSupport.withOverrides(s3.hadoopConf(), a);
      List<VectorSchemaRoot> batches = TensorData.batches(allocator, total, 4096);
      Map<String, List<Double>> results = new java.util.LinkedHashMap<>();
      try {
        for (int round = 0; round < rounds; round++) {
          for (ShardFormat format : ShardFormat.values()) {
            // The same write once more with parts larger than the shards: one PutObject each.
            Map<String, String> singlePut = new java.util.HashMap<>(conf);
            singlePut.put(Settings.IO_PART_SIZE.name(), String.valueOf(2 * shardBytes));
            String singleUri =
                "s3a://"
                    + BenchSupport.BUCKET
                    + "/write-single-"
                    + format
                    + "-"
                    + UUID.randomUUID();
            Dataset single =
                Dataset.create(singleUri, singlePut, TensorData.schema(), List.of(), Map.of());
            long t0 = System.nanoTime();
            long singleBytes = write(single, format, shardBytes, batches, allocator);
            results
                .computeIfAbsent(
                    "mlobj write+commit " + format + ", one PUT per shard", k -> new ArrayList<>())
                .add(BenchSupport.mbPerSecond(singleBytes, System.nanoTime() - t0));

            String uri =
                "s3a://" + BenchSupport.BUCKET + "/write-" + format + "-" + UUID.randomUUID();
            Dataset dataset = Dataset.create(uri, conf, TensorData.schema(), List.of(), Map.of());
            long t = System.nanoTime();
            List<Shard> shards;
            try (DatasetWriter writer =
                dataset
                    .newWriter(TensorData.schema())
                    .format(format)
                    .targetShardBytes(shardBytes)
                    .build(allocator)) {
              for (VectorSchemaRoot batch : batches) {
                writer.write(batch);
              }
              shards = writer.complete();
              dataset.newAppend().addShards(shards).commit();
            }
            long nanos = System.nanoTime() - t;
            long bytes = shards.stream().mapToLong(Shard::bytes).sum();
            results
                .computeIfAbsent(
                    "mlobj write+commit " + format + ", multipart", k -> new ArrayList<>())
                .add(BenchSupport.mbPerSecond(bytes, nanos));

            // The raw baseline uploads byte arrays of the same sizes (prepared before timing).
            List<byte[]> objects = new ArrayList<>();
            for (Shard shard : shards) {
              objects.add(dataset.store().read(shard.path()));
            }
            t = System.nanoTime();
            for (byte[] object : objects) {
              BenchSupport.rawPut(raw, "raw-put/" + UUID.randomUUID(), object);
            }
            long rawNanos = System.nanoTime() - t;
            results
                .computeIfAbsent("raw PutObject (" + format + " sizes)", k -> new ArrayList<>())
                .add(BenchSupport.mbPerSecond(bytes, rawNanos));
          }
        }
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
      System.out.println("what                              MB/s (median of rounds)  all rounds");
      for (Map.Entry<String, List<Double>> e : results.entrySet()) {
        System.out.println(
            BenchSupport.f(
                "%-46s %8.0f               %s",
                e.getKey(),
                BenchSupport.median(e.getValue()),
                e.getValue().stream().map(v -> String.valueOf(Math.round(v))).toList()));
      }
      for (ShardFormat format : ShardFormat.values()) {
        double write =
            BenchSupport.median(results.get("mlobj write+commit " + format + ", multipart"));
        double put = BenchSupport.median(results.get("raw PutObject (" + format + " sizes)"));
        double one =
            BenchSupport.median(
                results.get("mlobj write+commit " + format + ", one PUT per shard"));
        System.out.println(
            BenchSupport.f(
                "ratio %s write / raw PutObject = %.2f (multipart), %.2f (one PUT per shard)",
                format, write / put, one / put));
      }
    }
  }
}
