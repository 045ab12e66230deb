package io.mlobj.feed.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.MlobjException;
import io.mlobj.arrow.BatchReader;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.rounding.SegmentRoundingPolicy;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** The server's decoded blocks: shared, kept while wanted, evicted under the budget. */
class DecodedBlocksTest {
  private static final Schema SCHEMA =
      new Schema(List.of(Field.notNullable("x", new ArrowType.Int(32, true))));

  /** 64 Ki ints: 256 KiB of values plus validity. */
  private static final int ROWS = 1 << 16;

  private static final long BLOCK = 264L << 10;
  private static final long MIB = 1L << 20;

  /** Rounds as the feed server's allocator does (4 KiB segments). */
  private static BufferAllocator root() {
    return new RootAllocator(
        AllocationListener.NOOP,
        Long.MAX_VALUE,
        new SegmentRoundingPolicy(FeedService.ALLOCATION_SEGMENT));
  }

  private static Function<BufferAllocator, Blocks.Decoded> block(int value) {
    return memory -> {
      VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, memory);
      IntVector x = (IntVector) root.getVector(0);
      x.allocateNew(ROWS);
      for (int i = 0; i < ROWS; i++) {
        x.set(i, value);
      }
      root.setRowCount(ROWS);
      BatchReader reader =
          new BatchReader() {
            @Override
            public boolean next() {
              return false;
            }

            @Override
            public VectorSchemaRoot root() {
              return root;
            }

            @Override
            public void close() {
              root.close();
            }
          };
      return new Blocks.Decoded(reader, root);
    };
  }

  private static int read(DecodedBlocks blocks, String key) {
    try (DecodedBlocks.Block b = blocks.acquire(key, BLOCK, block(key.hashCode()), "ds", 1)) {
      return ((IntVector) b.root().getVector(0)).get(ROWS - 1);
    }
  }

  @Test
  void aBlockTwoStreamsReadIsDecodedOnceAndFreedWhenNoRunningStreamWantsIt() {
    try (BufferAllocator root = root();
        DecodedBlocks blocks = new DecodedBlocks(16 * MIB, root);
        DecodedBlocks.Reservation a = blocks.admit("ds", 1, MIB, MIB, 1, BLOCK);
        DecodedBlocks.Reservation b = blocks.admit("ds", 1, MIB, MIB, 1, BLOCK)) {
      blocks.want(List.of("k"));
      blocks.want(List.of("k"));
      assertThat(read(blocks, "k")).isEqualTo("k".hashCode());
      assertThat(read(blocks, "k")).isEqualTo("k".hashCode());
      assertThat(blocks.decodes()).isEqualTo(1);
      blocks.unwant("k");
      assertThat(blocks.contains("k")).as("another stream still wants it").isTrue();
      blocks.unwant("k");
      assertThat(blocks.contains("k")).isFalse();
      assertThat(root.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void decodingBeyondTheBudgetEvictsTheLeastRecentlyUsedBlockAndStaysUnderIt() {
    // Room for the reservation (1 + 1 MiB) and three blocks.
    long budget = 2 * MIB + 3 * BLOCK;
    try (BufferAllocator root = root();
        DecodedBlocks blocks = new DecodedBlocks(budget, root);
        DecodedBlocks.Reservation r = blocks.admit("ds", 1, MIB, MIB, 1, BLOCK)) {
      List<String> keys = List.of("a", "b", "c", "d", "e");
      blocks.want(keys);
      for (String key : keys) {
        read(blocks, key);
      }
      assertThat(blocks.contains("a")).isFalse();
      assertThat(blocks.contains("b")).isFalse();
      assertThat(blocks.contains("e")).isTrue();
      assertThat(root.getPeakMemoryAllocation()).isLessThanOrEqualTo(budget - 2 * MIB);
      read(blocks, "a"); // decoded again, same rows
      assertThat(blocks.decodes()).isEqualTo(6);
    }
  }

  @Test
  void aStreamThatCannotFitEvenAloneIsRefusedAtOnceNamingTheSettings() {
    try (BufferAllocator root = root();
        DecodedBlocks blocks = new DecodedBlocks(4 * MIB, root)) {
      assertThatThrownBy(() -> blocks.admit("s3a://b/ds", 3, 3 * MIB, MIB, 1, BLOCK))
          .isInstanceOf(MlobjException.class)
          .hasMessageContaining("Cannot stream s3a://b/ds at version 3")
          .hasMessageContaining("batch_size")
          .hasMessageContaining("--memory-cap");
    }
  }

  @Test
  void aStreamGetsAsManyPreparingThreadsAsFit() {
    try (BufferAllocator root = root();
        DecodedBlocks blocks = new DecodedBlocks(MIB + 2 * MIB + BLOCK, root);
        DecodedBlocks.Reservation r = blocks.admit("ds", 1, MIB, MIB, 4, BLOCK)) {
      assertThat(r.threads()).isEqualTo(2);
    }
  }

  @Test
  void aStreamThatFitsAloneWaitsForARunningStreamToEndInsteadOfBeingRefused() throws Exception {
    try (BufferAllocator root = root();
        DecodedBlocks blocks = new DecodedBlocks(3 * MIB, root)) {
      DecodedBlocks.Reservation first = blocks.admit("ds", 1, MIB, MIB, 1, BLOCK);
      CompletableFuture<DecodedBlocks.Reservation> second =
          CompletableFuture.supplyAsync(() -> blocks.admit("ds", 1, MIB, MIB, 1, BLOCK));
      Thread.sleep(200);
      assertThat(second).isNotDone();
      first.close();
      try (DecodedBlocks.Reservation r = second.get()) {
        assertThat(r.threads()).isEqualTo(1);
      }
    }
  }
}
