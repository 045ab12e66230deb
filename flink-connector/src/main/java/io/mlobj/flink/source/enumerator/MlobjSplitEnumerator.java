package io.mlobj.flink.source.enumerator;

import io.mlobj.Dataset;
import io.mlobj.Snapshot;
import io.mlobj.flink.source.ReadSettings;
import io.mlobj.flink.source.StartPosition;
import io.mlobj.flink.source.split.MlobjSplit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out splits on request (readers pull, so fast readers take more shards).
 *
 * <p>Bounded: plans the chosen snapshot once; a reader asking when nothing is left is told there
 * are no more splits. Continuous: plans the start snapshot (see {@link StartPosition}), then polls
 * {@link Dataset#latestVersion()} every discovery interval in the coordinator's worker thread and
 * plans the shards each new version added ({@link SplitPlanner}); readers asking when nothing is
 * left wait for the next discovery.
 *
 * <p>The checkpointed state is the last version planned and the unassigned splits, so a restored
 * enumerator neither re-plans a version nor loses a split. Splits a failed reader held come back
 * through {@link #addSplitsBack}.
 */
public final class MlobjSplitEnumerator
    implements SplitEnumerator<MlobjSplit, MlobjEnumeratorState> {
  private static final Logger LOG = LoggerFactory.getLogger(MlobjSplitEnumerator.class);

  private final SplitEnumeratorContext<MlobjSplit> context;
  private final ReadSettings settings;
  private final SplitPlanner planner;
  private final Deque<MlobjSplit> unassigned = new ArrayDeque<>();
  private final Set<Integer> waitingReaders = new LinkedHashSet<>();
  private long lastVersion;
  private boolean planned;

  public MlobjSplitEnumerator(
      SplitEnumeratorContext<MlobjSplit> context,
      ReadSettings settings,
      MlobjEnumeratorState restored) {
    this.context = context;
    this.settings = settings;
    this.planner = new SplitPlanner(settings);
    if (restored != null) {
      unassigned.addAll(restored.unassigned());
      lastVersion = restored.lastVersion();
      planned = true;
    }
  }

  @Override
  public void start() {
    if (!planned) {
      planStart();
      planned = true;
    }
    if (settings.continuous()) {
      context.callAsync(
          this::discover,
          this::onDiscovered,
          settings.discoveryIntervalMillis(),
          settings.discoveryIntervalMillis());
    }
  }

  private void planStart() {
    Dataset dataset = settings.dataset();
    if (!settings.continuous()) {
      Snapshot snapshot = dataset.snapshot(settings.bounded());
      unassigned.addAll(planner.planSnapshot(snapshot));
      lastVersion = snapshot.version();
    } else if (settings.startPosition() == StartPosition.LATEST) {
      lastVersion = dataset.latestVersion();
    } else {
      Snapshot snapshot =
          settings.startPosition() == StartPosition.VERSION
              ? dataset.version(settings.startVersion())
              : dataset.latest();
      unassigned.addAll(planner.planSnapshot(snapshot));
      lastVersion = snapshot.version();
    }
    LOG.info(
        "Planned {} splits of {} up to version {}", unassigned.size(), settings.uri(), lastVersion);
  }

  /** Runs in the coordinator's worker thread: plans the versions after the last one seen. */
  private Discovery discover() {
    Dataset dataset = settings.dataset();
    long from = lastVersion;
    long latest = dataset.latestVersion();
    return new Discovery(from, latest, planner.planAdded(dataset, from, latest));
  }

  private record Discovery(long from, long latest, List<MlobjSplit> splits) {}

  private void onDiscovered(Discovery discovery, Throwable error) {
    if (error != null) {
      // A storage hiccup should not fail the job: the next discovery retries the same versions.
      LOG.warn("Cannot discover new versions of {}: {}", settings.uri(), error.toString());
      return;
    }
    if (discovery.from() != lastVersion || discovery.latest() <= lastVersion) {
      return; // nothing new, or planned against an older state
    }
    unassigned.addAll(discovery.splits());
    lastVersion = discovery.latest();
    if (!discovery.splits().isEmpty()) {
      LOG.info(
          "Discovered {} new splits of {} up to version {}",
          discovery.splits().size(),
          settings.uri(),
          lastVersion);
    }
    assignToWaiting();
  }

  @Override
  public void handleSplitRequest(int subtaskId, String requesterHostname) {
    waitingReaders.add(subtaskId);
    assignToWaiting();
  }

  private void assignToWaiting() {
    for (Integer reader : new ArrayList<>(waitingReaders)) {
      if (!context.registeredReaders().containsKey(reader)) {
        waitingReaders.remove(reader);
        continue;
      }
      MlobjSplit split = unassigned.poll();
      if (split != null) {
        context.assignSplit(split, reader);
        waitingReaders.remove(reader);
      } else if (!settings.continuous()) {
        context.signalNoMoreSplits(reader);
        waitingReaders.remove(reader);
      } else {
        return;
      }
    }
  }

  @Override
  public void addSplitsBack(List<MlobjSplit> splits, int subtaskId) {
    // Put them first: they were planned earlier than anything still queued.
    for (int i = splits.size() - 1; i >= 0; i--) {
      unassigned.addFirst(splits.get(i));
    }
  }

  @Override
  public void addReader(int subtaskId) {
    // Readers ask for splits themselves.
  }

  @Override
  public MlobjEnumeratorState snapshotState(long checkpointId) {
    return new MlobjEnumeratorState(lastVersion, new ArrayList<>(unassigned));
  }

  @Override
  public void close() {}
}
