package io.mlobj.spark.write;

import io.mlobj.Commit;
import io.mlobj.CommitOutcome;
import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.Predicate;
import io.mlobj.Predicates;
import io.mlobj.Shard;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/** Turns the shards of a write into one kernel {@link Commit} on the driver. */
final class ShardCommitter {
  private final Dataset dataset;
  private final long baseVersion;
  private final WriteMode mode;
  private final Predicate overwriteWhere;
  private final Schema schema;
  private final List<String> partitionBy;
  private final boolean replaceSchema;
  private final Map<String, String> summary;

  ShardCommitter(
      Dataset dataset,
      long baseVersion,
      WriteMode mode,
      Predicate overwriteWhere,
      Schema schema,
      List<String> partitionBy,
      boolean replaceSchema,
      Map<String, String> summary) {
    this.dataset = dataset;
    this.baseVersion = baseVersion;
    this.mode = mode;
    this.overwriteWhere = overwriteWhere;
    this.schema = schema;
    this.partitionBy = partitionBy;
    this.replaceSchema = replaceSchema;
    this.summary = summary;
  }

  Dataset dataset() {
    return dataset;
  }

  WriteMode mode() {
    return mode;
  }

  static List<Shard> shards(WriterCommitMessage[] messages) {
    List<Shard> out = new ArrayList<>();
    for (WriterCommitMessage m : messages) {
      if (m instanceof ShardsMessage s) {
        out.addAll(s.shards());
      }
    }
    return out;
  }

  /** When the earliest task of the write began, or {@link Long#MAX_VALUE} without messages. */
  static long writeStartedMillis(WriterCommitMessage[] messages) {
    long earliest = Long.MAX_VALUE;
    for (WriterCommitMessage m : messages) {
      if (m instanceof ShardsMessage s) {
        earliest = Math.min(earliest, s.writeStartedMillis());
      }
    }
    return earliest;
  }

  /** Deletes shards that will never be committed (best effort; vacuum removes leftovers). */
  void delete(List<Shard> shards) {
    dataset.deleteUncommitted(shards);
  }

  /**
   * Commits one version holding {@code shards}.
   *
   * @param writeStartedMillis when the earliest task began ({@link #writeStartedMillis}): a write
   *     older than the check age has its shards checked before the version is written
   * @param idempotentId streaming query id, or null
   * @param number streaming batch id
   */
  CommitOutcome commit(
      List<Shard> shards, long writeStartedMillis, String idempotentId, long number) {
    Commit commit;
    boolean exists = dataset.exists();
    switch (mode) {
      case OVERWRITE_ALL ->
          commit = exists ? dataset.newOverwrite().replaceSchema(replaceSchema) : append();
      case OVERWRITE_WHERE -> commit = exists ? dataset.newOverwrite(overwriteWhere) : append();
      case OVERWRITE_DYNAMIC -> {
        Predicate touched = touchedPartitions(shards);
        commit = exists && touched != null ? dataset.newOverwrite(touched) : append();
      }
      default -> commit = append();
    }
    if (mode != WriteMode.APPEND && exists) {
      commit.readVersion(Math.max(baseVersion, 1));
    }
    commit.addShards(shards).writeStartedAt(writeStartedMillis).schema(schema);
    if (!exists) {
      commit.partitionColumns(partitionBy);
    }
    SparkSession spark = SparkSession.active();
    String appId = spark.sparkContext().applicationId();
    commit.engine("spark-" + spark.version(), appId);
    commit.summary(Lineage.JOB, appId);
    List<String> sources = LineageFinder.sources(spark);
    if (!sources.isEmpty()) {
      commit.summary(Lineage.SOURCES, Lineage.join(sources));
    }
    commit.summary(summary);
    if (idempotentId != null) {
      commit.idempotent(idempotentId, number);
    }
    return commit.commitWithOutcome();
  }

  private Commit append() {
    return dataset.newAppend();
  }

  /** OR of the partition values present in the shards; null if there are none. */
  private Predicate touchedPartitions(List<Shard> shards) {
    Set<Map<String, String>> partitions = new LinkedHashSet<>();
    for (Shard s : shards) {
      partitions.add(s.partition());
    }
    if (partitions.isEmpty() || partitionBy.isEmpty()) {
      return partitionBy.isEmpty() && !partitions.isEmpty() ? Predicates.alwaysTrue() : null;
    }
    List<Predicate> any = new ArrayList<>();
    for (Map<String, String> p : partitions) {
      List<Predicate> all = new ArrayList<>();
      for (String column : partitionBy) {
        String value = p.get(column);
        all.add(value == null ? Predicates.isNull(column) : Predicates.eq(column, value));
      }
      any.add(Predicates.and(all.toArray(Predicate[]::new)));
    }
    return Predicates.or(any.toArray(Predicate[]::new));
  }
}
