package io.mlobj.flink.sink;

import java.io.Serializable;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes one stream element into one row of an Arrow batch for {@link MlobjSink}. Use the vectors'
 * {@code setSafe} methods: the sink allocates the batch with default capacity and sets the row
 * count itself.
 *
 * <pre>{@code
 * ArrowRowSerializer<Sample> serializer = (sample, root, row) -> {
 *   ((IntVector) root.getVector("label")).setSafe(row, sample.label);
 *   ((VarCharVector) root.getVector("split")).setSafe(row, sample.split.getBytes(UTF_8));
 * };
 * }</pre>
 *
 * @param <IN> the element type
 */
@FunctionalInterface
public interface ArrowRowSerializer<IN> extends Serializable {
  /** Called once per writer with the schema of the batches, before the first element. */
  default void open(Schema schema) {}

  /** Writes {@code element} into row {@code row} of {@code root}. */
  void write(IN element, VectorSchemaRoot root, int row);
}
