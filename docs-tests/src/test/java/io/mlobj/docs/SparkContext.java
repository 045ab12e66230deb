package io.mlobj.docs;

import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code spark} context: {@code spark}, one shared {@code local[2]} session (UI off) whose
 * {@code spark.hadoop.fs.s3a.*} settings point at the embedded server, with the {@code ml} catalog
 * ({@code MlobjCatalog}, warehouse {@value #WAREHOUSE}); when a block names {@code ml.db.images},
 * that table is seeded like the other example datasets. Streaming queries a block starts are
 * stopped after it.
 */
public abstract class SparkContext extends Contexts.Base {
  static final String WAREHOUSE = "s3a://docs-warehouse/warehouse";

  static final List<String> IMPORTS =
      List.of(
          "org.apache.spark.sql.*",
          "org.apache.spark.sql.streaming.*",
          "java.util.*",
          "static org.apache.spark.sql.functions.*");

  private static SparkSession session;

  protected SparkSession spark;

  static Contexts.Context context(DocEnv env) {
    return new Contexts.Context(
        SparkContext.class,
        IMPORTS,
        (base, code) -> {
          env.s3.createBucket("docs-warehouse");
          if (code.contains("ml.db.images") && !code.contains("CREATE TABLE ml.db.images")) {
            env.seedImages(WAREHOUSE + "/db/images");
          }
          ((SparkContext) base).spark = session(env);
        });
  }

  private static synchronized SparkSession session(DocEnv env) {
    if (session == null) {
      SparkSession.Builder builder =
          SparkSession.builder()
              .master("local[2]")
              .appName("mlobj-docs")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.sql.catalog.ml", "io.mlobj.spark.catalog.MlobjCatalog")
              .config("spark.sql.catalog.ml.warehouse", WAREHOUSE);
      env.conf().forEach((k, v) -> builder.config("spark.hadoop." + k, v));
      session = builder.getOrCreate();
    }
    return session;
  }

  /** Stops the shared session, if one was started. */
  static synchronized void stop() {
    if (session != null) {
      session.stop();
      session = null;
    }
  }

  @Override
  public void close() throws Exception {
    for (var query : spark.streams().active()) {
      query.stop();
    }
  }
}
