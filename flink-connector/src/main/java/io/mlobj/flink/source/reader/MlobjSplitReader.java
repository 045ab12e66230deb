package io.mlobj.flink.source.reader;

import io.mlobj.TaskReader;
import io.mlobj.arrow.BatchReader;
import io.mlobj.flink.source.MlobjBatchDeserializer;
import io.mlobj.flink.source.MlobjDeserializer;
import io.mlobj.flink.source.ReadSettings;
import io.mlobj.flink.source.split.MlobjSplit;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads assigned splits one after another in the fetcher thread: fetches and verifies a shard
 * through the kernel ({@link TaskReader}), then returns one Arrow batch per {@link #fetch()},
 * already deserialized, so at most the fetch queue's few batches are in memory. The next split's
 * shard is fetched in the background while the current one is decoded. A split restored with a
 * position skips the rows already emitted. Arrow memory never leaves the reader.
 */
public final class MlobjSplitReader<T> implements SplitReader<RecordBatch<T>, MlobjSplit> {
  private static final Logger LOG = LoggerFactory.getLogger(MlobjSplitReader.class);

  private final MlobjDeserializer<T> deserializer;
  private final TaskReader tasks;
  private final Schema schema;
  private final BufferAllocator allocator;
  private final Deque<MlobjSplit> pending = new ArrayDeque<>();
  private MlobjSplit current;
  private BatchReader reader;
  private long position;
  private CompletableFuture<BatchReader> prefetched;
  private MlobjSplit prefetchedSplit;

  /**
   * One prefetch thread per reader, created from the fetcher thread so it carries the task's class
   * loader, and stopped with the reader (a shared pool would outlive the job's class loader).
   */
  private final ExecutorService prefetchThread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "mlobj-flink-prefetch");
            thread.setDaemon(true);
            thread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
            return thread;
          });

  public MlobjSplitReader(ReadSettings settings, MlobjDeserializer<T> deserializer) {
    this.deserializer = deserializer;
    this.schema = settings.schema();
    this.tasks =
        settings
            .dataset()
            .newTaskReader(schema)
            .batchRows(settings.batchRows())
            .verifyChecksums(settings.verifyChecksums())
            .build();
    this.allocator = new RootAllocator(Long.MAX_VALUE);
    deserializer.open(schema);
  }

  @Override
  public RecordsWithSplitIds<RecordBatch<T>> fetch() throws IOException {
    if (current == null) {
      current = pending.poll();
      if (current == null) {
        return new RecordsBySplits<>(Map.of(), Set.of());
      }
      reader = takePrefetched(current);
      position = 0;
      prefetch(pending.peek());
    }
    while (reader.next()) {
      VectorSchemaRoot root = reader.root();
      int rows = root.getRowCount();
      long skip = current.rowsEmitted() - position;
      position += rows;
      if (skip >= rows) {
        continue; // emitted before the restore
      }
      long start = position - rows;
      List<RecordBatch<T>> out = new ArrayList<>();
      if (skip > 0) {
        try (VectorSchemaRoot rest = root.slice((int) skip, rows - (int) skip)) {
          deserialize(rest, start + skip, out);
        }
      } else {
        deserialize(root, start, out);
      }
      return new RecordsBySplits<>(Map.of(current.splitId(), out), Set.of());
    }
    String finished = current.splitId();
    closeReader();
    current = null;
    return new RecordsBySplits<>(Map.of(), Set.of(finished));
  }

  /** The reader for {@code split}: the prefetched one if it is for this split, else a new one. */
  private BatchReader takePrefetched(MlobjSplit split) throws IOException {
    if (prefetched != null && prefetchedSplit == split) {
      CompletableFuture<BatchReader> future = prefetched;
      prefetched = null;
      prefetchedSplit = null;
      try {
        return future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while fetching " + split, e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException runtime) {
          throw runtime;
        }
        throw new IOException("Cannot fetch " + split + ": " + e.getCause(), e.getCause());
      }
    }
    discardPrefetched();
    return open(split);
  }

  /**
   * Fetches the next split's shard in the background while this thread decodes the current one, so
   * storage latency overlaps with decoding (at most one shard ahead).
   */
  private void prefetch(MlobjSplit next) {
    if (next == null || prefetched != null) {
      return;
    }
    prefetchedSplit = next;
    prefetched = CompletableFuture.supplyAsync(() -> open(next), prefetchThread);
  }

  private BatchReader open(MlobjSplit split) {
    return tasks.open(split.version(), split.task(), allocator);
  }

  private void discardPrefetched() {
    if (prefetched != null) {
      prefetched.thenAccept(BatchReader::close);
      prefetched = null;
      prefetchedSplit = null;
    }
  }

  /** Deserializes a batch whose first row is row {@code first} of the split. */
  private void deserialize(VectorSchemaRoot batch, long first, List<RecordBatch<T>> out)
      throws IOException {
    int rows = batch.getRowCount();
    if (deserializer instanceof MlobjBatchDeserializer<T> whole) {
      out.add(new RecordBatch<>(List.of(whole.deserializeBatch(batch)), first + rows));
      return;
    }
    ListCollector<T> collector = new ListCollector<>(new ArrayList<>(2));
    for (int row = 0; row < rows; row++) {
      collector.list().clear();
      deserializer.deserialize(batch, row, collector);
      List<T> records =
          collector.list().size() == 1
              ? Collections.singletonList(collector.list().get(0))
              : List.copyOf(collector.list());
      out.add(new RecordBatch<>(records, first + row + 1));
    }
  }

  @Override
  public void handleSplitsChanges(SplitsChange<MlobjSplit> change) {
    if (!(change instanceof SplitsAddition)) {
      throw new UnsupportedOperationException(
          "Cannot handle split change " + change.getClass().getSimpleName() + ": only additions.");
    }
    pending.addAll(change.splits());
    if (current != null) {
      prefetch(pending.peek());
    }
  }

  @Override
  public void wakeUp() {
    // fetch() never blocks waiting for data.
  }

  private void closeReader() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  @Override
  public void close() {
    closeReader();
    if (prefetched != null) {
      try {
        prefetched.join().close();
      } catch (RuntimeException e) {
        LOG.debug("Prefetch failed while closing: {}", e.toString());
      }
      prefetched = null;
    }
    prefetchThread.shutdownNow();
    try {
      allocator.close();
    } catch (IllegalStateException e) {
      LOG.debug("Arrow memory still referenced when closing the split reader: {}", e.toString());
    }
  }

  private record ListCollector<T>(List<T> list) implements Collector<T> {
    @Override
    public void collect(T record) {
      list.add(record);
    }

    @Override
    public void close() {}
  }
}
