package io.mlobj.registry;

import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.MlobjConf;
import io.mlobj.internal.registry.AliasLog;
import io.mlobj.internal.registry.IndexWriter;
import io.mlobj.internal.registry.MetadataIndex;
import io.mlobj.internal.registry.RegistryCodec;
import io.mlobj.internal.registry.RegistryErrors;
import io.mlobj.internal.registry.RegistryLayout;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectNotFoundException;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStores;
import io.mlobj.store.PreconditionFailedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Model checkpoints as first-class, versioned objects under an object-store prefix, with
 * schema-less metadata, lineage to the dataset versions that trained them, tags, aliases with
 * rollback, and a metadata index that answers queries without scanning the bucket.
 *
 * <pre>{@code
 * try (CheckpointRegistry registry = CheckpointRegistry.open("s3a://ml/registry", conf)) {
 *   Checkpoint c = registry.put("resnet", bytes,
 *       Map.of("loss", "0.31", "framework", "pytorch"),
 *       List.of(Lineage.ref("s3a://ml/images", 3)));
 *   registry.tag("resnet", c.version(), "tested");
 *   registry.setAlias("resnet", "serving", c.version());
 *   byte[] model = registry.content(registry.alias("resnet", "serving")); // CRC32C-verified
 *   List<QueryHit> hits = registry.query().checkpoints().tag("tested")
 *       .trainedOn("s3a://ml/images", 3).run();
 * }
 * }</pre>
 *
 * <p>Consistency: checkpoint versions and alias steps are committed with put-if-absent, like the
 * dataset version log, so concurrent writers never overwrite each other and each gets a distinct
 * version. The model file is written before its record, so a visible record always has its file.
 * The datasets named in a checkpoint's lineage are registered in the index as it is stored (best
 * effort), so downstream lineage reaches the checkpoint through them. Index entries are written
 * after the record they describe; a writer that dies in between leaves a checkpoint the index does
 * not know, which {@link #reindex()} repairs. Index entries of dataset tags can go stale when a tag
 * moves; queries re-check those against the dataset.
 *
 * <p>The alias history lives in {@link AliasLog}; keeping the index current is {@link
 * IndexWriter}'s job.
 *
 * <p>Instances are thread-safe. {@link #close()} releases the store's connections.
 *
 * <p>Stable API.
 */
public final class CheckpointRegistry implements AutoCloseable {
  private static final byte[] EMPTY = new byte[0];
  private static final int MAX_ATTEMPTS = 20;

  private final String uri;
  private final MlobjConf conf;
  private final ObjectStore store;
  private final MetadataIndex index;
  private final IndexWriter indexWriter;
  private final AliasLog aliases;

  private CheckpointRegistry(String uri, MlobjConf conf) {
    this.uri = ObjectStores.normalize(uri);
    this.conf = conf;
    this.store = ObjectStores.open(this.uri, conf);
    this.index = new MetadataIndex(store);
    this.indexWriter = new IndexWriter(store, conf, index);
    this.aliases = new AliasLog(this.uri, store, this::user);
  }

  /** Opens (or starts) the registry under {@code rootUri}, e.g. {@code s3a://bucket/registry}. */
  public static CheckpointRegistry open(String rootUri, MlobjConf conf) {
    return new CheckpointRegistry(rootUri, conf);
  }

  /** Opens (or starts) the registry under {@code rootUri}. */
  public static CheckpointRegistry open(String rootUri, Map<String, String> conf) {
    return open(rootUri, MlobjConf.of(conf));
  }

  /** The normalized root URI. */
  public String uri() {
    return uri;
  }

  /** The configuration the registry was opened with (also used to open datasets). */
  public MlobjConf conf() {
    return conf;
  }

  /**
   * The store under the root: the storage SPI, for the kernel's tools and tests. Callers outside
   * the kernel use the registry's own calls ({@link #content}, {@link #contentUri}). Stable SPI.
   */
  public ObjectStore store() {
    return store;
  }

  /**
   * The full URI of a checkpoint's model file, for clients that fetch it with their own storage
   * client (e.g. {@code s3a://bucket/registry/...}); {@link #content} reads and verifies it.
   */
  public String contentUri(Checkpoint checkpoint) {
    return store.uri(checkpoint.contentKey());
  }

  // ---- checkpoints ----

  /**
   * Stores a model file as the next version of {@code model} (1 for a new model). The version is
   * committed with put-if-absent; a writer that loses the race takes the next number.
   *
   * @param lineage training inputs as {@code <dataset uri>@v<version>} ({@link Lineage#ref})
   * @return the committed checkpoint
   */
  public Checkpoint put(
      String model, byte[] content, Map<String, String> metadata, List<String> lineage) {
    RegistryLayout.checkName("model", model);
    List<String> refs = new ArrayList<>();
    for (String ref : lineage == null ? List.<String>of() : lineage) {
      Object[] parts = Lineage.parse(ref);
      if ((long) parts[1] <= 0 || ((String) parts[0]).isBlank()) {
        throw RegistryErrors.badLineage(ref);
      }
      refs.add(Lineage.ref(ObjectStores.normalize((String) parts[0]), (long) parts[1]));
    }
    long crc = crc32c(content);
    String contentKey = RegistryLayout.contentKey(model, UUID.randomUUID().toString());
    store.put(
        contentKey,
        content,
        Map.of("mlobj-model", model, "mlobj-crc32c", String.format("%08x", crc)));
    Checkpoint checkpoint = null;
    for (int attempt = 0; attempt < MAX_ATTEMPTS && checkpoint == null; attempt++) {
      long version = latestVersion(model) + 1;
      Checkpoint candidate =
          new Checkpoint(
              model,
              version,
              contentKey,
              content.length,
              crc,
              System.currentTimeMillis(),
              user(),
              metadata,
              refs,
              Set.of());
      try {
        store.putIfAbsent(
            RegistryLayout.versionKey(model, version),
            RegistryCodec.writeCheckpoint(candidate),
            Map.of());
        checkpoint = candidate;
      } catch (PreconditionFailedException e) {
        // Another writer took this version: take the next one.
      }
    }
    if (checkpoint == null) {
      throw RegistryErrors.contended("a checkpoint of model '" + model + "'", MAX_ATTEMPTS);
    }
    indexWriter.checkpoint(checkpoint);
    return checkpoint;
  }

  /** The checkpoint, if that version exists. */
  public Optional<Checkpoint> get(String model, long version) {
    RegistryLayout.checkName("model", model);
    String key = RegistryLayout.versionKey(model, version);
    byte[] bytes;
    try {
      bytes = store.read(key);
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    }
    Set<String> tags = new TreeSet<>();
    String prefix = RegistryLayout.tags(model) + RegistryLayout.num(version) + "/";
    for (ObjectInfo info : store.list(prefix, null)) {
      String tag = info.key().substring(prefix.length());
      if (isName(tag)) {
        tags.add(tag);
      }
    }
    return Optional.of(RegistryCodec.readCheckpoint(bytes, store.uri(key), tags));
  }

  /** The checkpoint; a missing one is an error naming how to list the versions. */
  public Checkpoint require(String model, long version) {
    return get(model, version)
        .orElseThrow(() -> RegistryErrors.checkpointNotFound(uri, model, version));
  }

  /** The newest checkpoint of a model. */
  public Checkpoint latest(String model) {
    long version = latestVersion(model);
    if (version == 0) {
      throw RegistryErrors.modelNotFound(uri, model);
    }
    return require(model, version);
  }

  /** The newest version number of a model, 0 if it has none. Lists the model's versions. */
  public long latestVersion(String model) {
    RegistryLayout.checkName("model", model);
    long latest = 0;
    for (ObjectInfo info : store.list(RegistryLayout.versions(model), null)) {
      latest =
          Math.max(
              latest,
              RegistryLayout.parseNum(
                  info.key().substring(RegistryLayout.versions(model).length())));
    }
    return latest;
  }

  /**
   * Reads a checkpoint's model file and verifies its size and CRC32C.
   *
   * @throws io.mlobj.MlobjException of kind CORRUPT if the bytes do not match the record
   */
  public byte[] content(Checkpoint checkpoint) {
    byte[] bytes;
    try {
      bytes = store.read(checkpoint.contentKey());
    } catch (ObjectNotFoundException e) {
      throw RegistryErrors.contentMissing(store.uri(checkpoint.contentKey()), checkpoint.ref());
    }
    long crc = crc32c(bytes);
    if (bytes.length != checkpoint.bytes() || crc != checkpoint.crc32c()) {
      throw RegistryErrors.contentDamaged(
          store.uri(checkpoint.contentKey()), checkpoint.ref(), checkpoint.crc32c(), crc);
    }
    return bytes;
  }

  /** All checkpoints of a model, oldest first; empty for an unknown model. */
  public List<Checkpoint> list(String model) {
    RegistryLayout.checkName("model", model);
    Map<Long, Set<String>> tags = new HashMap<>();
    String tagPrefix = RegistryLayout.tags(model);
    for (ObjectInfo info : store.list(tagPrefix, null)) {
      String rest = info.key().substring(tagPrefix.length());
      int slash = rest.indexOf('/');
      if (slash > 0 && isName(rest.substring(slash + 1))) {
        tags.computeIfAbsent(
                RegistryLayout.parseNum(rest.substring(0, slash)), v -> new TreeSet<>())
            .add(rest.substring(slash + 1));
      }
    }
    List<Checkpoint> out = new ArrayList<>();
    String prefix = RegistryLayout.versions(model);
    for (ObjectInfo info : store.list(prefix, null)) {
      long version = RegistryLayout.parseNum(info.key().substring(prefix.length()));
      if (version > 0) {
        out.add(
            RegistryCodec.readCheckpoint(
                store.read(info.key()),
                store.uri(info.key()),
                tags.getOrDefault(version, Set.of())));
      }
    }
    return out;
  }

  /** The names of all models, sorted. Lists the model index, not the checkpoints. */
  public List<String> models() {
    return store.list(RegistryLayout.INDEX_MODELS, null).stream()
        .map(info -> info.key().substring(RegistryLayout.INDEX_MODELS.length()))
        .filter(CheckpointRegistry::isName)
        .sorted()
        .toList();
  }

  // ---- tags ----

  /** Adds a tag such as {@code tested} to a checkpoint; adding it twice is harmless. */
  public Checkpoint tag(String model, long version, String tag) {
    RegistryLayout.checkName("tag", tag);
    Checkpoint checkpoint = require(model, version);
    store.put(RegistryLayout.tagKey(model, version, tag), EMPTY, Map.of());
    indexWriter.tagged(model, version, tag);
    Set<String> tags = new TreeSet<>(checkpoint.tags());
    tags.add(tag);
    return checkpoint.withTags(tags);
  }

  /** Removes a tag from a checkpoint; removing a missing tag is harmless. */
  public Checkpoint untag(String model, long version, String tag) {
    RegistryLayout.checkName("tag", tag);
    Checkpoint checkpoint = require(model, version);
    indexWriter.untagged(model, version, tag);
    store.delete(RegistryLayout.tagKey(model, version, tag));
    Set<String> tags = new TreeSet<>(checkpoint.tags());
    tags.remove(tag);
    return checkpoint.withTags(tags);
  }

  // ---- aliases ----

  /**
   * Points an alias (e.g. {@code serving}) at a checkpoint version, keeping the old target in the
   * alias history.
   */
  public AliasEntry setAlias(String model, String alias, long version) {
    RegistryLayout.checkName("alias", alias);
    require(model, version);
    return aliases.set(model, alias, version);
  }

  /** The checkpoint an alias points to, e.g. "the serving checkpoint of model M". */
  public Checkpoint alias(String model, String alias) {
    return findAlias(model, alias)
        .orElseThrow(() -> RegistryErrors.aliasNotFound(uri, model, alias));
  }

  /** The checkpoint an alias points to, if the alias was ever set. */
  public Optional<Checkpoint> findAlias(String model, String alias) {
    RegistryLayout.checkName("model", model);
    RegistryLayout.checkName("alias", alias);
    Optional<AliasEntry> current = aliases.current(model, alias);
    return current.isEmpty() ? Optional.empty() : get(model, current.get().version());
  }

  /** Every step of an alias, oldest first. */
  public List<AliasEntry> aliasHistory(String model, String alias) {
    RegistryLayout.checkName("model", model);
    RegistryLayout.checkName("alias", alias);
    return aliases.history(model, alias);
  }

  /** The current target version of every alias of a model, by alias name. */
  public Map<String, Long> aliases(String model) {
    RegistryLayout.checkName("model", model);
    return aliases.targets(model);
  }

  /**
   * Moves an alias back to the target it had before its current one. Rollbacks undo assignments in
   * order: after setting v1, v2, v3, two rollbacks lead to v2 then v1.
   *
   * @return the checkpoint the alias now points to
   */
  public Checkpoint rollbackAlias(String model, String alias) {
    RegistryLayout.checkName("model", model);
    RegistryLayout.checkName("alias", alias);
    return require(model, aliases.rollback(model, alias));
  }

  // ---- datasets in the index ----

  /**
   * Registers a dataset in the index, or brings its entry up to date: for every version not yet
   * indexed, the lineage sources of its summary ({@link Lineage#SOURCES}) and its short summary
   * properties; then the dataset's current tags. Costs one read per new version plus the tags.
   *
   * @return the number of versions newly indexed
   */
  public long indexDataset(Dataset dataset) {
    return indexWriter.dataset(dataset);
  }

  /** Records that a dataset version carries a tag (call after {@link Dataset#tag}). */
  public void indexDatasetTag(String datasetUri, String tag, long version) {
    RegistryLayout.checkName("tag", tag);
    indexWriter.datasetTag(datasetUri, tag, version);
  }

  /** The datasets registered in the index, sorted. */
  public List<String> datasets() {
    return indexWriter.datasets();
  }

  /**
   * Rebuilds the index entries of every checkpoint and registered dataset (after a writer died
   * between a record and its index entries). Reads every record: a maintenance operation, never
   * part of a query.
   */
  public void reindex() {
    indexWriter.reindexDatasets();
    for (ObjectInfo info : store.list(RegistryLayout.MODELS, null)) {
      String rest = info.key().substring(RegistryLayout.MODELS.length());
      String[] parts = rest.split("/");
      if (parts.length == 3 && parts[1].equals("versions")) {
        Optional<Checkpoint> checkpoint = get(parts[0], RegistryLayout.parseNum(parts[2]));
        // Also registers datasets whose registration was lost with the index.
        checkpoint.ifPresent(indexWriter::checkpoint);
      }
    }
  }

  /** Starts a metadata query over the index. */
  public RegistryQuery query() {
    return new RegistryQuery(this, index);
  }

  /** Walks lineage both ways from datasets and checkpoints. */
  public LineageWalker lineage() {
    return new LineageWalker(this, index);
  }

  private static boolean isName(String name) {
    try {
      RegistryLayout.checkName("name", name);
      return true;
    } catch (io.mlobj.MlobjException e) {
      return false;
    }
  }

  String user() {
    return conf.get("mlobj.user", System.getProperty("user.name", "unknown"));
  }

  static long crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length);
    return crc.getValue();
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "CheckpointRegistry(" + uri + ")";
  }
}
