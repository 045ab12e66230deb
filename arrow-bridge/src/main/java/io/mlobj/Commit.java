package io.mlobj;

import io.mlobj.internal.commit.CommitRequest;
import io.mlobj.internal.commit.Committer;
import io.mlobj.internal.commit.ShardPresence;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One atomic change to a dataset, built fluently and applied by {@link #commit()}. Get one from
 * {@link Dataset#newAppend()}, {@link Dataset#newOverwrite()}, {@link Dataset#newDelete} or {@link
 * Dataset#newReplace()}.
 *
 * <pre>{@code
 * Snapshot v = dataset.newAppend()
 *     .addShards(writer.complete())
 *     .summary("source", "s3a://raw/images@v12")
 *     .engine("spark-4.2.0", appId)
 *     .commit();
 * }</pre>
 *
 * <p>The commit either becomes one new version with all its shards, or (on an exception other than
 * {@link io.mlobj.commit.CommitStateUnknownException}) nothing is visible and the shards may be
 * deleted with {@link Dataset#deleteUncommitted}.
 *
 * <p>Stable API.
 */
public final class Commit {
  static final String APP_TXN_PREFIX = "mlobj.app-txn.";

  private final Dataset dataset;
  private final Operation operation;
  private long readVersion;
  private final List<Shard> added = new ArrayList<>();
  private boolean removeAll;
  private Predicate removeWhere;
  private final Set<String> removePaths = new HashSet<>();
  private Schema schema;
  private boolean replaceSchema;
  private List<String> partitionColumns;
  private final Map<String, String> setProperties = new TreeMap<>();
  private final Set<String> removeProperties = new HashSet<>();
  private long rollbackTo = -1;
  private final Map<String, String> summary = new LinkedHashMap<>();
  private String engine = "mlobj-java";
  private String appId;
  private String user;
  private String appTransactionId;
  private long appTransactionNumber;
  private boolean create;
  private long writeStartedMillis = Long.MAX_VALUE;
  private boolean checkShards;

  Commit(Dataset dataset, Operation operation, long readVersion) {
    this.dataset = dataset;
    this.operation = operation;
    this.readVersion = readVersion;
    this.user = dataset.conf().get("mlobj.user", System.getProperty("user.name", "unknown"));
  }

  /** Adds shards written by {@link DatasetWriter}s. */
  public Commit addShards(Collection<Shard> shards) {
    added.addAll(shards);
    return this;
  }

  /**
   * Adds every shard a writer wrote (completing it) and the writer's schema, so data of an
   * incompatible schema is refused at commit. Prefer this over {@link #addShards(Collection)} when
   * writer and commit run in the same process.
   */
  public Commit addShards(DatasetWriter writer) {
    added.addAll(writer.complete());
    writeStartedAt(writer.startedMillis());
    if (schema == null) {
      schema = writer.schema();
    }
    return this;
  }

  /** Removes exactly these shards (compaction); fails if one is already gone. */
  public Commit removeShards(Collection<Shard> shards) {
    shards.forEach(s -> removePaths.add(s.path()));
    return this;
  }

  /** The version the change was computed from; later versions are checked for conflicts. */
  public Commit readVersion(long version) {
    this.readVersion = version;
    return this;
  }

  /** The data's schema: merged into the dataset's (new nullable columns), or the new dataset's. */
  public Commit schema(Schema schema) {
    this.schema = schema;
    return this;
  }

  /** With an overwrite: replace the dataset's schema instead of merging. */
  public Commit replaceSchema(boolean replace) {
    this.replaceSchema = replace;
    return this;
  }

  /** Partition columns when this commit creates the dataset. */
  public Commit partitionColumns(List<String> columns) {
    this.partitionColumns = columns == null ? null : List.copyOf(columns);
    return this;
  }

  /** Sets a dataset property. */
  public Commit setProperty(String key, String value) {
    if (key.startsWith(APP_TXN_PREFIX)) {
      throw MlobjErrors.badOption("property", key, "a key not starting with " + APP_TXN_PREFIX);
    }
    setProperties.put(key, value);
    return this;
  }

  /** Removes a dataset property. */
  public Commit removeProperty(String key) {
    removeProperties.add(key);
    return this;
  }

  /** A free-form summary key/value, e.g. lineage {@code source = s3a://raw/x@v12}. */
  public Commit summary(String key, String value) {
    if (MlobjConf.isSecret(key)) {
      throw MlobjErrors.badOption("summary key", key, "a key that does not look like a secret");
    }
    summary.put(key, value);
    return this;
  }

  /** Free-form summary key/values. */
  public Commit summary(Map<String, String> values) {
    values.forEach(this::summary);
    return this;
  }

  /** The writing engine (e.g. {@code spark-4.2.0}) and its application or job id. */
  public Commit engine(String engine, String appId) {
    this.engine = engine;
    this.appId = appId;
    return this;
  }

  /** Who commits (default: the {@code mlobj.user} setting or the OS user). */
  public Commit user(String user) {
    this.user = user;
    return this;
  }

  /**
   * Makes the commit idempotent for a streaming writer: if the dataset already recorded {@code
   * number} (or a later one) for {@code writerId}, {@link #commit()} commits nothing and returns
   * the latest snapshot. Flink uses (job/sink id, checkpoint id); Spark streaming (query id, batch
   * id).
   */
  public Commit idempotent(String writerId, long number) {
    this.appTransactionId = writerId;
    this.appTransactionNumber = number;
    return this;
  }

  /**
   * When the write of the added shards began (epoch millis; the earliest wins when called again).
   * {@link #addShards(DatasetWriter)} sets it; engines that ship shards from tasks pass their
   * earliest task start. A commit whose write began longer ago than {@link
   * MlobjConf#COMMIT_CHECK_SHARDS_AFTER} checks that its shards still exist (a vacuum may have
   * deleted them as uncommitted) before it writes the version file.
   */
  public Commit writeStartedAt(long epochMillis) {
    this.writeStartedMillis = Math.min(writeStartedMillis, epochMillis);
    return this;
  }

  /**
   * Checks, before writing the version file, that every added shard exists with its recorded size
   * (one HEAD request per shard), whenever the write began; as {@link
   * MlobjConf#COMMIT_CHECK_SHARDS}{@code =true} does for every commit.
   */
  public Commit checkShardsExist() {
    this.checkShards = true;
    return this;
  }

  Commit removeAll() {
    this.removeAll = true;
    return this;
  }

  Commit removeWhere(Predicate predicate) {
    this.removeWhere = predicate;
    return this;
  }

  Commit rollbackTo(long version) {
    this.rollbackTo = version;
    return this;
  }

  Commit create() {
    this.create = true;
    return this;
  }

  /** Commits; see the class comment for what a failure means. */
  public Snapshot commit() {
    return commitWithOutcome().snapshot();
  }

  /**
   * Commits, reporting whether this call created the version or an {@link #idempotent} commit found
   * its transaction already recorded; see the class comment for what a failure means.
   */
  public CommitOutcome commitWithOutcome() {
    CommitRequest request =
        new CommitRequest(
            operation,
            readVersion,
            List.copyOf(added),
            removeAll,
            removeWhere,
            Set.copyOf(removePaths),
            schema,
            replaceSchema,
            partitionColumns,
            Map.copyOf(setProperties),
            Set.copyOf(removeProperties),
            rollbackTo,
            Map.copyOf(summary),
            engine,
            appId,
            user,
            appTransactionId,
            appTransactionNumber,
            create);
    ShardPresence.checkBeforeCommit(dataset, added, checkShards, writeStartedMillis);
    Committer.Result result = new Committer(dataset.log(), dataset.conf()).commit(request);
    return new CommitOutcome(
        new Snapshot(dataset, result.record()),
        result.alreadyCommitted()
            ? CommitOutcome.Status.ALREADY_COMMITTED
            : CommitOutcome.Status.COMMITTED);
  }
}
