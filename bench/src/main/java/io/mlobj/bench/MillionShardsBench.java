package io.mlobj.bench;

import io.mlobj.ColumnStats;
import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import io.mlobj.Predicates;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.feed.plan.SamplePlan;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.format.ManifestRef;
import io.mlobj.internal.store.CountingObjectStore;
import io.mlobj.internal.store.LocalObjectStore;
import io.mlobj.ops.Progress;
import io.mlobj.ops.Vacuum;
import io.mlobj.store.ObjectInfo;
import io.mlobj.testing.BenchResults;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A dataset of a million shards and ten thousand versions: how long opening the latest version,
 * planning full and partition-filtered scans, verify's and vacuum's planning and the feed's epoch
 * planning take, how much heap the plan holds, and how large version files and manifests get. The
 * shards are synthetic manifest entries (no data objects, as in {@link CommitLatencyBench}),
 * committed to a local-disk store so the figures are the metadata path's own. Every figure is taken
 * at a tenth of the size too: the ratio of the full-size figure to ten times the small one shows
 * growth faster than linear (goal: at most 1.5). Store reads are counted, not timed, to show that a
 * filtered plan reads only the manifests that may match.
 *
 * <p>Arguments: {@code shards=1000000 versions=10000 days=100 runs=3}.
 */
