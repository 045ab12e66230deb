package io.mlobj.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Scan;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.Snapshot;
import io.mlobj.arrow.BatchReader;
import io.mlobj.s3server.EmbeddedS3;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Flink session cluster: a JobManager and two TaskManagers (two slots each), each a separate
 * JVM on 127.0.0.1 started from a {@code lib/} that the build assembles from Maven Central ({@code
 * cluster/flink-home}). Jobs are submitted with the {@code flink} CLI, shipping only the
 * connector's {@code -sql} jar ({@code -C file:...}) next to the job jar, against the embedded S3
 * server in this JVM. Every check reads the output dataset back with the kernel and compares ids.
 */
class FlinkSessionClusterITCase {
  private static final String BUCKET = "flink";
  private static final Duration PROGRESS = Duration.ofMinutes(3);
  private static final long CHECKPOINT_MILLIS = 1000;

  @TempDir static Path work;
  private static EmbeddedS3 s3;
  private static FlinkSessionCluster cluster;
  private static int spareTaskManagers;
  private static final List<Dataset> inputs = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws IOException {
    s3 = EmbeddedS3.builder().build().start().createBucket(BUCKET);
    cluster =
        FlinkSessionCluster.start(
            Path.of(System.getProperty("mlobj.cluster.flink.home")), work, 2, "tm-1", "tm-2");
  }

