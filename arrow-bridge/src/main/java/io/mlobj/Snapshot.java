package io.mlobj;

import io.mlobj.arrow.SchemaCodec;
import io.mlobj.internal.commit.SchemaEvolution;
import io.mlobj.internal.format.ManifestRef;
import io.mlobj.internal.format.VersionRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One immutable version of a dataset: schema, shards, properties and summary. Obtained from {@link
 * Dataset}; cheap to create (shards are loaded from manifests on first use).
 *
 * <p>Stable API.
 */
public final class Snapshot {
  private final Dataset dataset;
  private final VersionRecord record;
  private volatile Schema schema;
  private volatile List<Shard> shards;

  Snapshot(Dataset dataset, VersionRecord record) {
    this.dataset = dataset;
    this.record = record;
  }

  /** The dataset this version belongs to. */
  public Dataset dataset() {
    return dataset;
  }

  /** The version number (1, 2, ...). */
  public long version() {
    return record.version();
  }

  /** The version this one was built on; 0 for the first. */
  public long parentVersion() {
    return record.parentVersion();
  }

  /** Commit time, epoch milliseconds. */
  public long timestampMillis() {
    return record.summary().timestampMillis();
  }

  /** What the version did and who did it. */
  public VersionSummary summary() {
    return record.summary();
  }

  /** Dataset properties as of this version. */
  public Map<String, String> properties() {
    return record.properties();
  }

  /** Partition columns. */
  public List<String> partitionColumns() {
    return record.partitionColumns();
  }

  /** Application transactions recorded for idempotent streaming writes (app id to number). */
  public Map<String, Long> appTransactions() {
    Map<String, Long> out = new java.util.TreeMap<>();
    record
        .properties()
        .forEach(
            (k, v) -> {
              if (k.startsWith(Commit.APP_TXN_PREFIX)) {
                out.put(k.substring(Commit.APP_TXN_PREFIX.length()), Long.parseLong(v));
              }
            });
    return out;
  }

  /** The Arrow schema. */
  public Schema schema() {
    if (schema == null) {
      try {
        schema = SchemaCodec.fromBase64(record.schema());
      } catch (IOException | RuntimeException e) {
        throw MlobjErrors.malformed(
            dataset.uri() + " version " + version(),
            "its schema cannot be decoded: " + e.getMessage());
      }
    }
    return schema;
  }

  /** Total rows. */
  public long rows() {
    return record.summary().totalRows();
  }

  /** Total bytes of the shards. */
  public long bytes() {
    return record.summary().totalBytes();
  }

  /** All shards, in manifest order (loads the manifests once). */
  public List<Shard> shards() {
    if (shards == null) {
      List<Shard> all = new ArrayList<>();
      for (ManifestRef ref : record.manifests()) {
        all.addAll(dataset.log().manifest(ref).shards());
      }
      shards = List.copyOf(all);
    }
    return shards;
  }

  /**
   * The manifests this version references that are not in the store, as full URIs (one HEAD request
   * per manifest; versions reference few): the shards they list cannot be read, which the version's
   * summary alone would hide. Empty for an intact version.
   */
  public List<String> missingManifests() {
    List<String> missing = new ArrayList<>();
    for (ManifestRef ref : record.manifests()) {
      if (dataset.store().head(ref.path()).isEmpty()) {
        missing.add(dataset.objectUri(ref.path()));
      }
    }
    return missing;
  }

  /**
   * The dataset's schema once data of schema {@code incoming} is appended on top of this version,
   * as a commit would merge it: columns the data lacks and new columns must be nullable, new
   * columns go last, existing columns keep their type (nullability may widen). Lets a writer fail
   * before it writes any shard.
   *
   * @throws MlobjException {@code INVALID_ARGUMENT} naming the dataset and the offending column
   */
  public Schema mergeSchema(Schema incoming) {
    try {
      return SchemaEvolution.merge(schema(), incoming);
    } catch (IllegalArgumentException e) {
      throw MlobjErrors.incompatibleSchema(dataset.uri(), e.getMessage());
    }
  }

  /**
   * The manifest references, for the kernel's own tools and tests: the type is internal and may
   * change in any release (most callers want {@link #shards()}; see {@link #missingManifests()}).
   */
  public List<ManifestRef> manifests() {
    return record.manifests();
  }

  /** The raw version record, for the kernel's own tools and tests (internal type). */
  public VersionRecord record() {
    return record;
  }

  /** Starts planning a read of this version. */
  public ScanBuilder newScan() {
    return new ScanBuilder(this);
  }

  @Override
  public String toString() {
    return dataset.uri() + "@v" + version();
  }
}
