package io.mlobj.registry;

import java.util.Map;

/**
 * One result of a {@link RegistryQuery} or one node of a lineage walk: a checkpoint ({@code
 * model@vN}) or a dataset version ({@code uri@vN}).
 *
 * @param kind checkpoint or dataset version
 * @param name model name or dataset URI
 * @param version checkpoint or dataset version; -1 where a node stands for every version
 * @param checkpoint the checkpoint record for checkpoint hits, else null
 * @param properties the checkpoint metadata, or the dataset version's summary properties
 *     <p>Stable API.
 */
public record QueryHit(
    Kind kind, String name, long version, Checkpoint checkpoint, Map<String, String> properties) {
  /** What a hit is. */
  public enum Kind {
    CHECKPOINT,
    DATASET
  }

  public QueryHit {
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }

  /** {@code name@vN} (the {@link io.mlobj.Lineage} reference form). */
  public String ref() {
    return version < 0 ? name : name + "@v" + version;
  }
}
