package io.mlobj.bench;

import io.mlobj.Settings;
import io.mlobj.s3server.EmbeddedS3;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/** Shared pieces of the benchmarks: the embedded server, a raw SDK client, timing and output. */
final class BenchSupport {
  static final String BUCKET = "bench";

  private BenchSupport() {}

  /** An embedded S3 server with the benchmark bucket. */
  static EmbeddedS3 startS3() {
    return EmbeddedS3.builder().build().start().createBucket(BUCKET);
  }

  /** A plain SDK v2 client with the settings mlobj derives from the same fs.s3a.* keys. */
  static S3Client rawClient(EmbeddedS3 s3) {
    return rawClient(s3, s3.endpoint());
  }

  /** Like {@link #rawClient(EmbeddedS3)}, through another endpoint (e.g. a proxy). */
  static S3Client rawClient(EmbeddedS3 s3, String endpoint) {
    return rawClient(s3, endpoint, ApacheHttpClient.builder().maxConnections(96));
  }

  /** Like {@link #rawClient(EmbeddedS3, String)}, with another SDK HTTP client. */
  static S3Client rawClient(
      EmbeddedS3 s3, String endpoint, software.amazon.awssdk.http.SdkHttpClient.Builder<?> http) {
    return S3Client.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(endpoint))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
        .httpClientBuilder(http)
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  /** Full keys (bucket-relative) of every shard of a dataset at {@code s3a://bench/<prefix>}. */
  static String fullKey(String datasetPrefix, String shardPath) {
    return datasetPrefix + "/" + shardPath;
  }

