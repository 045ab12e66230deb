package io.mlobj.internal.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Random;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridValuesWriter;
import org.junit.jupiter.api.Test;

/**
 * {@link RleLevelWriter} writes the bytes of parquet-mr's {@link
 * RunLengthBitPackingHybridValuesWriter} for the same levels, for every level width, whether the
 * levels come one by one or as repeated runs of any length (short runs that end up bit-packed, long
 * ones that become RLE runs, runs across 63-group bit-packed runs), page after page.
 */
class RleLevelWriterTest {
  @Test
  void writesParquetMrsBytesForRandomRunsOfLevelsOfEveryWidth() throws IOException {
    Random random = new Random(16);
    for (int maxLevel : new int[] {1, 2, 3, 7, 255}) {
      RleLevelWriter ours = new RleLevelWriter(maxLevel);
      for (int page = 0; page < 40; page++) {
        RunLengthBitPackingHybridValuesWriter theirs =
            new RunLengthBitPackingHybridValuesWriter(
                BytesUtils.getWidthFromMaxInt(maxLevel),
                64,
                1 << 20,
                new HeapByteBufferAllocator());
        int runs = random.nextInt(3000);
        for (int r = 0; r < runs; r++) {
          int level = random.nextInt(maxLevel + 1);
          // Mostly short runs (bit-packed), sometimes long ones (RLE).
          int length = random.nextInt(10) == 0 ? random.nextInt(600) : random.nextInt(12);
          for (int k = 0; k < length; k++) {
            theirs.writeInteger(level);
          }
          if (random.nextBoolean()) {
            ours.writeRepeated(level, length);
          } else {
            for (int k = 0; k < length; k++) {
              ours.write(level);
            }
          }
        }
        assertThat(ours.bufferedSize())
            .as("width of %d", maxLevel)
            .isEqualTo(theirs.getBufferedSize());
        assertThat(ours.toBytes().toByteArray())
            .as("max level %d, page %d", maxLevel, page)
            .isEqualTo(theirs.getBytes().toByteArray());
        ours.reset();
        theirs.close();
      }
    }
  }

  @Test
  void writesParquetMrsBytesForTensorRowLevels() throws IOException {
    for (int listSize : new int[] {1, 2, 7, 8, 9, 16, 256, 1000}) {
      RleLevelWriter repetition = new RleLevelWriter(1);
      RleLevelWriter definition = new RleLevelWriter(3);
      RunLengthBitPackingHybridValuesWriter theirRepetition =
          new RunLengthBitPackingHybridValuesWriter(1, 64, 1 << 20, new HeapByteBufferAllocator());
      RunLengthBitPackingHybridValuesWriter theirDefinition =
          new RunLengthBitPackingHybridValuesWriter(2, 64, 1 << 20, new HeapByteBufferAllocator());
      for (int row = 0; row < 500; row++) {
        if (row % 37 == 5) { // a null row
          repetition.write(0);
          definition.write(0);
          theirRepetition.writeInteger(0);
          theirDefinition.writeInteger(0);
          continue;
        }
        repetition.write(0);
        repetition.writeRepeated(1, listSize - 1);
        definition.writeRepeated(3, listSize);
        for (int k = 0; k < listSize; k++) {
          theirRepetition.writeInteger(k == 0 ? 0 : 1);
          theirDefinition.writeInteger(3);
        }
      }
      assertThat(repetition.toBytes().toByteArray())
          .as("list size %d", listSize)
          .isEqualTo(theirRepetition.getBytes().toByteArray());
      assertThat(definition.toBytes().toByteArray())
          .as("list size %d", listSize)
          .isEqualTo(theirDefinition.getBytes().toByteArray());
    }
  }
}
