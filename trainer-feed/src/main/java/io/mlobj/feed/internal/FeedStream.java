package io.mlobj.feed.internal;

import io.mlobj.Dataset;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.feed.FeedRequest;
import io.mlobj.feed.plan.SamplePlan;
import io.mlobj.feed.transform.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one consumer's share of an epoch (or the rows of a {@code take}) to a Flight listener.
 *
 * <p>Two threads per stream: a preparing thread gathers rows from decoded blocks and runs the
 * pipeline, handing finished batches over a queue of {@value #PREPARED_AHEAD}; the gRPC thread
 * sends them. So preprocessing overlaps with serialization and sending.
 *
 * <p>Memory: a decoded block is kept from the first batch that needs it to the last, and the blocks
 * of a finished window are closed before the next window's are decoded, so a stream holds about one
 * shuffle window of decoded samples plus the batches in flight; it reserves that peak ({@link
 * StreamMemory}) before it starts or is refused; whole shards wait in the server's {@link
 * ShardCache} under its byte cap, fetched ahead in the order this stream will need them.
 * Back-pressure: before each batch the gRPC thread waits until the client's flow-control window has
 * room ({@code listener.isReady()}); the preparing thread then blocks on the full queue, so a slow
 * client slows the stream instead of growing buffers.
 */
final class FeedStream {
  private static final Logger LOG = LoggerFactory.getLogger(FeedStream.class);
  private static final int PREPARED_AHEAD = 2;

  private final FeedService service;
  private final FeedService.Resolved resolved;
  private final ServerStreamListener listener;
  private final BufferAllocator allocator;

  /** Shards this stream has pinned in the cache, with the last batch that reads each. */
  private final Map<Shard, Integer> pinned = new HashMap<>();

  private volatile boolean stopped;

  /** The Arrow memory this stream reserved (see {@link StreamMemory}). */
  private long plannedBytes;

  /** A prepared batch, the end of the stream, or the failure of the preparing thread. */
  private record Prepared(List<FieldVector> columns, int rows, RuntimeException error) {
    static final Prepared END = new Prepared(null, 0, null);
  }

  FeedStream(
      FeedService service,
      FeedService.Resolved resolved,
      ServerStreamListener listener,
      BufferAllocator allocator) {
    this.service = service;
    this.resolved = resolved;
    this.listener = listener;
    this.allocator = allocator;
  }

  void run() {
    FeedRequest q = resolved.request();
    long[][] samples = samples();
    BlockingQueue<Prepared> queue = new ArrayBlockingQueue<>(PREPARED_AHEAD);
    long started = System.nanoTime();
    long sent = 0;
    FeedMetrics metrics = service.metrics;
    // Batches alive at once: being prepared, queued, being sent (moved into the out root).
    int batchesInFlight = Math.max(1, service.prepareThreads) + PREPARED_AHEAD + 1;
    plannedBytes =
        StreamMemory.peak(
            samples,
            resolved.planned().plan(),
            resolved.scan().schema(),
            resolved.pipeline().outputSchema(),
            q.batchSize(),
            batchesInFlight);
    StreamMemory.Reservation reservation =
        service.memory.reserve(
            resolved.snapshot().dataset().uri(),
            resolved.snapshot().version(),
            q.shuffle() ? q.shuffleBuffer() : 0,
            plannedBytes);
    Future<?> preparing = service.prepare.submit(() -> prepareAll(samples, queue));
    try (reservation;
        VectorSchemaRoot out =
            VectorSchemaRoot.create(resolved.pipeline().outputSchema(), allocator)) {
      listener.start(out);
      while (true) {
        Prepared p = take(queue);
        if (p == Prepared.END) {
          break;
        }
        if (p.error() != null) {
          throw p.error();
        }
        try {
          for (int c = 0; c < p.columns().size(); c++) {
            Tensors.transfer(p.columns().get(c), out.getVector(c));
          }
          out.setRowCount(p.rows());
        } finally {
          p.columns().forEach(FieldVector::close);
        }
        awaitClient();
        if (listener.isCancelled()) {
          LOG.info("Client cancelled the stream after {} samples", sent);
          return;
        }
        long size = 0;
        for (FieldVector v : out.getFieldVectors()) {
          size += v.getBufferSize();
        }
        listener.putNext();
        metrics.samples.addAndGet(p.rows());
        metrics.bytes.addAndGet(size);
        metrics.batches.incrementAndGet();
        sent += p.rows();
      }
      awaitClient();
      listener.completed();
    } finally {
      stopped = true;
      try {
        preparing.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        preparing.cancel(true);
      }
      for (Prepared p : queue) {
        if (p.columns() != null) {
          p.columns().forEach(FieldVector::close);
        }
      }
      long nanos = System.nanoTime() - started;
      metrics.streamNanos.addAndGet(nanos);
      LOG.info(
          "Streamed {} samples of {} (rank {}/{}, worker {}/{}, epoch {}) in {} ms",
          sent,
          resolved.snapshot(),
          q.rank(),
          q.worldSize(),
          q.worker(),
          q.numWorkers(),
          q.epoch(),
          nanos / 1_000_000);
    }
  }

