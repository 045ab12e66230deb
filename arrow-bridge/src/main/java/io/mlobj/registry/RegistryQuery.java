package io.mlobj.registry;

import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.Snapshot;
import io.mlobj.internal.registry.MetadataIndex;
import io.mlobj.internal.registry.MetadataIndex.Ref;
import io.mlobj.internal.registry.QueryParser;
import io.mlobj.internal.registry.RegistryLayout;
import io.mlobj.registry.QueryHit.Kind;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectNotFoundException;
import io.mlobj.store.ObjectStores;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A metadata query over a registry's index: checkpoints and dataset versions by tag, by lineage
 * (trained on / derived from a dataset version) and by metadata key/value.
 *
 * <pre>{@code
 * List<QueryHit> hits = registry.query()
 *     .checkpoints()
 *     .tag("tested")
 *     .trainedOn("s3a://ml/images", 3)
 *     .where("loss < 0.5")
 *     .run();
 * }</pre>
 *
 * <p>Evaluation: every indexed condition (tag, lineage, {@code key = value}, model) lists one index
 * prefix; the candidate set is the intersection. Conditions the index cannot answer ({@code <},
 * {@code >}, {@code !=}, long values) are checked on the candidates' records. Only a query with no
 * indexed condition at all enumerates the registry's checkpoints and registered datasets.
 *
 * <p>Stable API.
 */
public final class RegistryQuery {
  private static final Pattern CONDITION =
      Pattern.compile("\\s*([^<>=!\\s]+)\\s*(=|==|!=|<=|>=|<|>)\\s*(.*?)\\s*");

  /** Candidate count below which remaining conditions are checked on records, not listed. */
  static final int FEW = 256;

  private record Condition(String key, String op, String value) {}

  private final CheckpointRegistry registry;
  private final MetadataIndex index;
  private boolean wantCheckpoints = true;
  private boolean wantDatasets = true;
  private final List<String> tags = new ArrayList<>();
  private final List<Object[]> lineage = new ArrayList<>();
  private final List<Condition> conditions = new ArrayList<>();
  private String model;
  private String dataset;
  private int limit = 1000;

  RegistryQuery(CheckpointRegistry registry, MetadataIndex index) {
    this.registry = registry;
    this.index = index;
  }

  /** Only checkpoints. */
  public RegistryQuery checkpoints() {
    wantCheckpoints = true;
    wantDatasets = false;
    return this;
  }

  /** Only dataset versions. */
  public RegistryQuery datasets() {
    wantCheckpoints = false;
    wantDatasets = true;
    return this;
  }

  /** Carrying this tag. */
  public RegistryQuery tag(String tag) {
    RegistryLayout.checkName("tag", tag);
    tags.add(tag);
    return this;
  }

  /**
   * Trained on (checkpoints) or derived from (datasets) this dataset version; any version if {@code
   * version <= 0}.
   */
  public RegistryQuery trainedOn(String datasetUri, long version) {
    lineage.add(new Object[] {ObjectStores.normalize(datasetUri), version});
    return this;
  }

  /** A metadata condition: {@code key op value} with op one of = != < <= > >=. */
  public RegistryQuery where(String key, String op, String value) {
    String o = op.equals("==") ? "=" : op;
    if (!List.of("=", "!=", "<", "<=", ">", ">=").contains(o)) {
      throw MlobjErrors.badOption("where", key + op + value, "one of = != < <= > >=");
    }
    conditions.add(new Condition(key, o, value));
    return this;
  }

  /** A metadata condition written as {@code key=value}, {@code loss<0.5}, ... */
  public RegistryQuery where(String expression) {
    Matcher m = CONDITION.matcher(expression);
    if (!m.matches()) {
      throw MlobjErrors.badOption(
          "where", expression, "key<op>value with op one of = != < <= > >=, e.g. loss<0.5");
    }
    return where(m.group(1), m.group(2), m.group(3));
  }

