package io.mlobj;

import io.mlobj.arrow.BatchReader;
import io.mlobj.cache.LocalCache;
import io.mlobj.internal.format.FormatCodec;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.format.VersionFile;
import io.mlobj.internal.format.VersionLog;
import io.mlobj.internal.format.VersionRecord;
import io.mlobj.internal.store.LocalObjectCache;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectNotFoundException;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStores;
import io.mlobj.store.PreconditionFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A sharded, versioned dataset at a URI: the entry point of the mlobj kernel. Storage is bound
 * once, when the dataset is opened; every snapshot, scan, writer and commit uses it.
 *
 * <pre>{@code
 * Map<String, String> conf = Map.of(
 *     "fs.s3a.endpoint", "http://127.0.0.1:9000",
 *     "fs.s3a.path.style.access", "true",
 *     "fs.s3a.access.key", "...", "fs.s3a.secret.key", "...");
 * Dataset ds = Dataset.create("s3a://training/images", conf, schema, List.of("split"), Map.of());
 * try (DatasetWriter writer = ds.newWriter(schema).build(allocator)) {
 *   writer.write(batch);
 *   ds.newAppend().addShards(writer.complete()).commit();
 * }
 * Snapshot v1 = ds.version(1);                 // time travel
 * ds.tag("tested", 1, Map.of("by", "ci"));     // tags
 * }</pre>
 *
 * <p>Instances are thread-safe. A dataset handle caches immutable metadata only; it always looks
 * for newer versions when asked for the latest.
 *
 * <p>A handle opened from a URI ({@link #at(String, Map)}, {@link #open}, {@link #create}) holds a
 * share of a storage client (connections, threads) shared with other handles of the same settings;
 * {@link #close()} gives it back, and the last share closes the client. A handle on a store the
 * caller passed ({@link #at(ObjectStore, MlobjConf)}) leaves that store to the caller. Readers and
 * writers opened from a handle own their threads and release them when they close. Stable API.
 */
public final class Dataset implements AutoCloseable {
  /** The folder under a dataset's root that holds its log ({@link LogLayout#META}, no slash). */
  private static final String LOG_DIR = LogLayout.META.substring(0, LogLayout.META.length() - 1);

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Dataset.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final String uri;
  private final MlobjConf conf;
  private final ObjectStore store;
  private final VersionLog log;
  private final LocalObjectCache localCache;

  /** Whether this handle opened {@link #store} and so closes it. */
  private final boolean ownsStore;

  private Dataset(String uri, MlobjConf conf) {
    this(ObjectStores.open(ObjectStores.normalize(uri), conf), conf, true);
  }

  private Dataset(ObjectStore store, MlobjConf conf, boolean ownsStore) {
    this(store, conf, new VersionLog(store), LocalObjectCache.fromConf(conf), ownsStore);
  }

  private Dataset(
      ObjectStore store,
      MlobjConf conf,
      VersionLog log,
      LocalObjectCache localCache,
      boolean ownsStore) {
    this.uri = store.root();
    this.conf = conf;
    this.store = store;
    this.log = log;
    this.localCache = localCache;
    this.ownsStore = ownsStore;
  }

  /**
   * Gives back this handle's share of the storage client (see the class comment). Idempotent; the
   * handle must not be used afterwards. Handles derived from it ({@link #withoutLocalCache()})
   * share its store and must not outlive it.
   */
  @Override
  public void close() {
    if (ownsStore) {
      store.close();
    }
  }

  /**
   * A handle on a dataset in a custom {@link ObjectStore} (the storage SPI), rooted at the store's
   * root. Does no I/O on the store (a configured local cache directory is opened).
   */
  public static Dataset at(ObjectStore store, MlobjConf conf) {
    return new Dataset(store, conf, false);
  }

  /** A handle on the dataset at {@code uri}, which may not exist yet. Does no I/O on the store. */
  public static Dataset at(String uri, MlobjConf conf) {
    return new Dataset(uri, conf);
  }

  /** A handle on the dataset at {@code uri}, which may not exist yet. Does no I/O on the store. */
  public static Dataset at(String uri, Map<String, String> conf) {
    return at(uri, MlobjConf.of(conf));
  }

  /** Opens an existing dataset; a missing one is an error. */
  public static Dataset open(String uri, MlobjConf conf) {
    Dataset dataset = at(uri, conf);
    if (dataset.latestVersion() == 0) {
      throw MlobjErrors.datasetNotFound(dataset.uri);
    }
    return dataset;
  }

  /** Opens an existing dataset; a missing one is an error. */
  public static Dataset open(String uri, Map<String, String> conf) {
    return open(uri, MlobjConf.of(conf));
  }

  /** Creates an empty dataset (version 1); fails if one exists at {@code uri}. */
  public static Dataset create(
      String uri,
      Map<String, String> conf,
      Schema schema,
      List<String> partitionColumns,
      Map<String, String> properties) {
    Dataset dataset = at(uri, conf);
    Commit commit =
        new Commit(dataset, Operation.CREATE, 0)
            .create()
            .schema(schema)
            .partitionColumns(partitionColumns);
    properties.forEach(commit::setProperty);
    commit.commit();
    return dataset;
  }

  /**
   * The names of the datasets directly under {@code parentUri} (one path segment below it, each
   * with a version log), sorted: what a catalog shows as a namespace's tables. Lists every object
   * under the prefix.
   */
  public static List<String> list(String parentUri, MlobjConf conf) {
    Set<String> names = new TreeSet<>();
    try (ObjectStore store = ObjectStores.open(ObjectStores.normalize(parentUri), conf)) {
      for (ObjectInfo info : store.list("", null)) {
        String[] parts = info.key().split("/");
        if (parts.length > 2 && parts[1].equals(LOG_DIR)) {
          names.add(parts[0]);
        }
      }
    }
    return List.copyOf(names);
  }

  /**
   * Deletes the dataset: every object under its root, the data first and the version log last, so
   * that a drop cut short still reads as a dataset (whose shards are missing) and can be dropped
   * again. Not atomic: readers and writers of the dataset fail meanwhile. Objects under the root
   * that mlobj did not write are deleted too.
   *
   * @return how many objects were deleted
   */
  public int drop() {
    List<ObjectInfo> objects = store.list("", null);
    int deleted = 0;
    for (boolean log : new boolean[] {false, true}) {
      for (ObjectInfo info : objects) {
        if (info.key().startsWith(LOG_DIR + "/") == log) {
          store.delete(info.key());
          deleted++;
        }
      }
    }
    return deleted;
  }

  /** The normalized URI. */
  public String uri() {
    return uri;
  }

  /** The configuration the dataset was opened with. */
  public MlobjConf conf() {
    return conf;
  }

  /**
   * The full URI of an object of this dataset (e.g. a shard's {@link Shard#path()}), as messages
   * and caches name it.
   */
  public String objectUri(String key) {
    return store.uri(key);
  }

  /**
   * Reads {@code length} bytes at {@code position} of an object of this dataset (a ranged GET): for
   * readers that fetch single blocks of a shard (see {@link ShardCodec#openBlock}).
   */
  public byte[] readRange(String key, long position, int length) {
    return store.readRange(key, position, length);
  }

  /**
   * Reads one block of a shard (a Parquet row group, an Arrow IPC record batch) by ranged reads of
   * its object, without fetching the object whole: for readers that touch a few samples of many
   * shards (the feed's {@code take}). A ranged read cannot check the shard's whole-object CRC32C;
   * it checks what the format carries: the CRC of every Parquet page that has one (mlobj writes one
   * per page, as parquet-mr does by default), and Arrow IPC's own framing. What the codec parses of
   * a shard once (a Parquet footer) is kept in memory for later blocks, under the object's URI with
   * its size and CRC32C from the manifest, so those read only their column chunks.
   *
   * <pre>{@code
   * try (BatchReader block = dataset.readBlock(version, task, schema, allocator, null)) {
   *   if (block != null) {
   *     VectorSchemaRoot rows = block.root(); // the whole block; next() returns false
   *   }
   * }
   * }</pre>
   *
   * @param version the version the task was planned at, for errors
   * @param wanted the columns to read, with their Arrow types
   * @param listener told of each ranged request, or null
   * @return the block, loaded at once (close it), or null when its format does not read blocks by
   *     range or the file lacks a wanted column (read the shard whole instead)
   * @throws MlobjException {@code CORRUPT} naming the dataset, version and object when the block
   *     cannot be decoded, and for a Parquet page whose bytes do not match its CRC also the row
   *     group and column; {@code NOT_FOUND} when the object is gone
   */
  public BatchReader readBlock(
      long version,
      ScanTask task,
      Schema wanted,
      BufferAllocator allocator,
      RangeReadListener listener) {
    return BlockByRange.read(store, version, task, wanted, allocator, listener);
  }

  /** Told of each ranged request of {@link #readBlock}. */
  @FunctionalInterface
  public interface RangeReadListener {
    /** A request returned {@code bytes} bytes after {@code nanos} nanoseconds. */
    void onRead(int bytes, long nanos);
  }

  /**
   * The object store holding the dataset: the storage SPI this handle was bound to, for the
   * kernel's tools ({@code io.mlobj.ops}) and for callers that implement or test a store. Engine
   * adapters, the feed and the CLI use the purpose-built calls instead ({@link #newTaskReader},
   * {@link #readShardBytes}, {@link #readRange}, {@link #objectUri}, {@link #list}, {@link #drop},
   * {@link Snapshot#missingManifests}). Writing or deleting objects under the dataset's {@code
   * _mlobj/} prefix through it bypasses the commit protocol. Stable SPI.
   */
  public ObjectStore store() {
    return store;
  }

  /**
   * The local-disk cache of shards ({@code mlobj.cache.dir}, {@code mlobj.cache.size}), or null
   * when none is configured. Inside the kernel only: others see it as {@link LocalCache}.
   */
  LocalObjectCache localCache() {
    return localCache;
  }

  /**
   * Whether this handle's local cache holds a copy of the shard, so that reading it maps the copy
   * instead of fetching the object; always false without a local cache. The copy may still be
   * evicted before it is read.
   */
  public boolean isCachedLocally(Shard shard) {
    return localCache != null
        && localCache.contains(store.uri(shard.path()), shard.bytes(), shard.crc32c());
  }

  /**
   * This dataset read without its local cache: every shard is read from the object store (what
   * verifying the stored objects needs). Returns this handle when no cache is configured.
   */
  public Dataset withoutLocalCache() {
    return localCache == null ? this : new Dataset(store, conf, log, null, false);
  }

  /**
   * The version log, for the kernel's own tools and tests: its type is internal and may change in
   * any release. Adapters read versions through {@link #version}, {@link #history} and {@link
   * #changes}.
   */
  public VersionLog log() {
    return log;
  }

  /** Whether any version exists. */
  public boolean exists() {
    return latestVersion() > 0;
  }

  /** The latest version number, 0 if none. Never lists the whole log when the hint is present. */
  public long latestVersion() {
    return log.latestVersion();
  }

  /** The latest version. */
  public Snapshot latest() {
    long latest = latestVersion();
    if (latest == 0) {
      throw MlobjErrors.datasetNotFound(uri);
    }
    return new Snapshot(this, log.read(latest));
  }

  /** The latest version, or empty if the dataset does not exist yet (one lookup). */
  public Optional<Snapshot> findLatest() {
    long latest = latestVersion();
    return latest == 0 ? Optional.empty() : Optional.of(new Snapshot(this, log.read(latest)));
  }

  /** A given version. */
  public Snapshot version(long version) {
    if (version <= 0) {
      throw MlobjErrors.badOption("versionAsOf", String.valueOf(version), "a version number >= 1");
    }
    Optional<VersionRecord> record = log.find(version);
    if (record.isEmpty()) {
      long latest = latestVersion();
      if (latest == 0) {
        throw MlobjErrors.datasetNotFound(uri);
      }
      throw MlobjErrors.versionNotFound(uri, version, latest);
    }
    return new Snapshot(this, record.get());
  }

  /** The version a tag points to. */
  public Snapshot tagged(String tag) {
    return version(findTag(tag).orElseThrow(() -> MlobjErrors.tagNotFound(uri, tag)).version());
  }

  /**
   * The latest version committed at or before the time (binary search over the log). Damaged
   * version files are passed over (their commit time cannot be read): see {@link #resolveAsOf},
   * which also says which ones; this logs a warning when it skipped any.
   */
  public Snapshot asOf(long timestampMillis) {
    AsOfResolution resolution = resolveAsOf(timestampMillis);
    if (!resolution.skippedDamaged().isEmpty()) {
      LOG.warn(resolution.note());
    }
    return resolution.snapshot();
  }

  /**
   * The latest intact version committed at or before the time, and the damaged version files after
   * it that may have been current then (a damaged file's commit time cannot be read). Reads about
   * log2(versions) version files, plus the damaged ones it meets.
   *
   * @throws MlobjException NOT_FOUND when no intact version was committed by then; CORRUPT when the
   *     only candidates are damaged
   */
  public AsOfResolution resolveAsOf(long timestampMillis) {
    long latest = latestVersion();
    if (latest == 0) {
      throw MlobjErrors.datasetNotFound(uri);
    }
    // Binary search over intact versions: a damaged mid is replaced by the nearest intact version
    // below it within the range; if the range below it holds none, the search moves above it.
    long best = 0;
    long lo = 1;
    long hi = latest;
    while (lo <= hi) {
      long mid = (lo + hi) >>> 1;
      long m = mid;
      VersionRecord record = null;
      while (m >= lo && (record = intactRecord(m)) == null) {
        m--;
      }
      if (m < lo) {
        lo = mid + 1;
      } else if (record.summary().timestampMillis() <= timestampMillis) {
        best = m;
        lo = mid + 1;
      } else {
        hi = m - 1;
      }
    }
    List<HistoryEntry> damaged = new ArrayList<>();
    VersionRecord next = null;
    for (long v = best + 1; v <= latest && next == null; v++) {
      Optional<VersionFile> file = log.probe(v);
      if (file.isPresent() && file.get().intact()) {
        next = file.get().record();
      } else if (file.isPresent()) {
        damaged.add(new HistoryEntry(v, null, file.get().damage()));
      }
    }
    if (best == 0) {
      if (!damaged.isEmpty()) {
        throw damaged.get(0).damage(); // the only versions that may have been current are damaged
      }
      if (next == null) {
        throw MlobjErrors.datasetNotFound(uri);
      }
      throw MlobjErrors.noVersionAtTime(uri, timestampMillis, next.summary().timestampMillis());
    }
    return new AsOfResolution(version(best), damaged);
  }

  private VersionRecord intactRecord(long version) {
    return log.probe(version).filter(VersionFile::intact).map(VersionFile::record).orElse(null);
  }

  /** Resolves a time-travel choice. */
  public Snapshot snapshot(TimeTravel travel) {
    if (travel.version() > 0) {
      return version(travel.version());
    }
    if (travel.tag() != null) {
      return tagged(travel.tag());
    }
    if (travel.timestampMillis() >= 0) {
      return asOf(travel.timestampMillis());
    }
    return latest();
  }

  /** Versions from newest to oldest, at most {@code limit}. */
  public List<Snapshot> history(int limit) {
    List<Snapshot> out = new ArrayList<>();
    for (long v = latestVersion(); v >= 1 && out.size() < limit; v--) {
      log.find(v).ifPresent(r -> out.add(new Snapshot(this, r)));
    }
    return out;
  }

  /**
   * Versions from newest to oldest, at most {@code limit}, including damaged ones: a version file
   * that cannot be read (damaged, or of an unknown format version) is listed with its error instead
   * of failing the listing.
   */
  public List<HistoryEntry> historyEntries(int limit) {
    List<HistoryEntry> out = new ArrayList<>();
    for (long v = latestVersion(); v >= 1 && out.size() < limit; v--) {
      Optional<VersionFile> file = log.probe(v);
      if (file.isPresent()) {
        VersionFile f = file.get();
        out.add(
            new HistoryEntry(v, f.intact() ? new Snapshot(this, f.record()) : null, f.damage()));
      }
    }
    return out;
  }

  /**
   * Starts a reader of planned {@link ScanTask}s on a worker, for tasks that a driver planned and
   * shipped with their version (see {@link TaskReader}).
   *
   * @param schema the columns to read, as the driver's {@link Scan#schema()} gave them
   */
  public TaskReader.Builder newTaskReader(Schema schema) {
    return new TaskReader.Builder(this, schema);
  }

  /**
   * Fetches a shard's bytes, checking its size and (if asked) CRC32C against the manifest; from the
   * {@link #localCache()} when it holds the shard.
   *
   * @throws MlobjException naming dataset, version and object when missing or damaged
   */
  public byte[] readShardBytes(long version, Shard shard, boolean verifyChecksum) {
    return ShardIo.fetch(store, localCache, version, shard, verifyChecksum, null);
  }

  /**
   * Like {@link #readShardBytes}, without copying a locally cached shard: the buffer is then a
   * private mapping of the cached copy (the OS page cache, a direct buffer), which the caller owns:
   * take it over as Arrow memory with {@link LocalCache#adoptMapping}, which unmaps it when
   * released, else it stays mapped until a garbage collection finds it. Otherwise the buffer wraps
   * the fetched bytes (a heap buffer).
   */
  public java.nio.ByteBuffer readShardBuffer(long version, Shard shard, boolean verifyChecksum) {
    return ShardIo.fetchBuffer(store, localCache, version, shard, verifyChecksum, true, null);
  }

  /**
   * The changes of versions {@code (from, to]}: per version, the shards it added and removed and
   * which of them hold new rows (see {@link Changes}). {@code from} 0 starts before version 1.
   */
  public Changes changes(long from, long to) {
    return new Changes(this, from, to);
  }

  // ---- writes ----

  /** Starts a writer of shards for data of this schema. */
  public DatasetWriter.Builder newWriter(Schema schema) {
    return new DatasetWriter.Builder(this, schema);
  }

  /**
   * Deletes shards that a write uploaded and that will never be committed: the write failed or was
   * aborted, or its {@link CommitOutcome} says the transaction was already committed with other
   * shards. Best effort: a shard that cannot be deleted stays invisible and vacuum removes it.
   * Works from an interrupted thread (engines abort from cancelled tasks). Never call it after a
   * {@link io.mlobj.commit.CommitStateUnknownException}: the commit may have succeeded.
   *
   * @return how many shards were deleted
   */
  public int deleteUncommitted(java.util.Collection<Shard> shards) {
    // The S3 client refuses to send requests from an interrupted thread: clear the flag while
    // deleting, then restore it.
    boolean interrupted = Thread.interrupted();
    int deleted = 0;
    try {
      for (Shard shard : shards) {
        try {
          store.delete(shard.path());
          deleted++;
        } catch (RuntimeException e) {
          // Unreferenced objects are invisible; vacuum removes leftovers.
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return deleted;
  }

  /** Adds shards. Creates the dataset if needed (give {@link Commit#schema}). */
  public Commit newAppend() {
    return new Commit(this, Operation.APPEND, 0);
  }

  /** Replaces all shards with the added ones. Conflicts with data changes after the read. */
  public Commit newOverwrite() {
    return new Commit(this, Operation.OVERWRITE, latestVersion()).removeAll();
  }

  /**
   * Replaces the shards of the partitions matching {@code partitions} (a predicate over partition
   * columns) with the added ones; other partitions stay. Conflicts only with concurrent changes to
   * matching partitions.
   */
  public Commit newOverwrite(Predicate partitions) {
    return new Commit(this, Operation.OVERWRITE, latestVersion()).removeWhere(partitions);
  }

  /** Removes the shards of the partitions matching {@code partitions}. */
  public Commit newDelete(Predicate partitions) {
    return new Commit(this, Operation.DELETE, latestVersion()).removeWhere(partitions);
  }

  /** Swaps shards for others with the same rows (compaction): use removeShards and addShards. */
  public Commit newReplace() {
    return new Commit(this, Operation.REPLACE, latestVersion());
  }

  /**
   * Commits a new version restoring the shards and schema of {@code version}. Works when the latest
   * version file is damaged or of an unknown format (the one commit that may build past it): the
   * damaged file stays in the log, and the summary records it as {@code rollback-past-damaged}.
   */
  public Snapshot rollback(long version) {
    version(version); // validates it exists and is readable
    long latest = latestVersion();
    Commit commit =
        new Commit(this, Operation.ROLLBACK, latest)
            .rollbackTo(version)
            .summary("rollback-to", String.valueOf(version));
    log.probe(latest)
        .filter(f -> !f.intact())
        .ifPresent(f -> commit.summary("rollback-past-damaged", String.valueOf(latest)));
    return commit.commit();
  }

  /** Commits a new version with these dataset properties set. */
  public Snapshot setProperties(Map<String, String> properties) {
    Commit commit = new Commit(this, Operation.SET_PROPERTIES, 0);
    properties.forEach(commit::setProperty);
    return commit.commit();
  }

  // ---- tags ----

  /** Points a new tag at a version; an existing tag is an error unless {@code force}. */
  public Tag tag(String name, long version, Map<String, String> properties, boolean force) {
    checkName("tag", name);
    version(version);
    Tag tag =
        new Tag(
            name,
            version,
            System.currentTimeMillis(),
            conf.get("mlobj.user", System.getProperty("user.name", "unknown")),
            properties);
    byte[] bytes = FormatCodec.writeTag(tag);
    if (force) {
      store.put(LogLayout.tagKey(name), bytes, Map.of());
    } else {
      try {
        store.putIfAbsent(LogLayout.tagKey(name), bytes, Map.of());
      } catch (PreconditionFailedException e) {
        throw MlobjErrors.tagExists(uri, name, findTag(name).map(Tag::version).orElse(-1L));
      }
    }
    return tag;
  }

  /** Points a new tag at a version; an existing tag is an error. */
  public Tag tag(String name, long version, Map<String, String> properties) {
    return tag(name, version, properties, false);
  }

  /** The tag, if it exists. */
  public Optional<Tag> findTag(String name) {
    checkName("tag", name);
    String key = LogLayout.tagKey(name);
    try {
      return Optional.of(FormatCodec.readTag(store.read(key), store.uri(key)));
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    }
  }

  /** All tags, by name. */
  public List<Tag> tags() {
    List<Tag> out = new ArrayList<>();
    for (ObjectInfo info : store.list(LogLayout.TAGS, null)) {
      String name = info.key().substring(LogLayout.TAGS.length());
      if (name.endsWith(".json")) {
        findTag(name.substring(0, name.length() - 5)).ifPresent(out::add);
      }
    }
    return out;
  }

  /** Deletes a tag; a missing tag is an error. */
  public void deleteTag(String name) {
    if (findTag(name).isEmpty()) {
      throw MlobjErrors.tagNotFound(uri, name);
    }
    store.delete(LogLayout.tagKey(name));
  }

  static void checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw MlobjErrors.badName(what, String.valueOf(name));
    }
  }

  @Override
  public String toString() {
    return "Dataset(" + uri + ")";
  }
}
