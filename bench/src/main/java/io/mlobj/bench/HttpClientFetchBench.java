package io.mlobj.bench;

import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.bench.BenchSupport.Sample;
import io.mlobj.internal.store.S3HttpClients;
import io.mlobj.s3server.EmbeddedS3;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The fetch path through each SDK HTTP client ({@code mlobj.s3.http-client}): the AWS CRT client
 * against the Apache client (today's default), in the same run, alternating which goes first each
 * round. Two workloads over the same Parquet shards: raw parallel 8 MiB ranged GETs (the fetch
 * alone) and a full mlobj Parquet scan (fetch + CRC32C + decode). Each records MB/s (CRT / Apache,
 * goal {@code >= 1.0}) and CPU seconds per GB of the whole process (CRT / Apache, goal {@code <=
 * 1.0}); the in-process S3 server's CPU is in both sides alike, which dilutes the difference.
 *
 * <p>Arguments: {@code mib=192 shardMib=32 rounds=3 threads=8}.
 */
public final class HttpClientFetchBench {
  private HttpClientFetchBench() {}

  /** Throughput goal: CRT must at least match Apache to be worth its native code. */
  static final String THROUGHPUT_GOAL = ">= 1.0";

  /** CPU goal: CRT must not cost more CPU per GB than Apache. */
  static final String CPU_GOAL = "<= 1.0";

  private static final List<S3HttpClients.Kind> ORDER =
      List.of(S3HttpClients.Kind.APACHE, S3HttpClients.Kind.CRT);

  public static void main(String[] args) throws Exception {
    run(BenchSupport.args(args));
  }

  static void run(Map<String, String> a) throws Exception {
    long total = Long.parseLong(a.getOrDefault("mib", "192")) << 20;
    long shardBytes = Long.parseLong(a.getOrDefault("shardMib", "32")) << 20;
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "8"));
    BenchSupport.environment();
    if (!S3HttpClients.crtAvailable()) {
      System.out.println("# fetch: skipped, the AWS CRT native library does not load here");
      return;
    }
    try (EmbeddedS3 s3 = BenchSupport.startS3();
        BufferAllocator allocator = new RootAllocator()) {
      Map<String, String> base = BenchSupport.withOverrides(s3.hadoopConf(), a);
      String uri =
          ScanThroughputBench.writeDatasets(
                  base, allocator, total, shardBytes, List.of(ShardFormat.PARQUET))
              .get(ShardFormat.PARQUET);
      Snapshot snapshot = Dataset.open(uri, base).latest();
      long bytes = snapshot.bytes();
      String prefix = URI.create(uri).getPath().substring(1);
      List<String> keys = new ArrayList<>();
      List<Long> sizes = new ArrayList<>();
      for (Shard shard : snapshot.shards()) {
        keys.add(BenchSupport.fullKey(prefix, shard.path()));
        sizes.add(shard.bytes());
      }
      System.out.println(
          BenchSupport.f(
              "# fetch: %d Parquet shards, %.1f MB, %d rows",
              keys.size(), bytes / 1e6, snapshot.rows()));

      Map<S3HttpClients.Kind, List<Sample>> get = new EnumMap<>(S3HttpClients.Kind.class);
      Map<S3HttpClients.Kind, List<Sample>> scan = new EnumMap<>(S3HttpClients.Kind.class);
      Map<S3HttpClients.Kind, S3Client> raw = new EnumMap<>(S3HttpClients.Kind.class);
      try {
        for (S3HttpClients.Kind kind : ORDER) {
          get.put(kind, new ArrayList<>());
          scan.put(kind, new ArrayList<>());
          raw.put(kind, BenchSupport.rawClient(s3, s3.endpoint(), httpClient(kind)));
        }
        for (int round = 0; round < rounds; round++) {
          List<S3HttpClients.Kind> order = new ArrayList<>(ORDER);
          if (round % 2 == 1) {
            java.util.Collections.reverse(order);
          }
          for (S3HttpClients.Kind kind : order) {
            get.get(kind)
                .add(
                    BenchSupport.measure(
                        () -> {
                          long got =
                              BenchSupport.rawParallelGet(
                                  raw.get(kind), keys, sizes, 8 << 20, threads);
                          if (got != bytes) {
                            throw new IllegalStateException("GET read " + got + " of " + bytes);
                          }
                        }));
          }
          for (S3HttpClients.Kind kind : order) {
            Map<String, String> conf = new LinkedHashMap<>(base);
            conf.put(S3HttpClients.KEY, kind.name().toLowerCase(Locale.ROOT));
            scan.get(kind)
                .add(
                    BenchSupport.measure(
                        () -> {
                          // A fresh handle each round, as a new reader process would have.
                          try (Dataset dataset = Dataset.open(uri, conf)) {
                            Snapshot latest = dataset.latest();
                            long rows = ScanThroughputBench.scan(latest, allocator, true, -1);
                            if (rows != latest.rows()) {
                              throw new IllegalStateException(
                                  "read " + rows + " rows of " + latest.rows());
                            }
                          }
                        }));
          }
        }
      } finally {
        raw.values().forEach(S3Client::close);
      }
      record("raw 8 MiB ranged GET", get, bytes);
      record("Parquet scan", scan, bytes);
    }
  }

  /** The SDK client builder of this kind, pool and timeouts as {@code S3Clients} sets them. */
  private static SdkHttpClient.Builder<?> httpClient(S3HttpClients.Kind kind) {
    return switch (kind) {
      case APACHE -> ApacheHttpClient.builder().maxConnections(96);
      case CRT -> AwsCrtHttpClient.builder().maxConcurrency(96);
    };
  }

  private static void record(
      String workload, Map<S3HttpClients.Kind, List<Sample>> samples, long bytes) {
    List<Sample> crt = samples.get(S3HttpClients.Kind.CRT);
    List<Sample> apache = samples.get(S3HttpClients.Kind.APACHE);
    Map<String, Object> throughput =
        BenchSupport.recordThroughput(
            "fetch " + workload + ": CRT vs Apache HTTP client",
            crt,
            bytes,
            apache,
            bytes,
            THROUGHPUT_GOAL);
    io.mlobj.testing.BenchResults.record(
        io.mlobj.testing.BenchResults.result(
            "fetch " + workload + " CPU per GB: CRT vs Apache HTTP client",
            (double) throughput.get("ours_cpu_s_per_gb"),
            (double) throughput.get("baseline_cpu_s_per_gb"),
            "CPU s/GB",
            crt.size(),
            CPU_GOAL));
  }
}
