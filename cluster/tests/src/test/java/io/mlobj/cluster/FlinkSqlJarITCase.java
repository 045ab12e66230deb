package io.mlobj.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.s3server.EmbeddedS3;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flink {@code -sql} jar alone: a separate JVM whose class path is Flink's own jars (a lib/
 * assembled from Maven Central: runtime, clients, streaming, table API, planner loader, table
 * runtime, log4j) plus only {@code mlobj-flink-connector-<v>-sql.jar} runs Flink SQL {@code INSERT
 * INTO ... SELECT} into an mlobj table on the embedded S3 server and reads it back, so the shaded
 * S3 path (kernel, SDK, relocated packages) is exercised.
 */
class FlinkSqlJarITCase {
  @TempDir Path work;

  @Test
  void theSqlJarAloneWritesAndReadsAnMlobjTableOnS3() throws Exception {
    try (EmbeddedS3 s3 = EmbeddedS3.builder().build().start().createBucket("flink")) {
      String uri = "s3a://flink/sql/samples";
      List<String> args = new ArrayList<>(List.of(uri, "300"));
      for (Map.Entry<String, String> e : s3.hadoopConf().entrySet()) {
        args.add(e.getKey() + "=" + e.getValue());
      }
      Path lib = Path.of(System.getProperty("mlobj.cluster.flink.home")).resolve("lib");
      String classPath =
          JvmProcess.classPath(
                  Path.of(System.getProperty("mlobj.cluster.flink.sql.jar")).toAbsolutePath(),
                  Path.of(System.getProperty("mlobj.cluster.jobs.jar")).toAbsolutePath())
              + java.io.File.pathSeparator
              + lib.toAbsolutePath()
              + "/*";
      try (JvmProcess job =
          JvmProcess.start(
              "flink-sql-job",
              List.of("-Xmx1g"),
              classPath,
              FlinkSqlJob.class.getName(),
              args,
              Map.of(),
              work)) {
        assertThat(job.awaitExit(Duration.ofMinutes(10))).as("log: " + job.log()).isZero();
        assertThat(job.logText()).contains("mlobj-flink-sql-job: OK 300 rows");
      }
      assertThat(Dataset.open(uri, s3.hadoopConf()).latest().rows()).isEqualTo(300);
    }
  }
}