  @AfterAll
  static void stopCluster() {
    inputs.forEach(Dataset::close);
    if (cluster != null) {
      cluster.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @AfterEach
  void cancelJobsLeftRunning() throws Exception {
    cluster.cancelRunningJobs();
  }

  @Test
  void aSigkilledTaskManagerMidStreamRestartsTheJobFromItsCheckpointWithEveryRowExactlyOnce()
      throws Exception {
    Dataset input = newInput("killed", 300);
    String output = "s3a://" + BUCKET + "/killed/out";
    Path gate = Files.createDirectories(work.resolve("gate"));
    String job = submitStream("killed", input.uri(), output, 2, null, "899@" + gate);
    awaitRows(output, 300, job);

    // The task that maps row 899 holds it: no checkpoint completes while this version is written.
    append(input, 300, 900);
    ProcessHandle taskManager = awaitHeld(gate, job);
    assertThat(taskManager.info().commandLine().orElse("")).contains("TaskManagerRunner");
    taskManager.destroyForcibly();
    taskManager.onExit().get();
    Files.writeString(gate.resolve("go"), "");
    // As a supervisor would, start a TaskManager in place of the killed one (the job does not
    // wait for it: the other TaskManager has two slots).
    String replacement = "tm-spare-" + (++spareTaskManagers);
    cluster.startTaskManager(replacement);
    append(input, 900, 1200);

    awaitRows(output, 1200, job);
    cluster.awaitMoreCheckpoints(job, 2, PROGRESS);
    assertEveryRowExactlyOnce(output, 1200);
    assertThat(cluster.jobManagerLog())
        .as("the JobManager restarted job %s from a checkpoint", job)
        .contains("(" + job + ") switched from state RUNNING to RESTARTING")
        .containsPattern("Restoring job " + job + " from Checkpoint \\d+");
    cluster.awaitRegistered(replacement);
  }

  @Test
  void stopWithSavepointAndResumingAtAnotherParallelismKeepsEveryRowExactlyOnce() throws Exception {
    Dataset input = newInput("rescaled", 300);
    String output = "s3a://" + BUCKET + "/rescaled/out";
    String first = submitStream("rescaled-p2", input.uri(), output, 2, null, "-");
    awaitRows(output, 300, first);

    append(input, 300, 600);
    JvmProcess.sleep(500);
    String stopped =
        cluster.flink("stop-with-savepoint", List.of("stop", "--type", "canonical", first));
    Matcher savepoint = Pattern.compile("Savepoint completed\\. Path: (\\S+)").matcher(stopped);
    assertThat(savepoint.find()).as("flink stop printed the savepoint path: %s", stopped).isTrue();
    assertThat(cluster.jobState(first)).isEqualTo("FINISHED");
    // Input committed while no job runs is read after the resume.
    append(input, 600, 900);

    String second = submitStream("rescaled-p1", input.uri(), output, 1, savepoint.group(1), "-");
    awaitRows(output, 900, second);
    cluster.awaitMoreCheckpoints(second, 2, PROGRESS);
    assertEveryRowExactlyOnce(output, 900);
    assertThat(cluster.get("/jobs/" + second))
        .as("the resumed job runs every vertex at parallelism 1")
        .contains("\"parallelism\":1")
        .doesNotContain("\"parallelism\":2");
    assertThat(cluster.jobManagerLog())
        .containsPattern("Restoring job " + second + " from Savepoint \\d+");
  }

  @Test
  void theSqlClientThroughTheSqlGatewayRunsInsertIntoSelectOnTheClusterWithOnlyTheSqlJar()
      throws Exception {
    Dataset input = newInput("sql", 300);
    String output = "s3a://" + BUCKET + "/sql/out";
    StringBuilder with = new StringBuilder();
    for (Map.Entry<String, String> e : s3.hadoopConf().entrySet()) {
      with.append(", '").append(e.getKey()).append("' = '").append(e.getValue()).append("'");
    }
    Path sqlJar = Path.of(System.getProperty("mlobj.cluster.flink.sql.jar")).toAbsolutePath();
    Path script = work.resolve("insert.sql");
    Files.writeString(
        script,
        String.join(
            "\n",
            "ADD JAR '" + sqlJar + "';",
            "SET 'table.dml-sync' = 'true';",
            "SET 'sql-client.execution.result-mode' = 'tableau';",
            "CREATE TABLE samples (id BIGINT, label INT) WITH ('connector' = 'mlobj', 'path' = '"
                + input.uri()
                + "'"
                + with
                + ");",
            "CREATE TABLE curated (id BIGINT, label INT) WITH ('connector' = 'mlobj', 'path' = '"
                + output
                + "'"
                + with
                + ");",
            "INSERT INTO curated SELECT id, label * 10 FROM samples;",
            "SET 'execution.runtime-mode' = 'batch';",
            "SELECT COUNT(*) AS n_rows, COUNT(DISTINCT id) AS n_ids FROM curated;",
            ""));
    int gateway = cluster.startSqlGateway();
    JvmProcess client =
        cluster.startSqlClient(
            List.of(
                "gateway",
                "--endpoint",
                "http://127.0.0.1:" + gateway,
                "--history",
                work.resolve("sql-history").toString(),
                "-f",
                script.toString()));
    try (client) {
      assertThat(client.awaitExit(Duration.ofMinutes(5))).as("log: " + client.log()).isZero();
    }
    assertThat(client.logText())
        .as("SQL client log %s", client.log())
        .doesNotContain("[ERROR]")
        .contains("Complete execution of the SQL update statement")
        .containsPattern("\\|\\s+300\\s+\\|\\s+300\\s+\\|");
    assertEveryRowExactlyOnce(output, 300);
    // Both statements ran as jobs of the session cluster, not in the gateway's JVM.
    assertThat(cluster.jobManagerLog())
        .contains(
            "Job insert-into_default_catalog.default_database.curated (",
            "Received job submission 'SELECT COUNT(*) AS `n_rows`")
        .containsPattern(
            "Job insert-into_default_catalog\\.default_database\\.curated \\([0-9a-f]{32}\\)"
                + " switched from state RUNNING to FINISHED");
  }

  /** Waits until the job's gate holds a row; returns the JVM (TaskManager) that holds it. */
  private static ProcessHandle awaitHeld(Path gate, String job) throws Exception {
    long deadline = System.nanoTime() + PROGRESS.toNanos();
    while (System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.list(gate)) {
        Optional<Long> pid =
            files
                .map(p -> p.getFileName().toString())
                .filter(n -> n.startsWith("held-"))
                .map(n -> Long.parseLong(n.substring("held-".length())))
                .findFirst();
        if (pid.isPresent()) {
          return ProcessHandle.of(pid.get()).orElseThrow();
        }
      }
      assertThat(cluster.jobState(job)).as("job %s%s", job, cluster.logs()).isEqualTo("RUNNING");
      JvmProcess.sleep(200);
    }
    throw new AssertionError("No task of job " + job + " reached the gate row" + cluster.logs());
  }

  /**
   * {@code flink run -d -p <parallelism> [-s <savepoint>] -C file:<-sql jar> -c FlinkStreamJob
   * <jobs jar> <in> <out> <checkpoint ms> <gate> <storage settings>}; returns the job id.
   */
  private static String submitStream(
      String name, String input, String output, int parallelism, String savepoint, String gate)
      throws InterruptedException {
    List<String> args = new ArrayList<>(List.of("run", "-d", "-p", "" + parallelism));
    if (savepoint != null) {
      args.addAll(List.of("-s", savepoint));
    }
    args.addAll(
        List.of(
            "-C",
            Path.of(System.getProperty("mlobj.cluster.flink.sql.jar"))
                .toAbsolutePath()
                .toUri()
                .toString(),
            "-c",
            FlinkStreamJob.class.getName(),
            Path.of(System.getProperty("mlobj.cluster.jobs.jar")).toAbsolutePath().toString(),
            input,
            output,
            "" + CHECKPOINT_MILLIS,
            gate));
    for (Map.Entry<String, String> e : s3.hadoopConf().entrySet()) {
      args.add(e.getKey() + "=" + e.getValue());
    }
    String out = cluster.flink("run-" + name, args);
    Matcher id = Pattern.compile("JobID ([0-9a-f]{32})").matcher(out);
    assertThat(id.find()).as("flink run printed the job id: %s", out).isTrue();
    return id.group(1);
  }

  /** Waits until the output dataset holds at least {@code rows} rows; fails if the job fails. */
  private static void awaitRows(String output, long rows, String job) throws Exception {
    long deadline = System.nanoTime() + PROGRESS.toNanos();
    long seen = 0;
    while (System.nanoTime() < deadline) {
      try (Dataset dataset = Dataset.at(output, s3.hadoopConf())) {
        seen = dataset.exists() ? dataset.latest().rows() : 0;
      }
      if (seen >= rows) {
        return;
      }
      String state = cluster.jobState(job);
      assertThat(state).as("job %s%s", job, cluster.logs()).isNotIn("FAILED", "CANCELED");
      JvmProcess.sleep(500);
    }
    throw new AssertionError(
        "Output "
            + output
            + " has "
            + seen
            + " rows after "
            + PROGRESS
            + ", not "
            + rows
            + "; job "
            + job
            + cluster.logs());
  }

  /** Creates an input dataset whose first version holds ids {@code 0 .. rows-1}. */
  private static Dataset newInput(String name, long rows) {
    Dataset dataset =
        Dataset.create(
            "s3a://" + BUCKET + "/" + name + "/in",
            s3.hadoopConf(),
            FlinkStreamJob.SCHEMA,
            List.of(),
            Map.of());
    inputs.add(dataset);
    append(dataset, 0, rows);
    return dataset;
  }

  /** Commits one version of ids {@code from .. to-1} (label {@code id % 7}) in two shards. */
  private static void append(Dataset dataset, long from, long to) {
    List<Shard> shards = new ArrayList<>();
    long middle = (from + to) / 2;
    shards.addAll(writeShard(dataset, from, middle));
    shards.addAll(writeShard(dataset, middle, to));
    dataset.newAppend().addShards(shards).commit();
  }

  private static List<Shard> writeShard(Dataset dataset, long from, long to) {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(FlinkStreamJob.SCHEMA, allocator);
        DatasetWriter writer = dataset.newWriter(FlinkStreamJob.SCHEMA).build(allocator)) {
      BigIntVector ids = (BigIntVector) root.getVector("id");
      IntVector labels = (IntVector) root.getVector("label");
      int row = 0;
      for (long id = from; id < to; id++, row++) {
        ids.setSafe(row, id);
        labels.setSafe(row, (int) (id % 7));
      }
      root.setRowCount(row);
      writer.write(root);
      return writer.complete();
    }
  }

