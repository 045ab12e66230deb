package io.mlobj.feed;

import io.mlobj.MlobjConf;
import io.mlobj.cache.LocalCache;
import io.mlobj.feed.internal.BearerAuthenticator;
import io.mlobj.feed.internal.FeedMetrics;
import io.mlobj.feed.internal.FeedProducer;
import io.mlobj.feed.internal.FeedService;
import io.mlobj.feed.internal.RegistryCheckpointStore;
import io.mlobj.feed.internal.TakeRouter;
import io.mlobj.feed.transform.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.rounding.SegmentRoundingPolicy;

/**
 * An Arrow Flight server that streams dataset versions to trainers as batches of ready-to-train
 * tensors. Run one per trainer node, next to the trainers (loopback): the sample plan is a pure
 * function of (dataset version, seed, epoch, world size), so servers on different nodes serve their
 * local ranks disjoint parts without talking to each other.
 *
 * <pre>{@code
 * try (FeedServer server = FeedServer.builder()
 *         .conf(Map.of("fs.s3a.endpoint", "http://127.0.0.1:9000", ...))
 *         .token("s3cret")
 *         .build()
 *         .start()) {
 *   System.out.println("listening on " + server.port());
 *   server.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Security: binds 127.0.0.1 by default. With a token every call must carry {@code authorization:
 * Bearer <token>}; bound to any other address the server requires both a token and TLS. Close the
 * server to stop it and free its memory.
 */
public final class FeedServer implements AutoCloseable {
  private final Builder settings;
  private final BufferAllocator allocator;
  private final FeedMetrics metrics = new FeedMetrics();
  private final FeedService service;
  private final FlightServer server;
  private final CheckpointStore checkpoints;

