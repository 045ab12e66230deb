package io.mlobj.registry;

import java.util.List;

/**
 * A node of a lineage walk.
 *
 * @param kind checkpoint or dataset version
 * @param name model name or dataset URI
 * @param version the version; -1 for "every version" (a dataset named without a version)
 * @param job the producing job ({@link io.mlobj.Lineage#JOB}) of a dataset version, or null
 * @param children inputs (walking upstream) or consumers (walking downstream)
 *     <p>Stable API.
 */
public record LineageNode(
    QueryHit.Kind kind, String name, long version, String job, List<LineageNode> children) {
  public LineageNode {
    children = children == null ? List.of() : List.copyOf(children);
  }

  /** {@code name@vN}, or the name alone for every version. */
  public String ref() {
    return version < 0 ? name : name + "@v" + version;
  }
}
