package io.mlobj;

import io.mlobj.internal.format.ManifestRef;
import io.mlobj.internal.format.VersionLog;
import io.mlobj.internal.format.VersionRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The changes of versions {@code (from, to]} of a dataset, one {@link Change} per version: the one
 * definition of "what a version added and removed" that streaming and incremental readers (Spark
 * Structured Streaming, the Flink continuous source) share. Get one from {@link Dataset#changes}.
 * Stable API.
 *
 * <pre>{@code
 * Changes changes = dataset.changes(lastRead, dataset.latestVersion())
 *     .select("image", "label")
 *     .filter(Predicates.eq("split", "train"));
 * for (Change change : changes.list()) {
 *   for (ScanTask task : change.newRowTasks(1_000_000)) { ... read with changes.schema() ... }
 * }
 * }</pre>
 *
 * <p>Only manifests that differ between consecutive versions are read: an append reads its one new
 * manifest.
 */
public final class Changes {
  private final Dataset dataset;
  private final long from;
  private final long to;
  private List<String> columns;
  private Predicate filter = Predicates.alwaysTrue();

  Changes(Dataset dataset, long from, long to) {
    if (from < 0 || to < from) {
      throw MlobjErrors.badOption(
          "changes",
          "(" + from + ", " + to + "]",
          "0 <= from <= to (versions after from up to to)");
    }
    this.dataset = dataset;
    this.from = from;
    this.to = to;
  }

  /** Columns to read (validated against version {@code to}); default: all. */
  public Changes select(String... columns) {
    return select(Arrays.asList(columns));
  }

  /** Columns to read (validated against version {@code to}); default: all. */
  public Changes select(List<String> columns) {
    this.columns = columns == null ? null : List.copyOf(columns);
    return this;
  }

  /** Leaves out shards that cannot match (by partition values and statistics). */
  public Changes filter(Predicate filter) {
    this.filter = filter == null ? Predicates.alwaysTrue() : filter;
    return this;
  }

  /** The schema of version {@code to} restricted to the selected columns, in their order. */
  public Schema schema() {
    if (to == 0) {
      throw MlobjErrors.datasetNotFound(dataset.uri());
    }
    Schema full = dataset.version(to).schema();
    if (columns == null) {
      return full;
    }
    List<String> known = full.getFields().stream().map(Field::getName).toList();
    List<Field> fields = new ArrayList<>();
    for (String column : columns) {
      if (!known.contains(column)) {
        throw MlobjErrors.unknownColumn(dataset.uri(), column, known);
      }
      fields.add(full.findField(column));
    }
    return new Schema(fields, full.getCustomMetadata());
  }

  /** One change per version in {@code (from, to]}, oldest first. */
  public List<Change> list() {
    if (columns != null) {
      schema(); // validates the selection
    }
    List<Change> out = new ArrayList<>();
    VersionLog log = dataset.log();
    VersionRecord before = from == 0 ? null : log.read(from);
    for (long v = from + 1; v <= to; v++) {
      VersionRecord record = log.read(v);
      out.add(diff(log, before, record));
      before = record;
    }
    return out;
  }

  /**
   * Shards in manifests that one version references and the other does not, minus those both sides
   * hold (a merged or rewritten manifest carries shards over).
   */
  private Change diff(VersionLog log, VersionRecord before, VersionRecord after) {
    Set<String> beforeRefs = new HashSet<>();
    if (before != null) {
      before.manifests().forEach(r -> beforeRefs.add(r.path()));
    }
    Set<String> afterRefs = new HashSet<>();
    after.manifests().forEach(r -> afterRefs.add(r.path()));
    Map<String, Shard> gone = new LinkedHashMap<>();
    if (before != null) {
      for (ManifestRef ref : before.manifests()) {
        if (!afterRefs.contains(ref.path())) {
          log.manifest(ref).shards().forEach(s -> gone.put(s.path(), s));
        }
      }
    }
    List<Shard> added = new ArrayList<>();
    Set<String> kept = new HashSet<>();
    for (ManifestRef ref : after.manifests()) {
      if (beforeRefs.contains(ref.path())) {
        continue;
      }
      for (Shard shard : log.manifest(ref).shards()) {
        if (gone.containsKey(shard.path())) {
          kept.add(shard.path());
        } else if (filter.mightMatch(shard)) {
          added.add(shard);
        }
      }
    }
    List<Shard> removed = new ArrayList<>();
    for (Shard shard : gone.values()) {
      if (!kept.contains(shard.path()) && filter.mightMatch(shard)) {
        removed.add(shard);
      }
    }
    return new Change(after.version(), after.summary().operation(), added, removed);
  }
}