  /** Checkpoints of this model only. */
  public RegistryQuery model(String name) {
    RegistryLayout.checkName("model", name);
    this.model = name;
    this.wantDatasets = false;
    return this;
  }

  /** Versions of this dataset only. */
  public RegistryQuery dataset(String uri) {
    this.dataset = ObjectStores.normalize(uri);
    this.wantCheckpoints = false;
    return this;
  }

  /**
   * Adds the conditions of a query sentence, e.g. {@code checkpoints tagged tested trained-on
   * s3a://b/images@v3} (see {@code docs/metadata.md} for the words).
   */
  public RegistryQuery parse(String expression) {
    return QueryParser.apply(this, expression);
  }

  /** At most this many hits (default 1000). */
  public RegistryQuery limit(int max) {
    if (max <= 0) {
      throw MlobjErrors.badOption("limit", String.valueOf(max), "a positive number");
    }
    this.limit = max;
    return this;
  }

  /** Runs the query and returns the hits. */
  public List<QueryHit> run() {
    return execute().hits();
  }

  /** Runs the query and returns hits plus what it cost. */
  public QueryResult execute() {
    long start = System.nanoTime();
    long calls0 = index.listCalls();
    long keys0 = index.keysListed();
    // Narrowest conditions first; once the candidates are few, the remaining conditions are
    // checked on the candidates' records instead of listing more (possibly large) prefixes.
    Set<Ref> candidates = null;
    for (Object[] l : lineage) {
      candidates = intersect(candidates, index.derivedFrom((String) l[0], (long) l[1]));
    }
    if (model != null && !fewEnough(candidates)) {
      candidates = intersect(candidates, modelVersions(model));
    }
    if (dataset != null && !fewEnough(candidates)) {
      candidates = intersect(candidates, datasetVersions(dataset));
    }
    for (Condition c : conditions) {
      if (c.op().equals("=")
          && MetadataIndex.indexable(c.key(), c.value())
          && !fewEnough(candidates)) {
        candidates = intersect(candidates, index.withMeta(c.key(), c.value()));
      }
    }
    for (String tag : tags) {
      if (!fewEnough(candidates)) {
        candidates = intersect(candidates, index.tagged(tag));
      }
    }
    if (candidates == null) {
      candidates = everything();
    }
    List<Ref> ordered =
        candidates.stream()
            .filter(r -> r.kind() == Kind.CHECKPOINT ? wantCheckpoints : wantDatasets)
            .sorted(
                Comparator.comparing(Ref::kind)
                    .thenComparing(Ref::name)
                    .thenComparingLong(Ref::version))
            .toList();
    List<QueryHit> hits = new ArrayList<>();
    long reads = 0;
    Map<String, Dataset> datasets = new HashMap<>();
    for (Ref ref : ordered) {
      if (hits.size() >= limit) {
        break;
      }
      reads++;
      Optional<QueryHit> hit = load(ref, datasets);
      if (hit.isPresent() && matches(hit.get(), datasets)) {
        hits.add(hit.get());
      }
    }
    return new QueryResult(
        hits,
        index.listCalls() - calls0,
        index.keysListed() - keys0,
        reads,
        (System.nanoTime() - start) / 1_000_000);
  }

  private Optional<QueryHit> load(Ref ref, Map<String, Dataset> datasets) {
    if (ref.kind() == Kind.CHECKPOINT) {
      return registry
          .get(ref.name(), ref.version())
          .map(c -> new QueryHit(Kind.CHECKPOINT, c.model(), c.version(), c, c.metadata()));
    }
    Dataset ds = datasets.computeIfAbsent(ref.name(), u -> Dataset.at(u, registry.conf()));
    try {
      Snapshot snapshot = ds.version(ref.version());
      Map<String, String> props = new java.util.TreeMap<>(snapshot.properties());
      props.putAll(snapshot.summary().properties());
      return Optional.of(new QueryHit(Kind.DATASET, ds.uri(), ref.version(), null, props));
    } catch (io.mlobj.MlobjException e) {
      if (e.kind() == io.mlobj.MlobjException.Kind.NOT_FOUND) {
        return Optional.empty(); // dataset or version gone since it was indexed
      }
      throw e;
    }
  }

