package io.mlobj.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.Snapshot;
import io.mlobj.examples.flink.FlinkIngest;
import io.mlobj.examples.spark.SparkPreprocess;
import io.mlobj.feed.FeedServer;
import io.mlobj.ops.Progress;
import io.mlobj.ops.Verifier;
import io.mlobj.ops.VerifyReport;
import io.mlobj.registry.Checkpoint;
import io.mlobj.registry.CheckpointRegistry;
import io.mlobj.registry.QueryHit;
import io.mlobj.s3server.EmbeddedS3;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The quickstart: the whole mlobj pipeline end to end on an embedded S3 server, in one process.
 *
 * <ol>
 *   <li>start an S3 server on 127.0.0.1 (S3Proxy, filesystem backend) with fresh credentials;
 *   <li>generate a raw image-like dataset (uint8 [3,32,32] + label);
 *   <li>Spark preprocessing: normalize to float32 tensors, split train/val, write version 1;
 *   <li>Flink streaming ingest: append samples, one version per checkpoint;
 *   <li>verify every shard and tag the latest version {@code tested};
 *   <li>serve it through the trainer feed to PyTorch ({@code examples/python/train.py}; a Java
 *       consumer stands in where Python or torch is missing) and store the checkpoint with its
 *       lineage in the registry;
 *   <li>print a summary and {@code mlobj query} results.
 * </ol>
 *
 * <p>Options: {@code --samples N} (default 20000), {@code --flink-samples N} (default 2000), {@code
 * --data DIR} (keep the S3 data there), {@code --java-trainer} (skip Python).
 */
public final class Quickstart {
  static final String BUCKET = "quickstart";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Quickstart() {}

