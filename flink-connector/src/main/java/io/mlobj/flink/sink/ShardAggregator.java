package io.mlobj.flink.sink;

import io.mlobj.Shard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Gathers the shards of all writer subtasks for a checkpoint into one {@link MlobjCommittable}
 * (runs with parallelism 1, between the writers and the committer), so that each checkpoint becomes
 * exactly one dataset version.
 *
 * <p>The committable's idempotency key is the sink id plus the id of the job that first ran this
 * sink; that job id is kept in this operator's state, so a job restored from a checkpoint or
 * savepoint keeps the key (and checkpoint ids keep growing), while a fresh job gets a new key.
 */
final class ShardAggregator extends AbstractStreamOperator<CommittableMessage<MlobjCommittable>>
    implements OneInputStreamOperator<
            CommittableMessage<WrittenShards>, CommittableMessage<MlobjCommittable>>,
        BoundedOneInput {
  private static final long serialVersionUID = 1L;

  private final String sinkId;
  private final TreeMap<Long, List<WrittenShards>> pending = new TreeMap<>();
  private transient ListState<String> originState;
  private transient String writerId;
  private transient long lastNumber;

  ShardAggregator(String sinkId) {
    this.sinkId = sinkId;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    originState =
        context
            .getOperatorStateStore()
            .getListState(new ListStateDescriptor<>("mlobj-origin-job", Types.STRING));
    String origin = null;
    for (String value : originState.get()) {
      origin = value;
    }
    if (origin == null) {
      origin = getRuntimeContext().getJobInfo().getJobId().toHexString();
    }
    writerId = sinkId + "/" + origin;
    lastNumber = context.getRestoredCheckpointId().orElse(0L);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    originState.update(List.of(writerId.substring(sinkId.length() + 1)));
  }

  @Override
  public void processElement(StreamRecord<CommittableMessage<WrittenShards>> element) {
    if (element.getValue() instanceof CommittableWithLineage<WrittenShards> shard) {
      pending
          .computeIfAbsent(shard.getCheckpointIdOrEOI(), k -> new ArrayList<>())
          .add(shard.getCommittable());
    }
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    emitUpTo(checkpointId);
  }

  @Override
  public void endInput() {
    emitUpTo(CommittableMessage.EOI);
  }

  private void emitUpTo(long checkpointId) {
    while (!pending.isEmpty() && pending.firstKey() <= checkpointId) {
      Map.Entry<Long, List<WrittenShards>> entry = pending.pollFirstEntry();
      long id = entry.getKey();
      // The end of a bounded input has no checkpoint id of its own: number it after the last.
      long number = id == CommittableMessage.EOI ? lastNumber + 1 : id;
      lastNumber = Math.max(lastNumber, number);
      List<Shard> shards = new ArrayList<>();
      long writeStarted = Long.MAX_VALUE;
      for (WrittenShards written : entry.getValue()) {
        shards.addAll(written.shards());
        writeStarted = Math.min(writeStarted, written.writeStartedMillis());
      }
      MlobjCommittable committable = new MlobjCommittable(writerId, number, shards, writeStarted);
      output.collect(new StreamRecord<>(new CommittableSummary<>(0, 1, id, 1, 0)));
      output.collect(new StreamRecord<>(new CommittableWithLineage<>(committable, id, 0)));
    }
  }
}
