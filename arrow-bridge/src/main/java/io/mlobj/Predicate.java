package io.mlobj;

import java.io.Serializable;
import java.util.Set;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A filter over rows, evaluated two ways: conservatively on a shard's statistics and partition
 * values to skip shards that cannot match ({@link #mightMatch}), and exactly on rows ({@link
 * #test}). Build with {@link Predicates}.
 *
 * <p>Stable API.
 */
public interface Predicate extends Serializable {
  /** False only if no row of the shard can match. */
  boolean mightMatch(Shard shard);

  /** Whether row {@code row} of the batch matches. Columns the batch lacks read as null. */
  boolean test(VectorSchemaRoot batch, int row);

  /** The columns the predicate reads. */
  Set<String> columns();
}