  private FeedServer(Builder b) {
    this.settings = b;
    // Buffers are accounted in 4 KiB steps instead of the default next power of two, so a
    // decoded 3 MiB block counts 3 MiB, not 4, against the cap.
    this.allocator =
        new RootAllocator(
            AllocationListener.NOOP,
            b.memoryCap,
            new SegmentRoundingPolicy(FeedService.ALLOCATION_SEGMENT));
    this.service =
        new FeedService(
            MlobjConf.of(b.conf),
            allocator,
            b.readAheadBytes,
            b.readAheadShards,
            b.fetchThreads,
            b.prepareThreads,
            b.factories,
            metrics);
    CheckpointStore store = b.checkpoints;
    if (store == null && b.checkpointRoot != null) {
      store = new RegistryCheckpointStore(b.checkpointRoot, MlobjConf.of(b.conf));
    }
    this.checkpoints = store;
    Location location =
        b.tlsCert != null
            ? Location.forGrpcTls(b.host, b.port)
            : Location.forGrpcInsecure(b.host, b.port);
    FlightServer.Builder fb =
        FlightServer.builder(
            allocator, location, new TakeRouter(new FeedProducer(service, store), service));
    if (b.token != null) {
      fb.headerAuthenticator(new BearerAuthenticator(b.token));
    }
    if (b.tlsCert != null) {
      try {
        fb.useTls(b.tlsCert.toFile(), b.tlsKey.toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    this.server = fb.build();
  }

  /**
   * A builder with defaults: 127.0.0.1, a free port, no token, 1 GiB memory, 256 MiB read-ahead.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts listening. */
  public FeedServer start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot start the feed server on "
              + settings.host
              + ":"
              + settings.port
              + ": "
              + e.getMessage()
              + ". Choose a free port.",
          e);
    }
    return this;
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  /** The address clients use, e.g. {@code grpc+tcp://127.0.0.1:4321}. */
  public String endpoint() {
    return (settings.tlsCert != null ? "grpc+tls://" : "grpc+tcp://")
        + settings.host
        + ":"
        + port();
  }

  /** The server's counters (also served by the {@code metrics} action). */
  public FeedMetrics metrics() {
    return metrics;
  }

  /** The allocator every stream allocates from (its peak is the server's Arrow memory peak). */
  public BufferAllocator allocator() {
    return allocator;
  }

  /** Blocks until the server is shut down. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    try {
      server.shutdown();
      server.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      service.close();
      if (settings.checkpoints == null && checkpoints instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing connections only.
        }
      }
      awaitStreamsClosed();
      allocator.close();
    }
  }

  /**
   * A stream closes its allocator just after its call completes, so a client that read every batch
   * can close the server before the last stream has released its memory: give those a moment.
   */
  private void awaitStreamsClosed() {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (!allocator.getChildAllocators().isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Settings of a {@link FeedServer}; {@link #build()} checks them all and reports every error. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 0;
    private String token;
    private Path tlsCert;
    private Path tlsKey;
    private long memoryCap = 1L << 30;
    private long readAheadBytes = 256L << 20;
    private int readAheadShards = 4;
    private int fetchThreads = 4;
    private int prepareThreads =
        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
    private Map<String, String> conf = Map.of();
    private final Map<String, Transform.Factory> factories =
        new LinkedHashMap<>(Pipeline.builtins());
    private String checkpointRoot;
    private CheckpointStore checkpoints;

    private Builder() {}

    /** Address to bind (default 127.0.0.1); any other needs {@link #token} and {@link #tls}. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Port (default 0: a free one, see {@link FeedServer#port()}). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Bearer token every call must present; null accepts calls without one (loopback only). */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** TLS certificate chain and private key (PEM). */
    public Builder tls(Path certChain, Path privateKey) {
      this.tlsCert = certChain;
      this.tlsKey = privateKey;
      return this;
    }

    /** Cap on the server's Arrow memory (decoded blocks and batches), default 1 GiB. */
    public Builder memoryCap(long bytes) {
      this.memoryCap = bytes;
      return this;
    }

    /** Cap on fetched shard bytes held or fetched ahead (default 256 MiB), and shards ahead. */
    public Builder readAhead(long bytes, int shards) {
      this.readAheadBytes = bytes;
      this.readAheadShards = shards;
      return this;
    }

    /** Parallel shard fetches (default 4). */
    public Builder fetchThreads(int threads) {
      this.fetchThreads = threads;
      return this;
    }

    /**
     * Threads that gather and preprocess batches of one stream in parallel (default: half the
     * cores, at most 4; 1 prepares on the stream's own preparing thread).
     */
    public Builder prepareThreads(int threads) {
      this.prepareThreads = threads;
      return this;
    }

    /** Storage settings ({@code fs.s3a.*}, {@code mlobj.*}) used to open datasets. */
    public Builder conf(Map<String, String> conf) {
      this.conf = Map.copyOf(conf);
      return this;
    }

    /**
     * Keeps fetched shards in a local directory, at most {@code bytes} of them, so later epochs
     * read them from local disk (or the page cache) instead of the object store. Same as the
     * settings {@code mlobj.cache.dir} and {@code mlobj.cache.size}; call after {@link #conf}.
     */
    public Builder localCache(Path dir, long bytes) {
      Map<String, String> merged = new LinkedHashMap<>(conf);
      merged.put(MlobjConf.CACHE_DIR, dir.toString());
      merged.put(MlobjConf.CACHE_SIZE, Long.toString(bytes));
      this.conf = Map.copyOf(merged);
      return this;
    }

    /** Adds (or replaces) a pipeline transform, used as {@code {"op": name, ...}}. */
    public Builder transform(String name, Transform.Factory factory) {
      factories.put(name, factory);
      return this;
    }

    /** Where {@code checkpoint.put} stores checkpoints (a URI such as s3a://bucket/registry). */
    public Builder checkpointRoot(String uri) {
      this.checkpointRoot = uri;
      return this;
    }

    /** A custom checkpoint store (takes precedence over {@link #checkpointRoot}). */
    public Builder checkpointStore(CheckpointStore store) {
      this.checkpoints = store;
      return this;
    }

    /** Validates every setting and builds the server (not started yet). */
    public FeedServer build() {
      List<String> errors = new ArrayList<>();
      if (host == null || host.isBlank()) {
        errors.add("host is empty");
      }
      if (port < 0 || port > 65535) {
        errors.add("port " + port + " is not within 0..65535");
      }
      if (token != null && token.isBlank()) {
        errors.add("the token is blank");
      }
      if ((tlsCert == null) != (tlsKey == null)) {
        errors.add("TLS needs both a certificate chain and a private key");
      }
      for (Path p : new Path[] {tlsCert, tlsKey}) {
        if (p != null && !Files.isReadable(p)) {
          errors.add("TLS file " + p + " is not readable");
        }
      }
      if (host != null && !host.isBlank() && !isLoopback(host)) {
        if (token == null) {
          errors.add("binding " + host + " (not loopback) needs a bearer token");
        }
        if (tlsCert == null) {
          errors.add("binding " + host + " (not loopback) needs TLS (certificate and key)");
        }
      }
      if (memoryCap <= 0
          || readAheadBytes <= 0
          || readAheadShards <= 0
          || fetchThreads <= 0
          || prepareThreads <= 0) {
        errors.add(
            "memory cap, read-ahead bytes and shards, fetch and prepare threads must be positive");
      }
      if (LocalCache.configured(MlobjConf.of(conf)) && readAheadBytes >= memoryCap) {
        errors.add(
            "with a local cache the shards held by the read-ahead ("
                + readAheadBytes
                + " bytes) are mapped into the server's Arrow memory and must stay below its"
                + " memory cap ("
                + memoryCap
                + " bytes): lower --read-ahead or raise --memory-cap");
      }
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException(
            "Cannot build the feed server: "
                + String.join("; ", errors)
                + ". Fix these settings (see docs/trainer-feed.md).");
      }
      return new FeedServer(this);
    }

    private static boolean isLoopback(String host) {
      try {
        return InetAddress.getByName(host).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
  }
}
