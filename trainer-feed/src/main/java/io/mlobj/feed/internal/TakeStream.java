package io.mlobj.feed.internal;

import io.mlobj.Dataset;
import io.mlobj.ScanTask;
import io.mlobj.feed.FeedRequest;
import io.mlobj.feed.plan.SamplePlan;
import io.mlobj.feed.transform.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Answers a {@code take} of a few samples by reading only their rows ({@link IpcRows}) and sending
 * them: no read-ahead, no decoded blocks, no preparing thread, which a stream of an epoch needs and
 * a single random sample only pays for. Takes it cannot serve this way (more than {@value
 * #MAX_SAMPLES} samples, shards held in memory or on local disk, formats or columns {@link IpcRows}
 * does not slice) are left to {@link FeedStream}, which reads whole blocks.
 */
final class TakeStream {
  /** Most samples served row by row; beyond, whole blocks cost fewer requests per sample. */
  static final int MAX_SAMPLES = 64;

  private TakeStream() {}

  /**
   * Serves the take, or returns false (having sent nothing) when it should be read by blocks.
   * Failures are thrown; the caller reports them on the stream.
   */
  static boolean serve(
      FeedService service,
      IpcRows reader,
      FeedRequest request,
      ServerStreamListener listener,
      BufferAllocator allocator) {
    long[] take = request.take();
    if (take == null || take.length == 0 || take.length > MAX_SAMPLES) {
      return false;
    }
    FeedService.Resolved r = service.resolve(request);
    Dataset dataset = r.snapshot().dataset();
    SamplePlan plan = r.planned().plan();
    ScanTask[] tasks = new ScanTask[take.length];
    int[] rows = new int[take.length];
    for (int i = 0; i < take.length; i++) {
      int block = plan.blockOf(take[i]);
      tasks[i] = plan.blocks().get(block);
      rows[i] = r.planned().selection().row(block, (int) (take[i] - plan.blockStart(block)));
      if (service.cache.contains(dataset, tasks[i].shard())
          || dataset.isCachedLocally(tasks[i].shard())) {
        return false; // a local copy: decoding its block costs less than a request
      }
    }
    long started = System.nanoTime();
    VectorSchemaRoot[] found =
        reader.read(dataset, r.snapshot().version(), tasks, rows, r.scan().schema(), allocator);
    if (found == null) {
      return false;
    }
    FeedMetrics metrics = service.metrics;
    metrics.streamsStarted.incrementAndGet();
    metrics.streamsActive.incrementAndGet();
    try (VectorSchemaRoot out = VectorSchemaRoot.create(r.pipeline().outputSchema(), allocator)) {
      listener.start(out);
      int n = take.length;
      for (int from = 0; from < n; from += request.batchSize()) {
        int to = Math.min(n, from + request.batchSize());
        long t0 = System.nanoTime();
        List<FieldVector> columns =
            Gather.rows(
                r.scan().schema(),
                Arrays.copyOfRange(found, from, to),
                java.util.stream.IntStream.range(0, to - from).toArray(),
                new int[to - from],
                allocator);
        List<FieldVector> produced =
            r.pipeline()
                .apply(
                    columns,
                    allocator,
                    request.seed(),
                    request.epoch(),
                    Arrays.copyOfRange(take, from, to));
        try {
          for (int c = 0; c < produced.size(); c++) {
            Tensors.transfer(produced.get(c), out.getVector(c));
          }
          out.setRowCount(to - from);
        } finally {
          produced.forEach(FieldVector::close);
        }
        metrics.processNanos.addAndGet(System.nanoTime() - t0);
        if (!awaitClient(listener, metrics)) {
          return true;
        }
        long size = 0;
        for (FieldVector v : out.getFieldVectors()) {
          size += v.getBufferSize();
        }
        listener.putNext();
        out.clear();
        metrics.samples.addAndGet(to - from);
        metrics.bytes.addAndGet(size);
        metrics.batches.incrementAndGet();
      }
      if (awaitClient(listener, metrics)) {
        listener.completed();
      }
      return true;
    } finally {
      for (VectorSchemaRoot root : found) {
        root.close();
      }
      metrics.streamNanos.addAndGet(System.nanoTime() - started);
      metrics.streamsActive.decrementAndGet();
    }
  }

  /** Waits until the client can take a batch; false if it cancelled. */
  private static boolean awaitClient(ServerStreamListener listener, FeedMetrics metrics) {
    long start = System.nanoTime();
    while (!listener.isReady() && !listener.isCancelled()) {
      LockSupport.parkNanos(20_000);
    }
    metrics.clientWaitNanos.addAndGet(System.nanoTime() - start);
    return !listener.isCancelled();
  }
}