  /** Settings of one run. */
  record Settings(int samples, int flinkSamples, Path dataDir, boolean javaTrainer) {
    static Settings parse(String[] args) {
      int samples = 20_000;
      int flink = 2_000;
      Path data = null;
      boolean java = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--samples" -> samples = Integer.parseInt(args[++i]);
          case "--flink-samples" -> flink = Integer.parseInt(args[++i]);
          case "--data" -> data = Path.of(args[++i]);
          case "--java-trainer" -> java = true;
          default ->
              throw new IllegalArgumentException(
                  "Cannot parse quickstart argument '"
                      + args[i]
                      + "'. Use [--samples N] [--flink-samples N] [--data DIR] [--java-trainer].");
        }
      }
      return new Settings(samples, flink, data, java);
    }
  }

  /** What the run produced, for the summary and for tests. */
  record Outcome(
      Snapshot tested, Checkpoint checkpoint, List<QueryHit> hits, String trainer, long seconds) {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  /** Runs the quickstart; returns the process exit code. */
  public static int run(String[] args) throws Exception {
    Settings settings = Settings.parse(args);
    EmbeddedS3.Builder builder = EmbeddedS3.builder();
    if (settings.dataDir() != null) {
      builder.dataDir(settings.dataDir());
    }
    try (EmbeddedS3 s3 = builder.build().start().createBucket(BUCKET)) {
      Outcome outcome = run(settings, s3);
      printSummary(outcome);
      return 0;
    }
  }

  static Outcome run(Settings settings, EmbeddedS3 s3) throws Exception {
    long started = System.nanoTime();
    Map<String, String> conf = s3.hadoopConf();
    String raw = "s3a://" + BUCKET + "/raw/images";
    String images = "s3a://" + BUCKET + "/datasets/images";
    String registryRoot = "s3a://" + BUCKET + "/registry";
    step(1, "Embedded S3 server on " + s3.endpoint() + " (data in " + s3.dataDir() + ")");

    step(
        2,
        "Generating " + settings.samples() + " synthetic images (uint8 3x32x32 + label) -> " + raw);
    Snapshot rawVersion = SyntheticImages.write(raw, conf, settings.samples(), 42);
    detail(rawVersion);

    step(3, "Spark preprocessing (normalize to float32, split train/val) -> " + images);
    SparkSession.Builder spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("mlobj-quickstart")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4");
    conf.forEach((k, v) -> spark.config("spark.hadoop." + k, v));
    SparkSession session = spark.getOrCreate();
    Snapshot preprocessed;
    try {
      preprocessed =
          SparkPreprocess.run(
              session, new SparkPreprocess.Options(raw, images, settings.samples(), 0.1, "arrow"));
    } finally {
      session.stop();
    }
    detail(preprocessed);

    step(
        4,
        "Flink streaming ingest: appending "
            + settings.flinkSamples()
            + " samples, one version per checkpoint");
    FlinkIngest.Options flink = FlinkIngest.Options.of(images, conf);
    Snapshot ingested =
        FlinkIngest.run(
            new FlinkIngest.Options(
                images,
                conf,
                settings.flinkSamples(),
                flink.firstId(),
                Math.max(500, settings.flinkSamples() / 2),
                flink.checkpointMillis(),
                flink.parallelism()));
    detail(ingested);

    step(
        5,
        "Verifying every shard (CRC32C) and tagging version " + ingested.version() + " 'tested'");
    Dataset dataset = Dataset.open(images, conf);
    VerifyReport report =
        Verifier.verify(dataset.version(ingested.version()), 2, false, Progress.NONE);
    if (!report.ok()) {
      throw new IllegalStateException("Cannot continue: verification failed: " + report.problems());
    }
    dataset.tag(
        "tested",
        ingested.version(),
        Map.of("by", "quickstart", "shards", String.valueOf(report.shardsChecked())),
        true);
    System.out.printf(
        "      %d shards, %.1f MB verified%n", report.shardsChecked(), report.bytesChecked() / 1e6);

    String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    Checkpoint checkpoint;
    String trainer;
    try (FeedServer feed =
        FeedServer.builder().conf(conf).token(token).checkpointRoot(registryRoot).build().start()) {
      boolean python = !settings.javaTrainer() && pythonWithTorch();
      trainer =
          python ? "PyTorch (examples/python/train.py)" : "Java consumer (nearest class mean)";
      step(
          6,
          "Training one epoch via the trainer feed on 127.0.0.1:"
              + feed.port()
              + " with "
              + trainer);
      TrainingJob job =
          new TrainingJob(feed.port(), token, images, ingested.version(), registryRoot, conf);
      checkpoint = python ? trainWithPython(job) : trainWithJava(job);
    }

    step(
        7,
        "Checkpoint "
            + checkpoint.ref()
            + " stored with lineage "
            + checkpoint.lineage()
            + "; tagging it 'tested'");
    List<QueryHit> hits;
    try (CheckpointRegistry registry = CheckpointRegistry.open(registryRoot, conf)) {
      registry.tag(checkpoint.model(), checkpoint.version(), "tested");
      registry.setAlias(checkpoint.model(), "serving", checkpoint.version());
      registry.indexDatasetTag(images, "tested", ingested.version());
      hits =
          registry
              .query()
              .parse(
                  "checkpoints tagged tested trained on "
                      + images
                      + " at version "
                      + ingested.version())
              .run();
      checkpoint = registry.require(checkpoint.model(), checkpoint.version());
    }
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    return new Outcome(dataset.version(ingested.version()), checkpoint, hits, trainer, seconds);
  }

  /**
   * What a trainer gets: the feed, the dataset version to train on, and the checkpoint registry.
   */
  private record TrainingJob(
      int port,
      String token,
      String images,
      long version,
      String registryRoot,
      Map<String, String> conf) {
    CheckpointRegistry registry() {
      return CheckpointRegistry.open(registryRoot, conf);
    }
  }

  private static Checkpoint trainWithJava(TrainingJob job) throws Exception {
    JavaTrainer.Result result =
        JavaTrainer.train(job.port(), job.token(), job.images(), job.version(), 10);
    try (CheckpointRegistry registry = job.registry()) {
      return registry.put(
          "nearest-mean",
          result.model(),
          Map.of(
              "framework", "java-nearest-class-mean",
              "samples", String.valueOf(result.samples()),
              "training_time_s", String.format("%.3f", result.seconds()),
              "val_accuracy", String.format("%.4f", result.valAccuracy()),
              "val_samples", String.valueOf(result.valSamples())),
          List.of(Lineage.ref(job.images(), job.version())));
    }
  }

  private static Checkpoint trainWithPython(TrainingJob job) throws Exception {
    List<String> command =
        List.of(
            python(),
            "examples/python/train.py",
            "--endpoint",
            "grpc+tcp://127.0.0.1:" + job.port(),
            "--token",
            job.token(),
            "--dataset",
            job.images(),
            "--version",
            String.valueOf(job.version()),
            "--model",
            "small-cnn",
            "--prepared");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String last = null;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("{")) {
          last = line;
        } else {
          System.out.println("      " + line);
        }
      }
    }
    if (process.waitFor() != 0 || last == null) {
      throw new IllegalStateException(
          "Cannot train with Python: train.py exited with "
              + process.exitValue()
              + ". Rerun with --java-trainer.");
    }
    JsonNode stored = JSON.readTree(last);
    try (CheckpointRegistry registry = job.registry()) {
      return registry.require(stored.path("model").asText(), stored.path("version").asLong());
    }
  }

  static String python() {
    return System.getenv().getOrDefault("MLOBJ_PYTHON", "python3");
  }

  static boolean pythonWithTorch() {
    if (!new File("examples/python/train.py").isFile()) {
      return false;
    }
    try {
      Process p =
          new ProcessBuilder(python(), "-c", "import torch, pyarrow, numpy")
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static void step(int n, String what) {
    System.out.printf("[%d/7] %s%n", n, what);
  }

  private static void detail(Snapshot s) {
    System.out.printf(
        "      -> %s: %,d rows in %d shards (%.1f MB), operation %s%n",
        s, s.rows(), s.summary().totalShards(), s.bytes() / 1e6, s.summary().operation());
  }

  private static void printSummary(Outcome o) {
    Snapshot s = o.tested();
    System.out.println();
    System.out.println("=== mlobj quickstart summary (" + o.seconds() + " s) ===");
    System.out.println(
        "Dataset " + s.dataset().uri() + ", tagged 'tested' at version " + s.version());
    for (Snapshot v : s.dataset().history(20)) {
      System.out.printf(
          "  v%-3d %-10s %-14s +%,d rows  total %,d rows  %s%n",
          v.version(),
          v.summary().operation(),
          v.summary().engine(),
          v.summary().rowsAdded(),
          v.rows(),
          v.summary().properties().getOrDefault(Lineage.SOURCES, ""));
    }
    Checkpoint c = o.checkpoint();
    System.out.println(
        "Checkpoint "
            + c.ref()
            + " ("
            + o.trainer()
            + "), "
            + c.bytes()
            + " bytes, tags "
            + c.tags());
    System.out.println("  lineage  " + c.lineage());
    Map<String, String> shown = new java.util.TreeMap<>(c.metadata());
    shown
        .keySet()
        .retainAll(
            List.of(
                "loss",
                "val_accuracy",
                "samples",
                "training_time_s",
                "samples_per_s",
                "framework"));
    System.out.println("  metadata " + shown);
    System.out.println(
        "Query: checkpoints tagged tested trained on "
            + s.dataset().uri()
            + " at version "
            + s.version());
    for (QueryHit hit : o.hits()) {
      System.out.println(
          "  -> " + hit.ref() + " (loss " + hit.properties().getOrDefault("loss", "n/a") + ")");
    }
    System.out.println();
    System.out.println("Explore it with the CLI: rerun with --data DIR to keep the S3 data, then");
    System.out.println(
        "  bin/mlobj s3 serve --data DIR --write-config ~/.mlobj/config.properties &");
    System.out.println("  bin/mlobj history " + s.dataset().uri());
    System.out.println(
        "  bin/mlobj query checkpoints tagged tested trained-on "
            + Lineage.ref(s)
            + " -r s3a://"
            + BUCKET
            + "/registry");
    System.out.println("  bin/mlobj lineage " + c.ref() + " -r s3a://" + BUCKET + "/registry");
  }
}
