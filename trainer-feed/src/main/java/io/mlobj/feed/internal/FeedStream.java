package io.mlobj.feed.internal;

import io.mlobj.Dataset;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.feed.FeedRequest;
import io.mlobj.feed.plan.SamplePlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * <p>Memory: a decoded block is kept from the first batch that needs it to the last, so a stream
 * holds about one shuffle window of decoded samples plus one output batch; whole shards wait in the
 * server's {@link ShardCache} under its byte cap, fetched ahead in the order this stream will need
 * them. Back-pressure: before each batch the stream waits until the client's gRPC window has room
 * ({@code listener.isReady()}), so a slow client slows the stream instead of growing buffers.
 */
final class FeedStream {
  private static final Logger LOG = LoggerFactory.getLogger(FeedStream.class);

  private final FeedService service;
  private final FeedService.Resolved resolved;
  private final ServerStreamListener listener;
  private final BufferAllocator allocator;

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
    SamplePlan plan = resolved.planned().plan();
    long[][] batches;
    boolean samplesAreIndexes = q.take() != null;
    if (samplesAreIndexes) {
      int n = q.take().length;
      batches = new long[(n + q.batchSize() - 1) / q.batchSize()][];
      for (int b = 0; b < batches.length; b++) {
        int len = Math.min(q.batchSize(), n - b * q.batchSize());
        batches[b] =
            java.util.Arrays.copyOfRange(q.take(), b * q.batchSize(), b * q.batchSize() + len);
      }
    } else {
      batches =
          plan.assignment(
              q.position(),
              q.batchSize(),
              q.worldSize(),
              q.rank(),
              q.numWorkers(),
              q.worker(),
              q.dropLast());
    }
    // Sample ids, blocks, and the last batch that needs each block.
    int blockCount = plan.blocks().size();
    int[] lastUse = new int[blockCount];
    java.util.Arrays.fill(lastUse, -1);
    List<Integer> firstUseOrder = new ArrayList<>();
    int[] firstUseBatch = new int[blockCount];
    long[][] samples = new long[batches.length][];
    for (int m = 0; m < batches.length; m++) {
      samples[m] = new long[batches[m].length];
      for (int i = 0; i < batches[m].length; i++) {
        long sample = samplesAreIndexes ? batches[m][i] : plan.sampleAt(batches[m][i]);
        samples[m][i] = sample;
        int block = plan.blockOf(sample);
        if (lastUse[block] < 0) {
          firstUseOrder.add(block);
          firstUseBatch[block] = m;
        }
        lastUse[block] = m;
      }
    }
    Dataset dataset = resolved.snapshot().dataset();
    long version = resolved.snapshot().version();
    Blocks.Decoded[] decoded = new Blocks.Decoded[blockCount];
    VectorSchemaRoot[] roots = new VectorSchemaRoot[blockCount];
    int prefetchFrom = 0;
    long started = System.nanoTime();
    long sentSamples = 0;
    FeedMetrics metrics = service.metrics;
    try (VectorSchemaRoot out =
        VectorSchemaRoot.create(resolved.pipeline().outputSchema(), allocator)) {
      listener.start(out);
      for (int m = 0; m < batches.length; m++) {
        if (listener.isCancelled()) {
          LOG.info("Client cancelled the stream after {} of {} batches", m, batches.length);
          return;
        }
        // Read ahead: shards of the blocks needed next, in order, within the byte budget.
        while (prefetchFrom < firstUseOrder.size()
            && firstUseBatch[firstUseOrder.get(prefetchFrom)] <= m) {
          prefetchFrom++;
        }
        readAhead(dataset, version, plan, firstUseOrder, prefetchFrom);
        long t0 = System.nanoTime();
        int n = samples[m].length;
        int[] source = new int[n];
        int[] row = new int[n];
        for (int i = 0; i < n; i++) {
          int block = plan.blockOf(samples[m][i]);
          if (decoded[block] == null) {
            decoded[block] = decode(dataset, version, plan.blocks().get(block));
            roots[block] = decoded[block].root();
          }
          source[i] = block;
          row[i] =
              resolved
                  .planned()
                  .selection()
                  .row(block, (int) (samples[m][i] - plan.blockStart(block)));
        }
        List<FieldVector> columns =
            Gather.rows(resolved.scan().schema(), roots, source, row, allocator);
        List<FieldVector> produced =
            resolved.pipeline().apply(columns, allocator, q.seed(), q.epoch(), samples[m]);
        try {
          for (int c = 0; c < produced.size(); c++) {
            io.mlobj.feed.transform.Tensors.transfer(produced.get(c), out.getVector(c));
          }
          out.setRowCount(n);
        } finally {
          produced.forEach(FieldVector::close);
        }
        for (int b = 0; b < blockCount; b++) {
          if (decoded[b] != null && lastUse[b] <= m) {
            decoded[b].close();
            decoded[b] = null;
            roots[b] = null;
          }
        }
        metrics.processNanos.addAndGet(System.nanoTime() - t0);
        awaitClient();
        if (listener.isCancelled()) {
          return;
        }
        long size = 0;
        for (FieldVector v : out.getFieldVectors()) {
          size += v.getBufferSize();
        }
        listener.putNext();
        metrics.samples.addAndGet(n);
        metrics.bytes.addAndGet(size);
        metrics.batches.incrementAndGet();
        sentSamples += n;
      }
      awaitClient();
      listener.completed();
    } finally {
      for (Blocks.Decoded d : decoded) {
        if (d != null) {
          d.close();
        }
      }
      long nanos = System.nanoTime() - started;
      metrics.streamNanos.addAndGet(nanos);
      LOG.info(
          "Streamed {} samples of {} (rank {}/{}, worker {}/{}, epoch {}) in {} ms",
          sentSamples,
          resolved.snapshot(),
          q.rank(),
          q.worldSize(),
          q.worker(),
          q.numWorkers(),
          q.epoch(),
          nanos / 1_000_000);
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

  private Blocks.Decoded decode(Dataset dataset, long version, ScanTask task) {
    byte[] bytes = service.cache.await(service.cache.get(dataset, version, task.shard()));
    return Blocks.decode(
        dataset.uri(),
        version,
        dataset.store().uri(task.shard().path()),
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
      park = Math.min(park * 2, 2_000_000);
    }
    service.metrics.clientWaitNanos.addAndGet(System.nanoTime() - start);
  }
}
