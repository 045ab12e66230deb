package io.mlobj.flink.table;

import io.mlobj.flink.source.MlobjDeserializer;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;

/**
 * Turns Arrow batches into Flink {@link RowData} of a given row type; columns are matched by name,
 * so the batch may hold them in any order. Used by the SQL connector; DataStream users can use it
 * with the {@code TypeInformation} of their row type.
 */
public final class RowDataDeserializer implements MlobjDeserializer<RowData> {
  private static final long serialVersionUID = 1L;

  private final RowType rowType;
  private final TypeInformation<RowData> typeInfo;
  private transient ArrowReaders.ValueReader[] readers;
  private transient VectorSchemaRoot lastBatch;
  private transient FieldVector[] vectors;

  public RowDataDeserializer(RowType rowType, TypeInformation<RowData> typeInfo) {
    this.rowType = rowType;
    this.typeInfo = typeInfo;
  }

  @Override
  public void deserialize(VectorSchemaRoot batch, int row, Collector<RowData> out) {
    if (batch != lastBatch) {
      bind(batch);
    }
    GenericRowData result = new GenericRowData(vectors.length);
    for (int f = 0; f < vectors.length; f++) {
      result.setField(f, vectors[f] == null ? null : readers[f].read(vectors[f], row));
    }
    out.collect(result);
  }

  private void bind(VectorSchemaRoot batch) {
    List<RowType.RowField> fields = rowType.getFields();
    if (readers == null) {
      readers = new ArrowReaders.ValueReader[fields.size()];
      for (int f = 0; f < readers.length; f++) {
        readers[f] = ArrowReaders.forType(fields.get(f).getType());
      }
    }
    vectors = new FieldVector[fields.size()];
    for (int f = 0; f < vectors.length; f++) {
      vectors[f] = batch.getVector(fields.get(f).getName());
    }
    lastBatch = batch;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return typeInfo;
  }
}
