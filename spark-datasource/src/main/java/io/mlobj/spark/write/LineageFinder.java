package io.mlobj.spark.write;

import io.mlobj.Lineage;
import io.mlobj.Snapshot;
import io.mlobj.spark.MlobjTable;
import io.mlobj.spark.read.MlobjScan;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SQLExecution;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation;
import scala.runtime.BoxedUnit;

/**
 * Finds the mlobj versions a write reads from, by walking the plan of the SQL execution that is
 * committing (the driver thread carries its execution id). The write's own target is a field of the
 * write command, not a child, so it is not counted.
 */
final class LineageFinder {
  private LineageFinder() {}

  /** {@code uri@vN} of every mlobj relation the running query reads; empty if none or unknown. */
  static List<String> sources(SparkSession spark) {
    String id = spark.sparkContext().getLocalProperty(SQLExecution.EXECUTION_ID_KEY());
    if (id == null) {
      return List.of();
    }
    QueryExecution qe = SQLExecution.getQueryExecution(Long.parseLong(id));
    if (qe == null) {
      return List.of();
    }
    Set<String> refs = new LinkedHashSet<>();
    collect(qe.optimizedPlan(), refs);
    if (refs.isEmpty()) {
      collect(qe.analyzed(), refs);
    }
    return new ArrayList<>(refs);
  }

  private static void collect(LogicalPlan plan, Set<String> refs) {
    plan.foreach(
        node -> {
          if (node instanceof DataSourceV2ScanRelation scan
              && scan.scan() instanceof MlobjScan mlobj) {
            refs.add(Lineage.ref(mlobj.snapshot()));
          } else if (node instanceof DataSourceV2Relation rel
              && rel.table() instanceof MlobjTable table
              && table.snapshot() != null) {
            Snapshot s = table.snapshot();
            refs.add(Lineage.ref(s));
          }
          return BoxedUnit.UNIT;
        });
  }
}
