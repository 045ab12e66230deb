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
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one consumer's share of an epoch (or the rows of a {@code take}) to a Flight listener.
 *
 * <p>Two threads per stream: a preparing thread gathers rows from decoded blocks and runs the
 * pipeline, handing finished batches over a queue of {@value #PREPARED_AHEAD}; the gRPC thread
 * sends them. So preprocessing overlaps with serialization and sending.
 *
 * <p>Memory: the stream reserves its batches in flight from the server's budget before it starts
 * (or waits, bounded, or is refused), and reads decoded blocks from the server's {@link
 * DecodedBlocks}, shared with every other stream and held only while one batch's rows are copied;
 * whole shards wait in the server's {@link ShardCache} under its byte cap, fetched ahead in the
 * order this stream will need them. Back-pressure: before each batch the gRPC thread waits until
 * the client's flow-control window has room ({@code listener.isReady()}); the preparing thread then
 * blocks on the full queue, so a slow client slows the stream instead of growing buffers.
 */
final class FeedStream {
  private static final Logger LOG = LoggerFactory.getLogger(FeedStream.class);
  private static final int PREPARED_AHEAD = 2;

  private final FeedService service;
  private final FeedService.Resolved resolved;
  private final ServerStreamListener listener;
  private final BufferAllocator allocator;

  /** Shards this stream has pinned in the cache, with the last batch that reads each. */
  private final Map<Shard, Integer> pinned = new java.util.concurrent.ConcurrentHashMap<>();

  /** Blocks this stream reads, by last use; the first {@link #unwanted} are given up. */
  private int[] wantOrder;

  private int[] blockLastUse;
  private int unwanted;

