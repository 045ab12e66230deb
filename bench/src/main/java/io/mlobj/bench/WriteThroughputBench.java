package io.mlobj.bench;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.bench.BenchSupport.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Write throughput of {@link DatasetWriter} (encode, CRC32C, upload with metadata, then one commit)
 * for Arrow IPC and Parquet shards, against raw SDK {@code PutObject} of byte arrays of the same
 * sizes (one object at a time) to the same server, in the same run. The Arrow batches are built
 * before timing starts. Each round runs every variant, the order reversed every other round.
 * "multipart" is the default part size; "one PUT per shard" sets the part size above the shard
 * size.
 *
 * <p>Arguments ({@code -Dbench.args="mib=256 shardMib=32 rounds=3"}). {@code
 * parquetCompression=snappy,none,zstd} adds a Parquet "one PUT per shard" variant per codec, in the
 * same rounds; each is compared with the raw PUT of the default codec's objects, at its own size.
 */
public final class WriteThroughputBench {
  private WriteThroughputBench() {}

  /** Goal of the write / raw PutObject ratio. */
  static final String GOAL = ">= 0.6";

  private static long write(
      Dataset dataset,
      ShardFormat format,
      String compression,
      long shardBytes,
      List<VectorSchemaRoot> batches,
      BufferAllocator allocator,
      List<Shard> written) {
    List<Shard> shards =
        TensorData.append(dataset, format, compression, shardBytes, batches, allocator);
    written.addAll(shards);
    return shards.stream().mapToLong(Shard::bytes).sum();
  }

  public static void main(String[] args) throws Exception {
    run(BenchSupport.args(args));
  }

  static void run(Map<String, String> a) throws Exception {
    BenchSupport.Volume volume = BenchSupport.Volume.of(a, 256, 32);
    List<String> codecs =
        a.containsKey("parquetCompression")
            ? List.of(a.get("parquetCompression").split(","))
            : List.of();
    try (BenchRig rig = BenchRig.start()) {
      BufferAllocator allocator = rig.allocator();
      S3Client raw = rig.raw();
      Map<String, String> conf = rig.conf(a);
      Map<String, String> singlePut = new HashMap<>(conf);
      singlePut.put("mlobj.io.part-size", String.valueOf(2 * volume.shardBytes()));
      List<VectorSchemaRoot> batches = TensorData.batches(allocator, volume.totalBytes(), 4096);
      Map<String, List<Sample>> samples = new LinkedHashMap<>();
      Map<String, Long> bytesOf = new HashMap<>();
      try {
        // The raw baseline uploads byte arrays of the sizes mlobj writes (made before timing).
        Map<ShardFormat, List<byte[]>> rawObjects = new HashMap<>();
        for (ShardFormat format : ShardFormat.values()) {
          rawObjects.put(format, rawObjects(conf, format, volume.shardBytes(), batches, allocator));
        }
        for (int round = 0; round < volume.rounds(); round++) {
          for (ShardFormat format : ShardFormat.values()) {
            AtomicLong bytes = new AtomicLong();
            Map<String, BenchSupport.Timed> variants = new LinkedHashMap<>();
            variants.put(
                "one PUT per shard",
                () ->
                    bytes.set(
                        write(
                            create(singlePut, format),
                            format,
                            null,
                            volume.shardBytes(),
                            batches,
                            allocator,
                            new ArrayList<>())));
            variants.put(
                "multipart",
                () ->
                    bytes.set(
                        write(
                            create(conf, format),
                            format,
                            null,
                            volume.shardBytes(),
                            batches,
                            allocator,
                            new ArrayList<>())));
            if (format == ShardFormat.PARQUET) {
              for (String codec : codecs) {
                String name = "one PUT per shard, " + codec;
                variants.put(
                    name,
                    () ->
                        bytesOf.put(
                            format + " " + name,
                            write(
                                create(singlePut, format),
                                format,
                                codec,
                                volume.shardBytes(),
                                batches,
                                allocator,
                                new ArrayList<>())));
              }
            }
            List<byte[]> objects = rawObjects.get(format);
            variants.put(
                "raw",
                () -> {
                  for (byte[] object : objects) {
                    BenchSupport.rawPut(raw, "raw-put/" + UUID.randomUUID(), object);
                  }
                });
            List<String> order = new ArrayList<>(variants.keySet());
            if (round % 2 == 1) {
              java.util.Collections.reverse(order);
            }
            for (String variant : order) {
              Sample s =
                  BenchSupport.measure("write " + format + " " + variant, variants.get(variant));
              samples.computeIfAbsent(format + " " + variant, k -> new ArrayList<>()).add(s);
            }
            bytesOf.put(format.toString(), bytes.get());
          }
        }
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
      for (ShardFormat format : ShardFormat.values()) {
        long bytes = bytesOf.get(format.toString());
        List<String> names = new ArrayList<>(List.of("one PUT per shard", "multipart"));
        if (format == ShardFormat.PARQUET) {
          codecs.forEach(codec -> names.add("one PUT per shard, " + codec));
        }
        for (String variant : names) {
          long ours = bytesOf.getOrDefault(format + " " + variant, bytes);
          System.out.println(
              BenchSupport.f("# write %s (%s): %d bytes of shards", format, variant, ours));
          BenchSupport.recordThroughput(
              "write " + format + " (" + variant + ") vs raw PUT",
              samples.get(format + " " + variant),
              ours,
              samples.get(format + " raw"),
              bytes,
              GOAL);
        }
      }
    }
  }

  private static Dataset create(Map<String, String> conf, ShardFormat format) {
    String uri = "s3a://" + BenchSupport.BUCKET + "/write-" + format + "-" + UUID.randomUUID();
    return Dataset.create(uri, conf, TensorData.schema(), List.of(), Map.of());
  }

  /** The objects one untimed mlobj write produces, as byte arrays for the raw baseline. */
  private static List<byte[]> rawObjects(
      Map<String, String> conf,
      ShardFormat format,
      long shardBytes,
      List<VectorSchemaRoot> batches,
      BufferAllocator allocator) {
    Dataset dataset = create(conf, format);
    List<Shard> shards = new ArrayList<>();
    write(dataset, format, null, shardBytes, batches, allocator, shards);
    List<byte[]> out = new ArrayList<>();
    for (Shard shard : shards) {
      out.add(dataset.store().read(shard.path()));
    }
    return out;
  }
}
