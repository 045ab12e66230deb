package io.mlobj.bench;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Training-style rows: an id and a float32[16,16] tensor of random values (about 1 KiB a row). */
final class TensorData {
  static final int DIM = 16;
  static final int ROW_BYTES = 8 + DIM * DIM * 4;

  private TensorData() {}

  static Schema schema() {
    return new Schema(
        List.of(
            Field.notNullable("id", new ArrowType.Int(64, true)),
            FixedShapeTensorType.field(
                "embedding",
                new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE),
                DIM,
                DIM)));
  }

  /** Batches of {@code batchRows} rows adding up to about {@code totalBytes} of raw values. */
  static List<VectorSchemaRoot> batches(BufferAllocator allocator, long totalBytes, int batchRows) {
    SplittableRandom random = new SplittableRandom(7);
    long rows = totalBytes / ROW_BYTES;
    List<VectorSchemaRoot> out = new ArrayList<>();
    for (long first = 0; first < rows; first += batchRows) {
      int n = (int) Math.min(batchRows, rows - first);
      VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator);
      BigIntVector ids = (BigIntVector) root.getVector("id");
      FixedSizeListVector tensor =
          ((FixedShapeTensorVector) root.getVector("embedding")).getUnderlyingVector();
      ids.allocateNew(n);
      tensor.setInitialCapacity(n);
      tensor.allocateNew();
      Float4Vector values = (Float4Vector) tensor.getDataVector();
      for (int r = 0; r < n; r++) {
        ids.set(r, first + r);
        int base = tensor.startNewValue(r);
        for (int k = 0; k < DIM * DIM; k++) {
          values.setSafe(base + k, (float) random.nextDouble());
        }
      }
      root.setRowCount(n);
      out.add(root);
    }
    return out;
  }

  /**
   * Writes the batches into shards of about {@code shardBytes} and commits them to the dataset as
   * one append; returns the shards.
   */
  static List<Shard> append(
      Dataset dataset,
      ShardFormat format,
      long shardBytes,
      List<VectorSchemaRoot> batches,
      BufferAllocator allocator) {
    return append(dataset, format, null, shardBytes, batches, allocator);
  }

  /** As {@link #append}, with a shard compression codec ({@code null}: the format's default). */
  static List<Shard> append(
      Dataset dataset,
      ShardFormat format,
      String compression,
      long shardBytes,
      List<VectorSchemaRoot> batches,
      BufferAllocator allocator) {
    try (DatasetWriter writer =
        dataset
            .newWriter(schema())
            .format(format)
            .compression(compression)
            .targetShardBytes(shardBytes)
            .build(allocator)) {
      for (VectorSchemaRoot batch : batches) {
        writer.write(batch);
      }
      List<Shard> shards = writer.complete();
      dataset.newAppend().addShards(shards).commit();
      return shards;
    }
  }
}