  /** The decoded columns, part of the key of a shared decoded block. */
  private final String columnsKey;

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
    this.columnsKey = resolved.scan().schema().toJson();
  }

  void run() {
    FeedRequest q = resolved.request();
    long[][] samples = samples();
    BlockingQueue<Prepared> queue = new ArrayBlockingQueue<>(PREPARED_AHEAD);
    long started = System.nanoTime();
    long sent = 0;
    FeedMetrics metrics = service.metrics;
    DecodedBlocks.Reservation reservation = reserve(samples);
    Future<?> preparing =
        service.prepare.submit(() -> prepareAll(samples, queue, reservation.threads()));
    try (VectorSchemaRoot out =
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
        out.clear(); // sent (or retained by gRPC): free it before the next batch is moved in
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
      // Only now: the preparing thread no longer holds blocks or batches.
      reservation.close();
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
   * Reserves this stream's batches in flight from the server's budget (see {@link DecodedBlocks}):
   * per preparing thread a batch gathered from its parts (two batches of decoded columns, plus an
   * allocation segment per buffer of each part) or a pipeline step's input and output; beyond those
   * the batches queued and the one being sent (the sender clears it after sending).
   */
  private DecodedBlocks.Reservation reserve(long[][] samples) {
    FeedRequest q = resolved.request();
    Schema decodedSchema = resolved.scan().schema();
    long in = StreamMemory.bytes(q.batchSize(), decodedSchema);
    long out = StreamMemory.bytes(q.batchSize(), resolved.pipeline().outputSchema());
    SamplePlan plan = resolved.planned().plan();
    int parts = StreamMemory.blocksPerBatch(samples, plan);
    long partsOverhead =
        parts <= 1
            ? 0
            : (long) parts * StreamMemory.buffers(decodedSchema) * FeedService.ALLOCATION_SEGMENT;
    long perThread = Math.max(2 * in + partsOverhead, in + out);
    long fixed = (PREPARED_AHEAD + 1) * out;
    long largest = StreamMemory.largestBlock(samples, plan, decodedSchema);
    plannedBytes = fixed + perThread + largest;
    return service.blocks.admit(
        resolved.snapshot().dataset().uri(),
        resolved.snapshot().version(),
        fixed,
        perThread,
        Math.max(1, service.prepareThreads),
        largest);
  }

  /**
   * Runs on the preparing thread: walks the batches in order, pins the shards they read in the
   * shard cache (fetched ahead in order of first use), has the gather and pipeline of each batch
   * run on {@code threads} workers, and queues the results in batch order. A shard is unpinned once
   * the last batch that reads it has been handed over.
   */
  private void prepareAll(long[][] samples, BlockingQueue<Prepared> queue, int threads) {
    SamplePlan plan = resolved.planned().plan();
    int blockCount = plan.blocks().size();
    // The last batch that needs each block, and blocks in order of first use (for read-ahead).
    int[] lastUse = new int[blockCount];
    List<Integer> firstUseOrder = new ArrayList<>();
    int[] firstUseBatch = new int[blockCount];
    uses(samples, plan, lastUse, firstUseOrder, firstUseBatch);
    Map<Shard, Integer> shardLastUse = new HashMap<>();
    for (int b = 0; b < blockCount; b++) {
      if (lastUse[b] >= 0) {
        shardLastUse.merge(plan.blocks().get(b).shard(), lastUse[b], Math::max);
      }
    }
    Dataset dataset = resolved.snapshot().dataset();
    long version = resolved.snapshot().version();
    // The blocks this stream reads stay decoded for it (if memory allows) until their last batch.
    blockLastUse = lastUse;
    wantOrder =
        java.util.stream.IntStream.range(0, blockCount)
            .filter(b -> lastUse[b] >= 0)
            .boxed()
            .sorted(java.util.Comparator.comparingInt(b -> lastUse[b]))
            .mapToInt(Integer::intValue)
            .toArray();
    List<String> wanted = new ArrayList<>();
    for (int b : wantOrder) {
      wanted.add(blockKey(dataset, version, b));
    }
    service.blocks.want(wanted);
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
        inFlight.add(schedule(dataset, version, samples[m], plan, shardLastUse, threads));
        while (inFlight.size() >= threads) {
          if (!handOver(inFlight.poll(), queue)) {
            return;
          }
          handedOver++;
          releaseFinished(dataset, handedOver - 1);
        }
      }
      while (!inFlight.isEmpty() && !stopped) {
        if (!handOver(inFlight.poll(), queue)) {
          return;
        }
        handedOver++;
        releaseFinished(dataset, handedOver - 1);
      }
      offer(queue, Prepared.END);
    } catch (Exception | Error e) {
      // An Error too (e.g. the heap ran out): the sender must hear of it, not wait forever.
      RuntimeException error =
          e instanceof RuntimeException re
              ? re
              : new IllegalStateException("Cannot prepare a batch: " + e, e);
      if (e instanceof org.apache.arrow.memory.OutOfMemoryException) {
        // Beyond the plan (variable-width payloads are not known up front): say which setting.
        error =
            io.mlobj.feed.FeedErrors.memoryCapExceeded(
                dataset.uri(),
                version,
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
      releaseFinished(dataset, Integer.MAX_VALUE);
    }
  }

  /**
   * Fills, per block, the last batch that reads it (-1: none), and the blocks in order of first use
   * with the batch of that first use. A method of its own, as are {@link #schedule} and {@link
   * #prepare}: the preparing loop runs once per stream and is compiled on the stack (OSR); kept
   * small, its compilations and recompilations cost little.
   */
  private static void uses(
      long[][] samples,
      SamplePlan plan,
      int[] lastUse,
      List<Integer> firstUseOrder,
      int[] firstUseBatch) {
    java.util.Arrays.fill(lastUse, -1);
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
  }

  /** Starts preparing one batch: on a worker, or here with one preparing thread. */
  private Future<Prepared> schedule(
      Dataset dataset,
      long version,
      long[] ids,
      SamplePlan plan,
      Map<Shard, Integer> shardLastUse,
      int threads)
      throws Exception {
    int n = ids.length;
    int[] block = new int[n];
    int[] row = new int[n];
    for (int i = 0; i < n; i++) {
      block[i] = plan.blockOf(ids[i]);
      row[i] =
          resolved.planned().selection().row(block[i], (int) (ids[i] - plan.blockStart(block[i])));
    }
    Callable<Prepared> task = () -> prepare(dataset, version, ids, block, row, shardLastUse);
    return threads <= 1
        ? CompletableFuture.completedFuture(task.call())
        : service.work.submit(task);
  }

  /** Gathers one batch's rows and runs the pipeline over them. */
  private Prepared prepare(
      Dataset dataset,
      long version,
      long[] ids,
      int[] block,
      int[] row,
      Map<Shard, Integer> shardLastUse) {
    long t0 = System.nanoTime();
    FeedRequest q = resolved.request();
    List<FieldVector> columns = gather(dataset, version, block, row, shardLastUse);
    List<FieldVector> produced =
        resolved.pipeline().apply(columns, allocator, q.seed(), q.epoch(), ids);
    service.metrics.processNanos.addAndGet(System.nanoTime() - t0);
    return new Prepared(produced, ids.length, null);
  }

  /**
   * Gathers one batch's rows ({@code row[i]} of block {@code block[i]}) from the server's shared
   * decoded blocks: straight from them when all are decoded already, else holding one block at a
   * time: the rows of each block are copied into a part, then the parts into the batch. Blocks
   * decoded already are read first, so this batch's own decodes do not evict them.
   */
  private List<FieldVector> gather(
      Dataset dataset, long version, int[] block, int[] row, Map<Shard, Integer> shardLastUse) {
    Schema schema = resolved.scan().schema();
    int n = block.length;
    Map<Integer, Integer> slots = new java.util.LinkedHashMap<>();
    int[] slot = new int[n];
    for (int i = 0; i < n; i++) {
      slot[i] = slots.computeIfAbsent(block[i], b -> slots.size());
    }
    int[] blocks = slots.keySet().stream().mapToInt(Integer::intValue).toArray();
    if (blocks.length == 1) {
      try (DecodedBlocks.Block b = acquire(dataset, version, blocks[0], shardLastUse)) {
        return Gather.rows(schema, new VectorSchemaRoot[] {b.root()}, new int[n], row, allocator);
      }
    }
    // The paths are separate methods: small compile units, so a path first taken late (blocks
    // not decoded yet, then decoded) recompiles little, not the whole gather with its inlinees.
    List<FieldVector> decoded = gatherDecoded(dataset, version, blocks, slot, row);
    return decoded != null
        ? decoded
        : gatherParts(dataset, version, blocks, slot, row, shardLastUse);
  }

  /**
   * Every block decoded already (the usual case when the window fits): reads them all at once, one
   * copy; null if one is not decoded. Only blocks present are taken, so nothing waits while holding
   * a block.
   */
  private List<FieldVector> gatherDecoded(
      Dataset dataset, long version, int[] blocks, int[] slot, int[] row) {
    DecodedBlocks.Block[] held = new DecodedBlocks.Block[blocks.length];
    try {
      for (int s = 0; s < blocks.length; s++) {
        held[s] = service.blocks.tryAcquire(blockKey(dataset, version, blocks[s]));
        if (held[s] == null) {
          return null;
        }
      }
      VectorSchemaRoot[] roots = new VectorSchemaRoot[blocks.length];
      for (int s = 0; s < blocks.length; s++) {
        roots[s] = held[s].root();
      }
      return Gather.rows(resolved.scan().schema(), roots, slot, row, allocator);
    } finally {
      for (DecodedBlocks.Block b : held) {
        if (b != null) {
          b.close();
        }
      }
    }
  }

  /**
   * Holding one block at a time: the rows of each block are copied into a part, then the parts into
   * the batch. Blocks decoded already are read first, so this batch's own decodes do not evict
   * them.
   */
  private List<FieldVector> gatherParts(
      Dataset dataset,
      long version,
      int[] blocks,
      int[] slot,
      int[] row,
      Map<Shard, Integer> shardLastUse) {
    Schema schema = resolved.scan().schema();
    int n = slot.length;
    int[] count = new int[blocks.length];
    int[] rank = new int[n];
    for (int i = 0; i < n; i++) {
      rank[i] = count[slot[i]]++;
    }
    int[][] rowsOf = new int[blocks.length][];
    for (int s = 0; s < blocks.length; s++) {
      rowsOf[s] = new int[count[s]];
    }
    for (int i = 0; i < n; i++) {
      rowsOf[slot[i]][rank[i]] = row[i];
    }
    List<Integer> order = new ArrayList<>();
    List<Integer> toDecode = new ArrayList<>();
    for (int s = 0; s < blocks.length; s++) {
      (service.blocks.contains(blockKey(dataset, version, blocks[s])) ? order : toDecode).add(s);
    }
    order.addAll(toDecode);
    VectorSchemaRoot[] parts = new VectorSchemaRoot[blocks.length];
    try {
      for (int s : order) {
        try (DecodedBlocks.Block b = acquire(dataset, version, blocks[s], shardLastUse)) {
          parts[s] =
              new VectorSchemaRoot(
                  Gather.rows(
                      schema,
                      new VectorSchemaRoot[] {b.root()},
                      new int[rowsOf[s].length],
                      rowsOf[s],
                      allocator));
        }
      }
      return Gather.rows(schema, parts, slot, rank, allocator);
    } finally {
      for (VectorSchemaRoot part : parts) {
        if (part != null) {
          part.close();
        }
      }
    }
  }

  private DecodedBlocks.Block acquire(
      Dataset dataset, long version, int block, Map<Shard, Integer> shardLastUse) {
    ScanTask task = resolved.planned().plan().blocks().get(block);
    return service.blocks.acquire(
        blockKey(dataset, version, block),
        StreamMemory.bytes(task.rows(), resolved.scan().schema()),
        memory -> decode(dataset, version, task, shardLastUse, memory),
        dataset.uri(),
        version);
  }

  /** Names a decoded block: its dataset version, shard, block and decoded columns. */
  private String blockKey(Dataset dataset, long version, int block) {
    ScanTask task = resolved.planned().plan().blocks().get(block);
    return dataset.uri()
        + "@"
        + version
        + "/"
        + task.shard().path()
        + "#"
        + task.firstBatch()
        + "|"
        + columnsKey;
  }

  /** Unpins the shards, and gives up the decoded blocks, whose last batch is done. */
  private void releaseFinished(Dataset dataset, int doneThrough) {
    while (wantOrder != null
        && unwanted < wantOrder.length
        && blockLastUse[wantOrder[unwanted]] <= doneThrough) {
      service.blocks.unwant(
          blockKey(dataset, resolved.snapshot().version(), wantOrder[unwanted++]));
    }
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

  /** Decodes a block into {@code memory} (a block of the server's shared {@link DecodedBlocks}). */
  private Blocks.Decoded decode(
      Dataset dataset,
      long version,
      ScanTask task,
      Map<Shard, Integer> shardLastUse,
      BufferAllocator memory) {
    // take: a few samples of a shard, read by range unless the shard is cached already (in
    // memory, or on local disk where mapping it costs less than a request).
    if (resolved.request().take() != null
        && RangedBlocks.supports(task)
        && !service.cache.contains(dataset, task.shard())
        && !dataset.isCachedLocally(task.shard())) {
      Blocks.Decoded ranged =
          RangedBlocks.decode(
              dataset, version, task, resolved.scan().schema(), memory, service.metrics);
      if (ranged != null) {
        return ranged;
      }
    }
    Shard shard = task.shard();
    // The stream's first block of a shard pins it until its last (see releaseFinished). The pin
    // is taken inside computeIfAbsent: a preparing thread decoding another block of the shard at
    // once waits for it there, instead of reading an unpinned entry that may be evicted (and a
    // mapped shard unmapped) before the first thread's pin arrives.
    List<CompletableFuture<ShardBytes>> pin = new ArrayList<>(1);
    pinned.computeIfAbsent(
        shard,
        s -> {
          pin.add(service.cache.acquire(dataset, version, s));
          return shardLastUse.get(s);
        });
    ShardBytes bytes =
        service.cache.await(
            pin.isEmpty() ? service.cache.get(dataset, version, shard) : pin.get(0));
    return Blocks.decode(
        dataset.uri(),
        version,
        dataset.objectUri(shard.path()),
        task,
        bytes,
        resolved.scan().schema(),
        memory);
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