  /**
   * Raw baseline: downloads every object completely with parallel ranged GETs of {@code partSize}
   * bytes on {@code threads} threads (as a tuned downloader would). Returns the bytes read.
   */
  static long rawParallelGet(
      S3Client client, List<String> keys, List<Long> sizes, int partSize, int threads)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> parts = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        String key = keys.get(i);
        long size = sizes.get(i);
        for (long offset = 0; offset < size; offset += partSize) {
          long start = offset;
          long end = Math.min(size, offset + partSize) - 1;
          parts.add(
              pool.submit(
                  () ->
                      (long)
                          client
                              .getObject(
                                  b ->
                                      b.bucket(BUCKET).key(key).range("bytes=" + start + "-" + end),
                                  ResponseTransformer.toBytes())
                              .asByteArrayUnsafe()
                              .length));
        }
      }
      long total = 0;
      for (Future<Long> part : parts) {
        total += part.get();
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Raw baseline for writes: one PutObject per object, one object at a time. */
  static void rawPut(S3Client client, String key, byte[] bytes) {
    client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
  }

  /** What one timed run cost: wall time, CPU of the whole process, peak heap during the run. */
  record Sample(long wallNanos, long cpuNanos, long peakHeapBytes) {
    double cpuSecondsPerGb(long bytes) {
      return cpuNanos / 1e9 / (bytes / 1e9);
    }
  }

  /** A task that may throw. */
  interface Timed {
    void run() throws Exception;
  }

  /**
   * Runs the task and measures it. CPU is the process's (client and, in-process, the S3 server
   * alike, for ours and for the baseline), so compare it between the two, not with other machines.
   */
  static Sample measure(Timed task) throws Exception {
    return measure("run", task);
  }

  /**
   * Like {@link #measure(Timed)}, marking the run as a {@link BenchRunEvent} named {@code variant}
   * in a JFR recording, if one is on.
   */
  static Sample measure(String variant, Timed task) throws Exception {
    BenchRunEvent event = new BenchRunEvent();
    event.variant = variant;
    event.begin();
    List<java.lang.management.MemoryPoolMXBean> heap =
        java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
            .toList();
    heap.forEach(java.lang.management.MemoryPoolMXBean::resetPeakUsage);
    long cpu = processCpuNanos();
    long t = System.nanoTime();
    try {
      task.run();
    } finally {
      event.commit();
    }
    long wall = System.nanoTime() - t;
    long cpuUsed = processCpuNanos() - cpu;
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    return new Sample(wall, cpuUsed, peak);
  }

  static long processCpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  /** Median of a field of the samples. */
  static double median(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> field) {
    return median(samples.stream().map(field::applyAsDouble).toList());
  }

  /**
   * Records a throughput comparison: medians of MB/s over the runs, CPU seconds per GB and peak
   * heap of each side as extra fields; the ratio is ours / baseline.
   */
  static Map<String, Object> recordThroughput(
      String scenario,
      List<Sample> ours,
      long oursBytes,
      List<Sample> baseline,
      long baselineBytes,
      String goal) {
    Map<String, Object> r =
        io.mlobj.testing.BenchResults.result(
            scenario,
            median(ours, s -> mbPerSecond(oursBytes, s.wallNanos())),
            median(baseline, s -> mbPerSecond(baselineBytes, s.wallNanos())),
            "MB/s",
            ours.size(),
            goal);
    r.put("ours_cpu_s_per_gb", median(ours, s -> s.cpuSecondsPerGb(oursBytes)));
    r.put("baseline_cpu_s_per_gb", median(baseline, s -> s.cpuSecondsPerGb(baselineBytes)));
    r.put("ours_peak_heap_mb", median(ours, s -> s.peakHeapBytes() / 1e6));
    r.put("baseline_peak_heap_mb", median(baseline, s -> s.peakHeapBytes() / 1e6));
    io.mlobj.testing.BenchResults.record(r);
    return r;
  }

  static double mbPerSecond(long bytes, long nanos) {
    return bytes / 1e6 / (nanos / 1e9);
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static double percentile(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  /** Reads {@code -Dname=value}-style arguments given as {@code name=value}. */
  static Map<String, String> args(String[] args) {
    Map<String, String> out = new java.util.HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq > 0) {
        out.put(a.substring(0, eq), a.substring(eq + 1));
      }
    }
    return out;
  }

  /** A size argument given in MiB ({@code mib=256}), in bytes. */
  static long mib(Map<String, String> args, String name, long defaultMib) {
    return Long.parseLong(args.getOrDefault(name, String.valueOf(defaultMib))) << 20;
  }

  /**
   * How much the scan, write and latency benches move: {@code mib} in all, written as shards of
   * {@code shardMib}, for {@code rounds} timed rounds (default 3).
   */
  record Volume(long totalBytes, long shardBytes, int rounds) {
    static Volume of(Map<String, String> args, long defaultMib, long defaultShardMib) {
      return new Volume(
          mib(args, "mib", defaultMib),
          mib(args, "shardMib", defaultShardMib),
          integer(args, "rounds", 3));
    }
  }

  /** A whole-number argument ({@code rounds=3}). */
  static int integer(Map<String, String> args, String name, int defaultValue) {
    return Integer.parseInt(args.getOrDefault(name, String.valueOf(defaultValue)));
  }

  /** A comma-separated list of whole numbers ({@code readAhead=1,2,4,8}). */
  static List<Integer> integers(Map<String, String> args, String name, String defaultCsv) {
    return java.util.Arrays.stream(args.getOrDefault(name, defaultCsv).split(","))
        .map(String::trim)
        .map(Integer::parseInt)
        .toList();
  }

  /** The configuration plus any {@code fs.*} or {@code mlobj.*} arguments (e.g. part size). */
  static Map<String, String> withOverrides(Map<String, String> conf, Map<String, String> args) {
    Map<String, String> out = new java.util.LinkedHashMap<>(conf);
    Settings.storageConf(args)
        .forEach(
            (k, v) -> {
              out.put(k, v);
              System.out.println("# setting " + k + "=" + v);
            });
    return out;
  }

  static void environment() {
    System.out.println(
        f(
            "# JVM %s, %d CPUs visible, max heap %d MiB; embedded S3Proxy (filesystem backend) on"
                + " 127.0.0.1",
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            Runtime.getRuntime().maxMemory() >> 20));
  }
}
