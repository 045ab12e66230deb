package io.mlobj.flink.source;

import java.io.IOException;
import java.io.Serializable;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.util.Collector;

/**
 * Turns the rows of Arrow record batches read from shards into the records a {@link MlobjSource}
 * emits. Runs in the source's fetcher thread, so conversion overlaps with the rest of the pipeline.
 *
 * <p>The source checkpoints its position in rows: the records of one row are emitted together, and
 * a restored reader resumes at the first row whose records were not emitted. The batch is valid
 * only during the call: copy what must outlive it.
 *
 * <pre>{@code
 * MlobjDeserializer<Integer> labels = new MlobjDeserializer<>() {
 *   public void deserialize(VectorSchemaRoot batch, int row, Collector<Integer> out) {
 *     out.collect(((IntVector) batch.getVector("label")).get(row));
 *   }
 *   public TypeInformation<Integer> getProducedType() { return Types.INT; }
 * };
 * }</pre>
 *
 * <p>To emit whole batches instead of rows, implement {@link MlobjBatchDeserializer} (see {@link
 * #arrowBatches()}).
 *
 * @param <T> the record type
 */
public interface MlobjDeserializer<T> extends Serializable, ResultTypeQueryable<T> {
  /** Called once per reader before the first batch, with the schema of the batches. */
  default void open(Schema schema) {}

  /** Emits the records of row {@code row} of {@code batch} (usually exactly one). */
  void deserialize(VectorSchemaRoot batch, int row, Collector<T> out) throws IOException;

  /** Emits each batch as one {@link ArrowBatch} (an Arrow IPC copy). */
  static MlobjDeserializer<ArrowBatch> arrowBatches() {
    return new ArrowBatchDeserializer();
  }
}
