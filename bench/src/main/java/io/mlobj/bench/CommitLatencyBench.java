package io.mlobj.bench;

import io.mlobj.ColumnStats;
import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.store.CountingObjectStore;
import io.mlobj.s3server.EmbeddedS3;
import io.mlobj.store.ObjectStores;
import io.mlobj.testing.BenchResults;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Commit latency as the dataset grows: datasets of 1k, 100k and 1M shards, each built by the same
 * number of commits (so they have the same number of manifests), then timed appends of one shard
 * each. Commits are O(shards added): unchanged manifests are reused by reference, so the latency
 * should be flat across sizes. Shards are synthetic manifest entries (no data objects): a commit
 * never reads shard data. The timed appends go through a {@link CountingObjectStore}, so the
 * results also say how many store requests an append made, and of which kind.
 *
 * <p>Arguments ({@code -Dbench.args="sizes=1000,100000,1000000 commits=30"}): {@code sizes}, {@code
 * commits} (timed appends per size), {@code build} (commits used to build each dataset).
 */
public final class CommitLatencyBench {
  private CommitLatencyBench() {}

  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("label", new ArrowType.Int(32, true))));

  static List<Shard> synthetic(int count, long firstId) {
    List<Shard> shards = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String id = UUID.randomUUID().toString();
      long min = (firstId + i) * 1000;
      shards.add(
          new Shard(
              LogLayout.DATA + id.substring(0, 2) + "/bench-" + id + ".parquet",
              ShardFormat.PARQUET,
              1000,
              1 << 20,
              0x1234abcdL,
              List.of(1000L),
              Map.of(
                  "id", new ColumnStats(min, min + 999, 0),
                  "label", new ColumnStats(0L, 9L, 0)),
              Map.of(),
              Map.of()));
    }
    return shards;
  }

  /** Goal of commit latency / one raw PutObject of the version file's size. */
  static final String GOAL = "<= 5";

  public static void main(String[] args) {
    run(BenchSupport.args(args));
  }

  static void run(Map<String, String> a) {
    int commits = BenchSupport.integer(a, "commits", 30);
    int build = BenchSupport.integer(a, "build", 10);
    List<Integer> sizes = BenchSupport.integers(a, "sizes", "1000,100000,1000000");
    BenchSupport.environment();
    System.out.println(
        BenchSupport.f(
            "# %d timed one-shard appends per size, each dataset built by %d commits",
            commits, build));
    System.out.println(
        "shards_in_dataset  build_s  append_median_ms  append_p90_ms  cold_open_and_append_ms"
            + "  version_file_bytes  requests_per_append");
    try (EmbeddedS3 s3 = BenchSupport.startS3();
        S3Client raw = BenchSupport.rawClient(s3)) {
      Map<String, String> conf = s3.hadoopConf();
      // Warm up the JVM and the client on a small dataset first.
      run(conf, raw, 1000, build, Math.min(100, 4 * commits), true);
      for (int size : sizes) {
        run(conf, raw, size, build, commits, false);
      }
    }
  }

  private static void run(
      Map<String, String> conf, S3Client raw, int size, int build, int commits, boolean warmup) {
    String uri = "s3a://" + BenchSupport.BUCKET + "/commit-" + size + "-" + UUID.randomUUID();
    Dataset.create(uri, conf, SCHEMA, List.of(), Map.of());
    CountingObjectStore counting =
        new CountingObjectStore(ObjectStores.open(uri, MlobjConf.of(conf)));
    Dataset dataset = Dataset.at(counting, MlobjConf.of(conf));
    long start = System.nanoTime();
    int per = size / build;
    for (int c = 0; c < build; c++) {
      dataset.newAppend().addShards(synthetic(per, (long) c * per)).commit();
    }
    double buildSeconds = (System.nanoTime() - start) / 1e9;
    List<Double> millis = new ArrayList<>();
    List<Double> rawMillis = new ArrayList<>();
    byte[] versionSized =
        new byte
            [(int)
                dataset
                    .store()
                    .head(LogLayout.versionKey(dataset.latestVersion()))
                    .orElseThrow()
                    .size()];
    counting.reset();
    for (int c = 0; c < commits; c++) {
      List<Shard> one = synthetic(1, 10_000_000L + c);
      long t = System.nanoTime();
      dataset.newAppend().addShards(one).commit();
      millis.add((System.nanoTime() - t) / 1e6);
      // The baseline, interleaved: one raw PutObject of a version file's size.
      t = System.nanoTime();
      BenchSupport.rawPut(raw, "raw-commit/" + UUID.randomUUID(), versionSized);
      rawMillis.add((System.nanoTime() - t) / 1e6);
    }
    long requestCount = 0;
    StringBuilder requests = new StringBuilder();
    for (String op : List.of("read", "readRange", "head", "list", "put", "putIfAbsent", "delete")) {
      long calls = counting.calls(op);
      if (calls > 0) {
        requestCount += calls;
        requests.append(requests.length() == 0 ? "" : " ");
        requests.append(BenchSupport.f("%s=%.2f", op, (double) calls / commits));
      }
    }
    // CPU of the whole process (client and embedded server) per operation, over a block of each:
    // on a loaded machine steadier than wall times, and the process CPU clock may be coarse.
    long cpu = BenchSupport.processCpuNanos();
    for (int c = 0; c < commits; c++) {
      dataset.newAppend().addShards(synthetic(1, 30_000_000L + c)).commit();
    }
    double cpuMillis = (BenchSupport.processCpuNanos() - cpu) / 1e6 / commits;
    cpu = BenchSupport.processCpuNanos();
    for (int c = 0; c < commits; c++) {
      BenchSupport.rawPut(raw, "raw-commit/" + UUID.randomUUID(), versionSized);
    }
    double rawCpuMillis = (BenchSupport.processCpuNanos() - cpu) / 1e6 / commits;
    // A fresh handle (as a new process would have) must read the latest version first.
    List<Double> cold = new ArrayList<>();
    for (int c = 0; c < 5; c++) {
      List<Shard> one = synthetic(1, 20_000_000L + c);
      long t = System.nanoTime();
      Dataset.open(uri, conf).newAppend().addShards(one).commit();
      cold.add((System.nanoTime() - t) / 1e6);
    }
    Snapshot latest = dataset.latest();
    if (latest.summary().totalShards() != size + 2L * commits + 5L) {
      throw new IllegalStateException("unexpected shard count " + latest.summary().totalShards());
    }
    long versionBytes =
        dataset.store().head(LogLayout.versionKey(latest.version())).orElseThrow().size();
    if (!warmup) {
      Map<String, Object> r =
          BenchResults.result(
              BenchSupport.f("commit latency, %,d shards vs raw PUT", size),
              BenchSupport.median(millis),
              BenchSupport.median(rawMillis),
              "ms",
              commits,
              GOAL);
      r.put("ours_p90_ms", BenchSupport.percentile(millis, 90));
      r.put("cold_open_and_append_ms", BenchSupport.median(cold));
      r.put("version_file_bytes", versionBytes);
      r.put("build_s", buildSeconds);
      r.put("ours_cpu_ms", cpuMillis);
      r.put("baseline_cpu_ms", rawCpuMillis);
      r.put("requests_per_append", (double) requestCount / commits);
      r.put("requests_per_append_by_kind", requests.toString());
      BenchResults.record(r);
      System.out.println(
          BenchSupport.f(
              "%17d  %7.1f  %16.1f  %13.1f  %23.1f  %18d  %s",
              size,
              buildSeconds,
              BenchSupport.median(millis),
              BenchSupport.percentile(millis, 90),
              BenchSupport.median(cold),
              versionBytes,
              requests));
    }
  }
}