public final class MillionShardsBench {
  private MillionShardsBench() {}

  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("label", new ArrowType.Int(32, true)),
              Field.notNullable("day", new ArrowType.Utf8())));

  /** Rows per synthetic shard, in two blocks (row groups) each. */
  private static final long ROWS_PER_SHARD = 100;

  public static void main(String[] args) throws Exception {
    run(BenchSupport.args(args));
  }

  static void run(Map<String, String> a) throws Exception {
    int shards = BenchSupport.integer(a, "shards", 1000000);
    int versions = BenchSupport.integer(a, "versions", 10000);
    int days = BenchSupport.integer(a, "days", 100);
    int runs = BenchSupport.integer(a, "runs", 3);
    BenchSupport.environment();
    Path dir = Files.createTempDirectory("mlobj-million-");
    try {
      // Warm-up at a hundredth (discarded), so JIT compilation does not land on the tenth.
      measure(dir.resolve("warm"), shards / 100, Math.max(1, versions / 100), days, 1);
      Map<String, Double> small =
          measure(dir.resolve("small"), shards / 10, versions / 10, days, runs);
      Map<String, Double> big = measure(dir.resolve("big"), shards, versions, days, runs);
      String size = BenchSupport.f("%,d shards/%,d versions", shards, versions);
      for (Map.Entry<String, Double> e : big.entrySet()) {
        String metric = e.getKey();
        if (metric.startsWith("manifest reads") || metric.startsWith("heap")) {
          continue;
        }
        Map<String, Object> r =
            BenchResults.result(
                size + ": " + metric + " vs 10x a tenth",
                e.getValue(),
                10 * small.get(metric),
                metric.endsWith("bytes") ? "bytes" : "ms",
                metric.endsWith("bytes") ? 1 : runs,
                "<= 1.5");
        r.put("tenth", small.get(metric));
        BenchResults.record(r);
      }
      for (String heap : List.of("heap of a full plan MB", "heap of an epoch plan MB")) {
        Map<String, Object> r =
            BenchResults.result(
                size + ": " + heap + " vs 1 GB", big.get(heap), 1024, "MB", 1, "<= 1");
        r.put("tenth", small.get(heap));
        BenchResults.record(r);
      }
      Map<String, Object> r =
          BenchResults.result(
              size + ": manifests read by a filtered plan vs manifests that may match",
              big.get("manifest reads, filtered plan"),
              big.get("manifest reads, matching"),
              "reads",
              1,
              "<= 1");
      r.put("manifests", big.get("manifest reads, full plan"));
      BenchResults.record(r);
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Builds a dataset of the given size and measures it; figures by name. */
  private static Map<String, Double> measure(Path dir, int shards, int versions, int days, int runs)
      throws IOException {
    Files.createDirectories(dir);
    String uri = dir.toUri().toString();
    Dataset writer = Dataset.create(uri, Map.of(), SCHEMA, List.of("day"), Map.of());
    int perCommit = Math.max(1, shards / versions);
    long t = System.nanoTime();
    List<Double> lastCommits = new ArrayList<>();
    for (int c = 0; c < versions; c++) {
      String day = "d" + (long) c * days / versions;
      long tc = System.nanoTime();
      writer.newAppend().addShards(synthetic(perCommit, (long) c * perCommit, day)).commit();
      if (c >= versions - 50) {
        lastCommits.add((System.nanoTime() - tc) / 1e6);
      }
    }
    double buildSeconds = (System.nanoTime() - t) / 1e9;
    Map<String, Double> out = new LinkedHashMap<>();
    java.util.function.BiConsumer<String, Double> put =
        (name, value) -> {
          out.put(name, value);
          System.out.println(BenchSupport.f("#   %,d shards: %s = %.1f", shards, name, value));
        };
    System.out.println(
        BenchSupport.f(
            "# %,d shards in %,d versions built in %.1f s; last commits median %.1f ms",
            shards, versions, buildSeconds, BenchSupport.median(lastCommits)));
    // Cheap figures first, each printed as it is taken (the full size runs for a long time).
    put.accept("append at this size", BenchSupport.median(lastCommits));
    put.accept("open latest", timed(runs, () -> fresh(dir, uri).latest()));
    String oneDay = "d" + days / 2;
    put.accept(
        "plan filtered scan (1 of " + days + " days)",
        timed(
            runs,
            () ->
                fresh(dir, uri)
                    .latest()
                    .newScan()
                    .filter(Predicates.eq("day", oneDay))
                    .build()
                    .planTasks()));
    CountingObjectStore filtered = counting(dir, uri);
    Snapshot latest = Dataset.at(filtered, MlobjConf.of(Map.of())).latest();
    latest.newScan().filter(Predicates.eq("day", oneDay)).build().planTasks();
    long matching =
        latest.manifests().stream()
            .filter(
                m ->
                    m.partitionValues() == null
                        || !m.partitionValues().containsKey("day")
                        || m.partitionValues().get("day").contains(oneDay))
            .count();
    put.accept("manifest reads, filtered plan", (double) filtered.reads(LogLayout.MANIFESTS));
    put.accept("manifest reads, matching", (double) matching);
    put.accept("manifest reads, full plan", (double) latest.manifests().size());

    // Sizes: the latest version file, and the manifests it references.
    LocalObjectStore local = new LocalObjectStore(uri, dir);
    Map<String, Long> sizes = new java.util.HashMap<>();
    for (ObjectInfo o : local.list(LogLayout.MANIFESTS, null)) {
      sizes.put(o.key(), o.size());
    }
    put.accept(
        "version file bytes",
        (double) local.head(LogLayout.versionKey(latest.version())).orElseThrow().size());
    long manifestBytes = 0;
    for (ManifestRef ref : latest.manifests()) {
      manifestBytes += sizes.getOrDefault(ref.path(), 0L);
    }
    put.accept("manifest bytes", (double) manifestBytes);
    // Every manifest ever written (tiered merging rewrites a shard a log number of times): what a
    // vacuum of a young dataset would read if merged manifests did not name their sources.
    System.out.println(
        BenchSupport.f(
            "#   %,d shards: all manifests written = %,d in %,d bytes",
            shards, sizes.size(), sizes.values().stream().mapToLong(Long::longValue).sum()));

    // Heap a plan holds (the snapshot's shards and the tasks), timed as well.
    long before = usedHeapAfterGc();
    long t0 = System.nanoTime();
    List<ScanTask> tasks = fresh(dir, uri).latest().newScan().build().planTasks();
    double firstPlanMs = (System.nanoTime() - t0) / 1e6;
    put.accept("heap of a full plan MB", (usedHeapAfterGc() - before) / 1e6);
    if (tasks.size() != perCommit * versions) {
      throw new IllegalStateException("planned " + tasks.size() + " tasks for " + shards);
    }
    tasks = null;
    put.accept(
        "plan full scan",
        runs == 1
            ? firstPlanMs
            : timed(runs, () -> fresh(dir, uri).latest().newScan().build().planTasks()));
    before = usedHeapAfterGc();
    t0 = System.nanoTime();
    SamplePlan plan = epochPlan(fresh(dir, uri).latest());
    double firstEpochMs = (System.nanoTime() - t0) / 1e6;
    put.accept("heap of an epoch plan MB", (usedHeapAfterGc() - before) / 1e6);
    System.out.println(BenchSupport.f("#   epoch of %,d samples", plan.size()));
    plan = null;
    put.accept(
        "feed epoch planning",
        runs == 1 ? firstEpochMs : timed(runs, () -> epochPlan(fresh(dir, uri).latest())));
    // Verify plans by listing every shard of the version, then checks each object.
    put.accept("verify planning", timed(runs, () -> fresh(dir, uri).latest().shards()));
    put.accept(
        "vacuum planning (dry run)",
        timed(runs, () -> Vacuum.builder(fresh(dir, uri)).dryRun(true).build().run(Progress.NONE)));
    CountingObjectStore vacuumed = counting(dir, uri);
    Vacuum.builder(Dataset.at(vacuumed, MlobjConf.of(Map.of())))
        .dryRun(true)
        .build()
        .run(Progress.NONE);
    put.accept("manifest reads, vacuum", (double) vacuumed.reads(LogLayout.MANIFESTS));
    return out;
  }

  /** What the feed does for an epoch: one task per block, then the shuffled sample order. */
  private static SamplePlan epochPlan(Snapshot snapshot) {
    List<ScanTask> blocks = snapshot.newScan().targetSplitRows(1).build().planTasks();
    return SamplePlan.of(blocks, 7, 0, true, 8192);
  }

  private static Dataset fresh(Path dir, String uri) {
    return Dataset.at(new LocalObjectStore(uri, dir), MlobjConf.of(Map.of()));
  }

  private static CountingObjectStore counting(Path dir, String uri) {
    return new CountingObjectStore(new LocalObjectStore(uri, dir));
  }

  private static double timed(int runs, Supplier<?> task) {
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      if (task.get() == null) {
        throw new IllegalStateException("nothing planned");
      }
      millis.add((System.nanoTime() - t) / 1e6);
    }
    return BenchSupport.median(millis);
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static List<Shard> synthetic(int count, long firstId, String day) {
    List<Shard> shards = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String id = UUID.randomUUID().toString();
      long min = (firstId + i) * ROWS_PER_SHARD;
      shards.add(
          new Shard(
              LogLayout.DATA + "day=" + day + "/" + id.substring(0, 2) + "/s-" + id + ".parquet",
              ShardFormat.PARQUET,
              ROWS_PER_SHARD,
              1 << 20,
              0x1234abcdL,
              List.of(ROWS_PER_SHARD / 2, ROWS_PER_SHARD / 2),
              Map.of(
                  "id", new ColumnStats(min, min + ROWS_PER_SHARD - 1, 0),
                  "label", new ColumnStats(0L, 9L, 0)),
              Map.of("day", day),
              Map.of()));
    }
    return shards;
  }
}
