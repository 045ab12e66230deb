package io.mlobj.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.ColumnStats;
import io.mlobj.MlobjException;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.flink.sink.MlobjCommittable;
import io.mlobj.flink.sink.MlobjCommittableSerializer;
import io.mlobj.flink.source.enumerator.MlobjEnumeratorState;
import io.mlobj.flink.source.enumerator.MlobjEnumeratorStateSerializer;
import io.mlobj.flink.source.split.MlobjSplit;
import io.mlobj.flink.source.split.MlobjSplitSerializer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checkpointed types survive their versioned serializers unchanged. */
class MlobjSerializersTest {
  private static final Shard SHARD =
      new Shard(
          "data/7f/abc-123.parquet",
          ShardFormat.PARQUET,
          300,
          4096,
          0xdeadbeefL,
          List.of(100L, 100L, 100L),
          Map.of("label", new ColumnStats(0L, 9L, 2), "split", new ColumnStats("test", "train", 0)),
          Map.of("split", "train"),
          Map.of("k", "v"));

  @Test
  void splitWithPositionRoundTrips() throws Exception {
    MlobjSplit split = new MlobjSplit(12, new ScanTask(SHARD, 1, 2, 200, 100), 37);
    MlobjSplit back =
        MlobjSplitSerializer.INSTANCE.deserialize(
            MlobjSplitSerializer.VERSION, MlobjSplitSerializer.INSTANCE.serialize(split));
    assertThat(back.splitId()).isEqualTo(split.splitId());
    assertThat(back.version()).isEqualTo(12);
    assertThat(back.rowsEmitted()).isEqualTo(37);
    assertThat(back.task().firstBatch()).isEqualTo(1);
    assertThat(back.task().batchCount()).isEqualTo(2);
    assertThat(back.task().shard().path()).isEqualTo(SHARD.path());
    assertThat(back.task().shard().crc32c()).isEqualTo(SHARD.crc32c());
    assertThat(back.task().shard().batchRows()).isEqualTo(SHARD.batchRows());
    assertThat(back.task().shard().partition()).isEqualTo(SHARD.partition());
  }

  @Test
  void enumeratorStateRoundTrips() throws Exception {
    MlobjEnumeratorState state =
        new MlobjEnumeratorState(
            5,
            List.of(
                MlobjSplit.of(4, ScanTask.whole(SHARD)), MlobjSplit.of(5, ScanTask.whole(SHARD))));
    MlobjEnumeratorStateSerializer serializer = MlobjEnumeratorStateSerializer.INSTANCE;
    MlobjEnumeratorState back =
        serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
    assertThat(back.lastVersion()).isEqualTo(5);
    assertThat(back.unassigned()).extracting(MlobjSplit::version).containsExactly(4L, 5L);
  }

  @Test
  void committableRoundTrips() throws Exception {
    MlobjCommittableSerializer serializer = new MlobjCommittableSerializer();
    MlobjCommittable committable =
        new MlobjCommittable("sink/job", 42, List.of(SHARD, SHARD), 1_700_000_000_123L);
    MlobjCommittable back =
        serializer.deserialize(serializer.getVersion(), serializer.serialize(committable));
    assertThat(back.writeStartedMillis()).isEqualTo(1_700_000_000_123L);
    assertThat(back.writerId()).isEqualTo("sink/job");
    assertThat(back.number()).isEqualTo(42);
    assertThat(back.shards()).extracting(Shard::path).containsExactly(SHARD.path(), SHARD.path());
  }

  @Test
  void unknownSerializerVersionNamesTheSupportedOnes() {
    assertThatThrownBy(() -> MlobjSplitSerializer.INSTANCE.deserialize(99, new byte[0]))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("serializer version 99 is not supported (supported: [1])");
  }
}