  private boolean matches(QueryHit hit, Map<String, Dataset> datasets) {
    if (model != null && !(hit.kind() == Kind.CHECKPOINT && hit.name().equals(model))) {
      return false;
    }
    if (dataset != null && !(hit.kind() == Kind.DATASET && hit.name().equals(dataset))) {
      return false;
    }
    for (Condition c : conditions) {
      String actual = hit.properties().get(c.key());
      if (!compare(actual, c.op(), c.value())) {
        return false;
      }
    }
    if (hit.kind() == Kind.CHECKPOINT) {
      return hit.checkpoint().tags().containsAll(tags);
    }
    // Dataset tags can move after they were indexed: confirm against the dataset.
    Dataset ds = datasets.get(hit.name());
    for (String tag : tags) {
      if (ds.findTag(tag).map(t -> t.version() != hit.version()).orElse(true)) {
        return false;
      }
    }
    return true;
  }

  private static boolean fewEnough(Set<Ref> candidates) {
    return candidates != null && candidates.size() <= FEW;
  }

  static boolean compare(String actual, String op, String expected) {
    if (actual == null) {
      return op.equals("!=");
    }
    int cmp;
    try {
      cmp = Double.compare(Double.parseDouble(actual.trim()), Double.parseDouble(expected.trim()));
    } catch (NumberFormatException e) {
      cmp = actual.compareTo(expected);
    }
    return switch (op) {
      case "=" -> cmp == 0;
      case "!=" -> cmp != 0;
      case "<" -> cmp < 0;
      case "<=" -> cmp <= 0;
      case ">" -> cmp > 0;
      case ">=" -> cmp >= 0;
      default -> false;
    };
  }

  private static Set<Ref> intersect(Set<Ref> current, Set<Ref> more) {
    if (current == null) {
      return new LinkedHashSet<>(more);
    }
    current.retainAll(more);
    return current;
  }

  private Set<Ref> modelVersions(String name) {
    Set<Ref> out = new LinkedHashSet<>();
    String prefix = RegistryLayout.versions(name);
    for (ObjectInfo info : index.list(prefix)) {
      long v = RegistryLayout.parseNum(info.key().substring(prefix.length()));
      if (v > 0) {
        out.add(new Ref(Kind.CHECKPOINT, name, v));
      }
    }
    return out;
  }

  private Set<Ref> datasetVersions(String uri) {
    Set<Ref> out = new LinkedHashSet<>();
    long latest = Dataset.at(uri, registry.conf()).latestVersion();
    for (long v = 1; v <= latest; v++) {
      out.add(new Ref(Kind.DATASET, uri, v));
    }
    return out;
  }

  /** No indexed condition: every checkpoint and every version of every registered dataset. */
  private Set<Ref> everything() {
    Set<Ref> out = new LinkedHashSet<>();
    if (wantCheckpoints) {
      for (String m : registry.models()) {
        out.addAll(modelVersions(m));
      }
    }
    if (wantDatasets) {
      for (ObjectInfo info : index.list(RegistryLayout.INDEX_DATASETS)) {
        String uri =
            RegistryLayout.dec(info.key().substring(RegistryLayout.INDEX_DATASETS.length()));
        long indexed;
        try {
          indexed =
              Long.parseLong(
                  new String(registry.store().read(info.key()), StandardCharsets.UTF_8).trim());
        } catch (ObjectNotFoundException | NumberFormatException e) {
          continue;
        }
        for (long v = 1; v <= indexed; v++) {
          out.add(new Ref(Kind.DATASET, uri, v));
        }
      }
    }
    return out;
  }
}
