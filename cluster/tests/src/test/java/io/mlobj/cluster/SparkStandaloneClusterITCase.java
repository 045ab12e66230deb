package io.mlobj.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.s3server.EmbeddedS3;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster: a Master and two Workers, each a separate JVM on 127.0.0.1,
 * started from a SPARK_HOME whose {@code jars/} the build assembles from Maven Central (Spark core
 * and SQL, no MLlib). Executors are the Workers' child JVMs. Jobs are submitted with {@code
 * SparkSubmit} in client mode with {@code --jars mlobj-spark-runtime.jar} and nothing else of
 * mlobj, against the embedded S3 server in this JVM.
 */
class SparkStandaloneClusterITCase {
  private static final String BUCKET = "cluster";
  private static final Duration START = Duration.ofMinutes(3);

  @TempDir static Path work;
  private static EmbeddedS3 s3;
  private static Path sparkHome;
  private static Path confDir;
  private static String masterUrl;
  private static final List<JvmProcess> daemons = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws IOException {
    s3 = EmbeddedS3.builder().build().start().createBucket(BUCKET);
    sparkHome = Path.of(System.getProperty("mlobj.cluster.spark.home")).toAbsolutePath();
    confDir = Files.createDirectories(work.resolve("conf"));
    Files.writeString(
        confDir.resolve("log4j2.properties"),
        String.join(
            "\n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.stdout.ref = console",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex",
            "logger.jetty.name = org.sparkproject.jetty",
            "logger.jetty.level = warn",
            ""));
    int port = freePort();
    masterUrl = "spark://127.0.0.1:" + port;
    JvmProcess master =
        daemon(
            "spark-master",
            "org.apache.spark.deploy.master.Master",
            List.of("--host", "127.0.0.1", "--port", "" + port, "--webui-port", "0"));
    master.awaitLog("I have been elected leader", START);
    for (int i = 1; i <= 2; i++) {
      Path dir = Files.createDirectories(work.resolve("worker-" + i));
      JvmProcess worker =
          daemon(
              "spark-worker-" + i,
              "org.apache.spark.deploy.worker.Worker",
              List.of(
                  masterUrl,
                  "--host",
                  "127.0.0.1",
                  "--cores",
                  "1",
                  "--memory",
                  "1g",
                  "--webui-port",
                  "0",
                  "--work-dir",
                  dir.toString()));
      worker.awaitLog("Successfully registered with master", START);
    }
  }

  @AfterAll
  static void stopCluster() {
    daemons.forEach(JvmProcess::close);
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void preprocessesReadsBackWithTimeTravelAndRunsTheSqlCatalogWithOnlyTheRuntimeJar()
      throws Exception {
    String base = "s3a://" + BUCKET + "/pipeline";
    JvmProcess job = submit("spark-submit-pipeline", List.of("pipeline", base, "2000"));
    assertThat(job.awaitExit(Duration.ofMinutes(10))).as("driver log: " + job.log()).isZero();
    assertThat(job.logText()).contains("mlobj-cluster-job: OK pipeline");
    // Executors (separate JVMs) ran the tasks of the mlobj scans and writes.
    assertThat(job.logText())
        .containsPattern("Finished task .* on 127\\.0\\.0\\.1 \\(executor \\d+\\)");
    assertThat(Dataset.open(base + "/images", s3.hadoopConf()).latestVersion()).isEqualTo(2);
  }

  @Test
  void aSigkilledExecutorInTheMiddleOfAWriteLeavesEveryRowExactlyOnce() throws Exception {
    String base = "s3a://" + BUCKET + "/killed";
    Path latch = Files.createDirectories(work.resolve("latch"));
    JvmProcess job =
        submit("spark-submit-gated-write", List.of("gated-write", base, "4000", latch.toString()));
    // Both executors hold a first attempt half way through its partition: kill one of them.
    long victim = awaitStartedTasks(latch, 2, job).get(0);
    ProcessHandle executor = ProcessHandle.of(victim).orElseThrow();
    assertThat(executor.info().commandLine().orElse("")).contains("CoarseGrainedExecutorBackend");
    executor.destroyForcibly();
    executor.onExit().get();
    Files.writeString(latch.resolve("go"), "");

    assertThat(job.awaitExit(Duration.ofMinutes(10))).as("driver log: " + job.log()).isZero();
    assertThat(job.logText())
        .contains("mlobj-cluster-job: OK gated-write")
        .containsPattern("Lost executor|ExecutorLostFailure|Executor .* exited");
    // One version: the killed attempt committed nothing and left nothing readable.
    assertThat(Dataset.open(base + "/gated", s3.hadoopConf()).latestVersion()).isEqualTo(1);
  }

  private static List<Long> awaitStartedTasks(Path latch, int count, JvmProcess job)
      throws IOException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      List<Long> pids;
      try (Stream<Path> files = Files.list(latch)) {
        pids =
            files
                .map(p -> p.getFileName().toString())
                .filter(n -> n.startsWith("started-"))
                .map(n -> Long.parseLong(n.substring(n.lastIndexOf('-') + 1)))
                .distinct()
                .toList();
      }
      if (pids.size() >= count) {
        return pids;
      }
      assertThat(job.handle().isAlive()).as("driver log: " + job.log()).isTrue();
      JvmProcess.sleep(200);
    }
    throw new IllegalStateException("No two executors started a task; see " + job.log());
  }

  /** {@code spark-submit} in client mode: what {@code $SPARK_HOME/bin/spark-submit} runs. */
  private static JvmProcess submit(String name, List<String> jobArgs) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "--master",
            masterUrl,
            "--deploy-mode",
            "client",
            "--class",
            SparkClusterJob.class.getName(),
            "--jars",
            Path.of(System.getProperty("mlobj.cluster.spark.runtime.jar"))
                .toAbsolutePath()
                .toString(),
            "--executor-memory",
            "512m",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.sql.catalog.ml=io.mlobj.spark.catalog.MlobjCatalog",
            "--conf",
            "spark.sql.catalog.ml.warehouse=s3a://" + BUCKET + "/warehouse"));
    for (Map.Entry<String, String> e : s3.hadoopConf().entrySet()) {
      args.add("--conf");
      args.add("spark.hadoop." + e.getKey() + "=" + e.getValue());
    }
    args.add(Path.of(System.getProperty("mlobj.cluster.jobs.jar")).toAbsolutePath().toString());
    args.addAll(jobArgs);
    return JvmProcess.start(
        name,
        List.of("-Xmx1g"),
        sparkClassPath(),
        "org.apache.spark.deploy.SparkSubmit",
        args,
        sparkEnv(),
        work);
  }

  private static JvmProcess daemon(String name, String mainClass, List<String> args) {
    JvmProcess p =
        JvmProcess.start(
            name, List.of("-Xmx256m"), sparkClassPath(), mainClass, args, sparkEnv(), work);
    daemons.add(p);
    return p;
  }

  private static String sparkClassPath() {
    return confDir + java.io.File.pathSeparator + sparkHome.resolve("jars") + "/*";
  }

  private static Map<String, String> sparkEnv() {
    return Map.of(
        "SPARK_HOME",
        sparkHome.toString(),
        "SPARK_SCALA_VERSION",
        "2.13",
        "SPARK_LOCAL_IP",
        "127.0.0.1",
        "SPARK_CONF_DIR",
        confDir.toString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
