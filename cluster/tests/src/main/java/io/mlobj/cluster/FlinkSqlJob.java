package io.mlobj.cluster;

import java.util.HashSet;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * A Flink SQL job for the {@code -sql} jar check: run with Flink's own jars plus only the mlobj
 * {@code -sql} jar on the class path, it creates an mlobj table on S3, runs {@code INSERT INTO ...
 * SELECT} and reads every row back. Arguments: the dataset URI, the row count, then the storage
 * settings as {@code key=value}.
 */
public final class FlinkSqlJob {
  private FlinkSqlJob() {}

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    int rows = Integer.parseInt(args[1]);
    StringJoiner options = new StringJoiner(", ");
    options.add("'connector' = 'mlobj'").add("'path' = '" + uri + "'");
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      options.add("'" + args[i].substring(0, eq) + "' = '" + args[i].substring(eq + 1) + "'");
    }
    StringJoiner values = new StringJoiner(", ");
    for (int id = 0; id < rows; id++) {
      values.add("(" + id + ", " + (id % 10) + ")");
    }
    TableEnvironment sql = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    sql.executeSql("CREATE TABLE samples (id BIGINT, label INT) WITH (" + options + ")");
    sql.executeSql(
            "INSERT INTO samples SELECT CAST(id AS BIGINT), label FROM (VALUES "
                + values
                + ") AS t(id, label)")
        .await();
    Set<Long> ids = new HashSet<>();
    long count = 0;
    try (CloseableIterator<Row> it = sql.executeSql("SELECT id FROM samples").collect()) {
      while (it.hasNext()) {
        ids.add((Long) it.next().getField(0));
        count++;
      }
    }
    if (count != rows || ids.size() != rows) {
      throw new IllegalStateException("Read " + count + " rows, " + ids.size() + " distinct ids");
    }
    System.out.println("mlobj-flink-sql-job: OK " + count + " rows");
  }
}