  /** The global sample index of every row of every batch this stream sends. */
  private long[][] samples() {
    FeedRequest q = resolved.request();
    SamplePlan plan = resolved.planned().plan();
    if (q.take() != null) {
      int n = q.take().length;
      long[][] out = new long[(n + q.batchSize() - 1) / q.batchSize()][];
      for (int b = 0; b < out.length; b++) {
        int from = b * q.batchSize();
        out[b] = java.util.Arrays.copyOfRange(q.take(), from, Math.min(n, from + q.batchSize()));
      }
      return out;
    }
    long[][] positions =
        plan.assignment(
            q.position(),
            q.batchSize(),
            q.worldSize(),
            q.rank(),
            q.numWorkers(),
            q.worker(),
            q.dropLast());
    for (long[] batch : positions) {
      for (int i = 0; i < batch.length; i++) {
        batch[i] = plan.sampleAt(batch[i]);
      }
    }
    return positions;
  }

  /**
   * Runs on the preparing thread: decodes blocks in order, has the gather and pipeline of each
   * batch run on {@code prepareThreads} workers, and queues the results in batch order. A block is
   * closed once the last batch that needs it has been handed over (all earlier ones are done).
   */
  private void prepareAll(long[][] samples, BlockingQueue<Prepared> queue) {
    SamplePlan plan = resolved.planned().plan();
    int blockCount = plan.blocks().size();
    // The last batch that needs each block, and blocks in order of first use (for read-ahead).
    int[] lastUse = new int[blockCount];
    java.util.Arrays.fill(lastUse, -1);
    List<Integer> firstUseOrder = new ArrayList<>();
    int[] firstUseBatch = new int[blockCount];
    for (int m = 0; m < samples.length; m++) {
      for (long sample : samples[m]) {
        int block = plan.blockOf(sample);
        if (lastUse[block] < 0) {
          firstUseOrder.add(block);
          firstUseBatch[block] = m;
        }
        lastUse[block] = m;
      }
    }
    Map<Shard, Integer> shardLastUse = new HashMap<>();
    for (int b = 0; b < blockCount; b++) {
      if (lastUse[b] >= 0) {
        shardLastUse.merge(plan.blocks().get(b).shard(), lastUse[b], Math::max);
      }
    }
    Dataset dataset = resolved.snapshot().dataset();
    long version = resolved.snapshot().version();
    Blocks.Decoded[] decoded = new Blocks.Decoded[blockCount];
    VectorSchemaRoot[] roots = new VectorSchemaRoot[blockCount];
    List<Integer> open = new ArrayList<>();
    FeedRequest q = resolved.request();
    int workers = service.prepareThreads;
    java.util.ArrayDeque<Future<Prepared>> inFlight = new java.util.ArrayDeque<>();
    int handedOver = 0;
    int prefetchFrom = 0;
    try {
      for (int m = 0; m < samples.length && !stopped; m++) {
        while (prefetchFrom < firstUseOrder.size()
            && firstUseBatch[firstUseOrder.get(prefetchFrom)] <= m) {
          prefetchFrom++;
        }
        readAhead(dataset, version, plan, firstUseOrder, prefetchFrom);
        int n = samples[m].length;
        int[] source = new int[n];
        int[] row = new int[n];
        for (int i = 0; i < n; i++) {
          int block = plan.blockOf(samples[m][i]);
          if (decoded[block] == null) {
            if (anyFinished(open, lastUse, m)) {
              // A new window: hand over the batches in flight and close the blocks of the
              // finished window before decoding the next, so a stream holds one window, not two.
              while (!inFlight.isEmpty()) {
                if (!handOver(inFlight.poll(), queue)) {
                  return;
                }
                handedOver++;
              }
              closeFinished(open, decoded, roots, lastUse, handedOver - 1);
              releaseFinished(dataset, handedOver - 1);
            }
            decoded[block] = decode(dataset, version, plan.blocks().get(block), shardLastUse);
            roots[block] = decoded[block].root();
            open.add(block);
          }
          source[i] = block;
          row[i] =
              resolved
                  .planned()
                  .selection()
                  .row(block, (int) (samples[m][i] - plan.blockStart(block)));
        }
        VectorSchemaRoot[] view = roots.clone();
        long[] ids = samples[m];
        Callable<Prepared> task =
            () -> {
              long t0 = System.nanoTime();
              List<FieldVector> columns =
                  Gather.rows(resolved.scan().schema(), view, source, row, allocator);
              List<FieldVector> produced =
                  resolved.pipeline().apply(columns, allocator, q.seed(), q.epoch(), ids);
              service.metrics.processNanos.addAndGet(System.nanoTime() - t0);
              return new Prepared(produced, ids.length, null);
            };
        inFlight.add(
            workers <= 1
                ? CompletableFuture.completedFuture(task.call())
                : service.work.submit(task));
        while (inFlight.size() >= Math.max(1, workers)) {
          if (!handOver(inFlight.poll(), queue)) {
            return;
          }
          handedOver++;
          closeFinished(open, decoded, roots, lastUse, handedOver - 1);
          releaseFinished(dataset, handedOver - 1);
        }
      }
      while (!inFlight.isEmpty() && !stopped) {
        if (!handOver(inFlight.poll(), queue)) {
          return;
        }
        handedOver++;
        closeFinished(open, decoded, roots, lastUse, handedOver - 1);
      }
      offer(queue, Prepared.END);
    } catch (Exception e) {
      RuntimeException error =
          e instanceof RuntimeException re
              ? re
              : new IllegalStateException("Cannot prepare a batch: " + e.getMessage(), e);
      if (e instanceof org.apache.arrow.memory.OutOfMemoryException) {
        // Beyond the plan (variable-width payloads are not known up front): say which setting.
        error =
            io.mlobj.feed.FeedErrors.memoryCapExceeded(
                dataset.uri(),
                version,
                q.shuffle() ? q.shuffleBuffer() : 0,
                Math.max(plannedBytes, allocator.getAllocatedMemory()),
                allocator.getRoot().getAllocatedMemory() - allocator.getAllocatedMemory(),
                0,
                allocator.getRoot().getLimit());
      }
      offer(queue, new Prepared(null, 0, error));
    } finally {
      for (Future<Prepared> f : inFlight) {
        try {
          f.get().columns().forEach(FieldVector::close);
        } catch (Exception e) {
          // Failed batches own nothing.
        }
      }
      for (int b : open) {
        decoded[b].close();
      }
      releaseFinished(dataset, Integer.MAX_VALUE);
    }
  }

