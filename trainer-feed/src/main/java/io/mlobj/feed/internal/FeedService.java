package io.mlobj.feed.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import io.mlobj.Scan;
import io.mlobj.ScanBuilder;
import io.mlobj.Snapshot;
import io.mlobj.cache.LocalCache;
import io.mlobj.feed.FeedErrors;
import io.mlobj.feed.FeedRequest;
import io.mlobj.feed.Transform;
import io.mlobj.feed.transform.Pipeline;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;

/** What every stream of a server shares: configuration, shard cache, planner, metrics. */
public final class FeedService implements AutoCloseable {
  /**
   * Bytes by which the server's allocator rounds buffers up (instead of Arrow's default next power
   * of two, which counts a decoded 3 MiB block as 4 MiB); {@link StreamMemory} plans with it.
   */
  public static final int ALLOCATION_SEGMENT = 4096;

  static final ObjectMapper JSON = new ObjectMapper();

  final MlobjConf conf;
  final BufferAllocator allocator;
  final ShardCache cache;
  final EpochPlanner planner;
  final FeedMetrics metrics;
  final Map<String, Transform.Factory> factories;
  final int readAheadShards;
  final long readAheadBytes;
  final int prepareThreads;

  /** The Arrow memory budget: streams' batches and the decoded blocks they share. */
  final DecodedBlocks blocks;

  private final Map<String, Dataset> datasets = new ConcurrentHashMap<>();

  /** Threads that prepare each stream's batches; owned here, shut down with the server. */
  final ExecutorService prepare = daemonPool("mlobj-feed-prepare-");

  /** Threads that run transforms in parallel within a stream; shut down with the server. */
  final ExecutorService work = daemonPool("mlobj-feed-transform-");

  private static ExecutorService daemonPool(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newCachedThreadPool(
        r -> {
          Thread t = new Thread(r, prefix + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  public FeedService(
      MlobjConf conf,
      BufferAllocator allocator,
      long readAheadBytes,
      int readAheadShards,
      int fetchThreads,
      int prepareThreads,
      Map<String, Transform.Factory> factories,
      FeedMetrics metrics) {
    this.conf = conf;
    this.allocator = allocator;
    this.metrics = metrics;
    this.readAheadBytes = readAheadBytes;
    this.readAheadShards = readAheadShards;
    this.prepareThreads = prepareThreads;
    // Mapped shards of the local cache (up to the read-ahead) take from the same Arrow cap.
    this.blocks =
        new DecodedBlocks(
            allocator.getLimit() - (LocalCache.configured(conf) ? readAheadBytes : 0), allocator);
    this.cache = new ShardCache(readAheadBytes, fetchThreads, metrics, allocator);
    this.planner = new EpochPlanner(cache, allocator);
    this.factories = Map.copyOf(factories);
    metrics.reportLocalCache(LocalCache.of(conf).orElse(null));
  }

  /** A request resolved against storage: the snapshot, the scan, the plan and the pipeline. */
  record Resolved(
      FeedRequest request,
      Snapshot snapshot,
      Scan scan,
      EpochPlanner.Planned planned,
      Pipeline pipeline) {}

  Resolved resolve(FeedRequest request) {
    Dataset dataset = datasets.computeIfAbsent(request.dataset(), uri -> Dataset.at(uri, conf));
    Snapshot snapshot = dataset.snapshot(request.travel());
    ScanBuilder builder = snapshot.newScan().targetSplitRows(1).verifyChecksums(true);
    if (request.columns() != null) {
      builder.select(request.columns());
    }
    String predicateKey = "";
    if (request.predicate() != null) {
      builder.filter(request.predicate());
      predicateKey = request.predicate().toString();
    }
    Scan scan = builder.build();
    Pipeline pipeline =
        Pipeline.compile(snapshot.toString(), request.pipeline(), factories, scan.schema());
    boolean shuffle = request.take() == null && request.shuffle();
    EpochPlanner.Planned planned =
        planner.plan(
            snapshot,
            scan,
            predicateKey,
            request.seed(),
            request.epoch(),
            shuffle,
            request.shuffleBuffer());
    if (planned.plan().size() == 0) {
      throw FeedErrors.emptyDataset(snapshot.toString());
    }
    if (request.take() == null && request.position() >= planned.plan().size()) {
      throw FeedErrors.positionOutOfRange(
          snapshot.toString(), request.position(), planned.plan().size());
    }
    if (request.take() != null) {
      for (long index : request.take()) {
        if (index >= planned.plan().size()) {
          throw FeedErrors.takeOutOfRange(snapshot.toString(), index, planned.plan().size());
        }
      }
    }
    return new Resolved(request, snapshot, scan, planned, pipeline);
  }

  /**
   * What the "plan" action answers: the resolved version, the epoch's samples, this consumer's
   * batches ({@code batches}), its rank's batches over all workers ({@code rank_batches}) and the
   * output schema. Resolving compiled the whole pipeline, including the steps the client runs
   * ({@code "on": "client"}), so a bad step fails here, before any batch.
   */
  ObjectNode describe(Resolved r) {
    FeedRequest q = r.request();
    ObjectNode n = JSON.createObjectNode();
    n.put("dataset", r.snapshot().dataset().uri());
    n.put("version", r.snapshot().version());
    n.put("samples", r.planned().plan().size());
    int batches =
        q.take() != null
            ? (q.take().length + q.batchSize() - 1) / q.batchSize()
            : r.planned()
                .plan()
                .assignment(
                    q.position(),
                    q.batchSize(),
                    q.worldSize(),
                    q.rank(),
                    q.numWorkers(),
                    q.worker(),
                    q.dropLast())
                .length;
    n.put("batches", batches);
    if (q.take() == null) {
      // The rank's batches over all its workers: the same on every rank, whatever num_workers is.
      n.put(
          "rank_batches",
          r.planned().plan().rankBatches(q.position(), q.batchSize(), q.worldSize(), q.dropLast()));
    }
    n.put("batch_size", q.batchSize());
    n.put("schema", r.pipeline().outputSchema().toJson());
    return n;
  }

  @Override
  public void close() {
    prepare.shutdownNow();
    work.shutdownNow();
    blocks.close();
    cache.close();
  }
}