  /** Reads the output's latest version with the kernel: ids 0 .. rows-1, each once, mapped. */
  private static void assertEveryRowExactlyOnce(String output, int rows) {
    Map<Long, Integer> counts = new TreeMap<>();
    List<String> wrongLabels = new ArrayList<>();
    try (Dataset dataset = Dataset.open(output, s3.hadoopConf());
        BufferAllocator allocator = new RootAllocator()) {
      Snapshot snapshot = dataset.latest();
      Scan scan = snapshot.newScan().build();
      for (Shard shard : snapshot.shards()) {
        try (BatchReader reader = scan.openTask(ScanTask.whole(shard), allocator)) {
          while (reader.next()) {
            BigIntVector ids = (BigIntVector) reader.root().getVector("id");
            IntVector labels = (IntVector) reader.root().getVector("label");
            for (int i = 0; i < reader.root().getRowCount(); i++) {
              long id = ids.get(i);
              counts.merge(id, 1, Integer::sum);
              if (labels.get(i) != (id % 7) * 10) {
                wrongLabels.add(id + "->" + labels.get(i));
              }
            }
          }
        }
      }
    }
    List<Long> duplicated =
        counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    List<Long> missing = new ArrayList<>();
    for (long id = 0; id < rows; id++) {
      if (!counts.containsKey(id)) {
        missing.add(id);
      }
    }
    assertThat(duplicated).as("ids written more than once to %s", output).isEmpty();
    assertThat(missing).as("ids missing from %s", output).isEmpty();
    assertThat(counts).as("ids in %s", output).hasSize(rows);
    assertThat(wrongLabels).as("rows of %s not mapped by the job", output).isEmpty();
  }
}
