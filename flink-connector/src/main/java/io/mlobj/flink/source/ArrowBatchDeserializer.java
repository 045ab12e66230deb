package io.mlobj.flink.source;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Emits every batch as an {@link ArrowBatch}; see {@link MlobjDeserializer#arrowBatches()}. */
final class ArrowBatchDeserializer implements MlobjBatchDeserializer<ArrowBatch> {
  private static final long serialVersionUID = 1L;

  @Override
  public ArrowBatch deserializeBatch(VectorSchemaRoot batch) {
    return ArrowBatch.of(batch);
  }

  @Override
  public TypeInformation<ArrowBatch> getProducedType() {
    return TypeInformation.of(ArrowBatch.class);
  }
}