  /** Unpins the shards whose last batch is done. */
  private void releaseFinished(Dataset dataset, int doneThrough) {
    pinned
        .entrySet()
        .removeIf(
            e -> {
              if (e.getValue() <= doneThrough) {
                service.cache.release(dataset, e.getKey());
                return true;
              }
              return false;
            });
  }

  /** Waits for a prepared batch and queues it; false if the stream stopped meanwhile. */
  private boolean handOver(Future<Prepared> future, BlockingQueue<Prepared> queue)
      throws Exception {
    Prepared prepared;
    try {
      prepared = future.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
    if (!offer(queue, prepared)) {
      prepared.columns().forEach(FieldVector::close);
      return false;
    }
    return true;
  }

  private static boolean anyFinished(List<Integer> open, int[] lastUse, int batch) {
    for (int b : open) {
      if (lastUse[b] < batch) {
        return true;
      }
    }
    return false;
  }

  private static void closeFinished(
      List<Integer> open,
      Blocks.Decoded[] decoded,
      VectorSchemaRoot[] roots,
      int[] lastUse,
      int doneThrough) {
    open.removeIf(
        b -> {
          if (lastUse[b] <= doneThrough) {
            decoded[b].close();
            decoded[b] = null;
            roots[b] = null;
            return true;
          }
          return false;
        });
  }

  /** Queues an item, waiting while the queue is full; false if the stream stopped meanwhile. */
  private boolean offer(BlockingQueue<Prepared> queue, Prepared p) {
    try {
      while (!stopped) {
        if (queue.offer(p, 10, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Prepared take(BlockingQueue<Prepared> queue) {
    long start = System.nanoTime();
    try {
      return queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Cannot stream: interrupted while preparing a batch", e);
    } finally {
      service.metrics.prepareWaitNanos.addAndGet(System.nanoTime() - start);
    }
  }

  private void readAhead(
      Dataset dataset, long version, SamplePlan plan, List<Integer> order, int from) {
    Set<String> seen = new HashSet<>();
    long bytes = 0;
    for (int k = from; k < order.size() && seen.size() < service.readAheadShards; k++) {
      Shard shard = plan.blocks().get(order.get(k)).shard();
      if (!seen.add(shard.path())) {
        continue;
      }
      bytes += shard.bytes();
      if (bytes > service.readAheadBytes) {
        return;
      }
      service.cache.prefetch(dataset, version, shard);
    }
  }

  private Blocks.Decoded decode(
      Dataset dataset, long version, ScanTask task, Map<Shard, Integer> shardLastUse) {
    // take: a few samples of a shard, read by range unless the shard is cached already (in
    // memory, or on local disk where mapping it costs less than a request).
    if (resolved.request().take() != null
        && RangedBlocks.supports(task)
        && !service.cache.contains(dataset, task.shard())
        && !dataset.isCachedLocally(task.shard())) {
      Blocks.Decoded ranged =
          RangedBlocks.decode(
              dataset, version, task, resolved.scan().schema(), allocator, service.metrics);
      if (ranged != null) {
        return ranged;
      }
    }
    Shard shard = task.shard();
    // The stream's first block of a shard pins it until its last (see releaseFinished).
    boolean first = pinned.putIfAbsent(shard, shardLastUse.get(shard)) == null;
    ShardBytes bytes =
        service.cache.await(
            first
                ? service.cache.acquire(dataset, version, shard)
                : service.cache.get(dataset, version, shard));
    return Blocks.decode(
        dataset.uri(),
        version,
        dataset.objectUri(shard.path()),
        task,
        bytes,
        resolved.scan().schema(),
        allocator);
  }

  /** Polls the listener (waitForListener stalls in a blocking getStream). */
  private void awaitClient() {
    if (listener.isReady() || listener.isCancelled()) {
      return;
    }
    long start = System.nanoTime();
    long park = 20_000;
    while (!listener.isReady() && !listener.isCancelled()) {
      LockSupport.parkNanos(park);
      park = Math.min(park * 2, 200_000);
    }
    service.metrics.clientWaitNanos.addAndGet(System.nanoTime() - start);
  }
}
