package io.mlobj.flink.source;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.flink.util.Collector;

/**
 * A {@link MlobjDeserializer} that turns a whole Arrow batch into one record (e.g. a copy of the
 * batch, or a tensor of all its rows). The source's position then advances by whole batches.
 *
 * @param <T> the record type
 */
public interface MlobjBatchDeserializer<T> extends MlobjDeserializer<T> {
  /** The record for all rows of {@code batch}. */
  T deserializeBatch(VectorSchemaRoot batch);

  /** Not used for batch deserializers: the source calls {@link #deserializeBatch} instead. */
  @Override
  default void deserialize(VectorSchemaRoot batch, int row, Collector<T> out) {
    throw new UnsupportedOperationException(
        "Cannot deserialize single rows with a batch deserializer: call deserializeBatch.");
  }
}
