package io.mlobj.internal.commit;

import io.mlobj.ColumnStats;
import io.mlobj.Predicate;
import io.mlobj.Shard;
import io.mlobj.internal.format.ManifestRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a predicate over partition columns on partitions rather than rows. A partition column
 * whose value is null is known to be null (not unknown), so {@code source = 'a'} does not match the
 * null partition and {@code source IS NULL} matches only it.
 */
public final class PartitionFilter {
  private PartitionFilter() {}

  /** Whether rows of this partition may match; {@code partition} lacks or maps null columns. */
  public static boolean matches(
      Predicate predicate, List<String> columns, Map<String, String> partition) {
    Map<String, String> values = new HashMap<>();
    Map<String, ColumnStats> nulls = new HashMap<>();
    for (String column : columns) {
      String value = partition.get(column);
      if (value == null) {
        nulls.put(column, new ColumnStats(null, null, 1));
      } else {
        values.put(column, value);
      }
    }
    return predicate.mightMatch(new Shard("", null, 1, 0, 0, null, nulls, values, null));
  }

  /**
   * Whether a manifest may hold a shard of a matching partition, judged one column at a time from
   * its {@code partition-values} (other columns unknown). The null value is always a candidate,
   * since {@code partition-values} does not record it.
   */
  public static boolean mightHold(Predicate predicate, ManifestRef ref) {
    if (ref.partitionValues() == null) {
      return true;
    }
    for (String column : predicate.columns()) {
      if (ref.partitionValues().get(column) == null) {
        return true;
      }
    }
    for (Map.Entry<String, List<String>> e : ref.partitionValues().entrySet()) {
      List<String> column = List.of(e.getKey());
      if (matches(predicate, column, new HashMap<>())) {
        return true;
      }
      for (String value : e.getValue()) {
        if (matches(predicate, column, Map.of(e.getKey(), value))) {
          return true;
        }
      }
    }
    return false;
  }
}
