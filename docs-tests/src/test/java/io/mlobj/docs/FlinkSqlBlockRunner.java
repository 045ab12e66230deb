package io.mlobj.docs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs a {@code sql} block as Flink SQL, statement by statement ({@link SqlStatements}), in a
 * streaming {@code TableEnvironment} on the shared MiniCluster ({@link FlinkCluster}), as a user
 * runs them in the SQL client. The statements run as written, except that the endpoints and the
 * {@code '...'} credential placeholders are replaced by the embedded server's ({@link
 * DocEnv#localize}). The context the statements assume ({@code flink}, the only one for SQL):
 *
 * <ul>
 *   <li>the job configuration holds the embedded server's storage settings (the connector takes
 *       {@code fs.s3a.*} keys a table does not set from there, like {@code SET} in the SQL client);
 *   <li>{@code staging} and {@code kafka_source} are bounded tables of {@value #ROWS} rows {@code
 *       (id BIGINT, image ARRAY<FLOAT>, label INT, split STRING)}, images of 3x32x32 values: the
 *       stand-ins for the user's input tables.
 * </ul>
 *
 * <p>An {@code INSERT} must finish; a query is read to its end. A statement that fails, or does not
 * finish within {@value #TIMEOUT_S} s (a continuous query: mark such blocks skip), fails the block
 * at its line.
 */
final class FlinkSqlBlockRunner implements BlockRunner {
  /** Input tables the examples read, as the context defines them. */
  static final List<String> INPUT_TABLES = List.of("staging", "kafka_source");

  static final int ROWS = 8;
  static final long TIMEOUT_S = 180;

  private final DocEnv env;
  private final Path classes;

  FlinkSqlBlockRunner(DocEnv env, Path classes) {
    this.env = env;
    this.classes = classes;
  }

  @Override
  public void run(DocBlock block) throws Exception {
    String context = block.context("flink");
    if (!context.equals("flink")) {
      throw new AssertionError(
          block.where()
              + ": sql blocks run as Flink SQL (context flink), not in context '"
              + context
              + "'. Remove the marker, or mark the block <!-- docs-test: skip (why) -->.");
    }
    StreamTableEnvironment tables = tableEnvironment();
    for (SqlStatements.Statement statement : SqlStatements.split(env.localize(block.code()))) {
      try {
        execute(tables, statement);
      } catch (Exception | AssertionError e) {
        throw new AssertionError(
            block.file()
                + ":"
                + (block.line() + 1 + statement.line())
                + ": the "
                + statement.keyword()
                + " statement failed: "
                + e,
            e);
      }
    }
  }

  private StreamTableEnvironment tableEnvironment() throws Exception {
    FlinkCluster.Environment streams = FlinkCluster.environment(classes);
    StreamTableEnvironment tables = StreamTableEnvironment.create(streams);
    env.conf().forEach((k, v) -> tables.getConfig().set(k, v));
    RowTypeInfo type =
        new RowTypeInfo(
            new TypeInformation<?>[] {
              Types.LONG, Types.OBJECT_ARRAY(Types.FLOAT), Types.INT, Types.STRING
            },
            new String[] {"id", "image", "label", "split"});
    for (String name : INPUT_TABLES) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < ROWS; i++) {
        FlinkContext.Sample s = FlinkContext.Sample.of(2000 + i);
        Float[] image = new Float[s.image.length];
        for (int e = 0; e < image.length; e++) {
          image[e] = s.image[e];
        }
        rows.add(Row.of(s.id, image, s.label, s.split));
      }
      tables.createTemporaryView(name, streams.fromData(rows, type));
    }
    return tables;
  }

  private static void execute(StreamTableEnvironment tables, SqlStatements.Statement statement)
      throws Exception {
    TableResult result = tables.executeSql(statement.text());
    JobClient job = result.getJobClient().orElse(null);
    if (job == null) {
      return;
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicBoolean cancelled = new AtomicBoolean();
    CompletableFuture.delayedExecutor(TIMEOUT_S, TimeUnit.SECONDS)
        .execute(
            () -> {
              if (!done.get()) {
                cancelled.set(true);
                job.cancel();
              }
            });
    Exception failure = null;
    try {
      if (statement.keyword().equals("INSERT") || statement.keyword().equals("EXECUTE")) {
        result.await();
      } else {
        try (CloseableIterator<Row> rows = result.collect()) {
          rows.forEachRemaining(row -> {});
        }
      }
    } catch (Exception e) {
      failure = e;
    } finally {
      done.set(true);
    }
    if (cancelled.get()) {
      throw new AssertionError(
          "the job did not finish within "
              + TIMEOUT_S
              + " s and was cancelled; a continuous query cannot run in the docs harness: mark"
              + " the block <!-- docs-test: skip (why) -->",
          failure);
    }
    if (failure != null) {
      throw failure;
    }
  }
}
