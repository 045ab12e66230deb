package io.mlobj.internal.store;

import io.mlobj.MlobjConf;
import io.mlobj.internal.KernelThreads;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Builds S3 clients from {@code fs.s3a.*} settings and {@code mlobj.s3.http-client} (see {@link
 * S3HttpClients}). Clients are expensive (connection pools, threads) and thread-safe, so stores of
 * the same settings share one, counted: the last store to close closes it.
 */
public final class S3Clients {
  /** The S3A keys that shape a client; per-bucket overrides are resolved before lookup. */
  private static final List<String> KEYS =
      List.of(
          "fs.s3a.endpoint",
          "fs.s3a.endpoint.region",
          "fs.s3a.path.style.access",
          "fs.s3a.connection.ssl.enabled",
          "fs.s3a.access.key",
          "fs.s3a.secret.key",
          "fs.s3a.session.token",
          "fs.s3a.connection.maximum",
          S3Settings.MAX_ERROR_RETRIES,
          S3Settings.RETRY_LIMIT,
          S3Settings.THROTTLE_LIMIT,
          S3Settings.THROTTLE_INTERVAL,
          S3Settings.ESTABLISH_TIMEOUT,
          S3Settings.SOCKET_TIMEOUT,
          S3Settings.REQUEST_TIMEOUT);

  /** The mlobj keys that shape a client (no per-bucket override). */
  private static final List<String> MLOBJ_KEYS = List.of(S3HttpClients.KEY);

  /** Clients in use, by effective settings; guarded by the class lock. */
  private static final Map<Map<String, String>, Lease> LEASES = new java.util.HashMap<>();

  /** As many timer threads as the SDK's own pool starts. */
  private static final int SDK_TIMER_THREADS = 5;

  private S3Clients() {}

  /**
   * A client and a pool for ranged reads and multipart parts, shared by every store of the same
   * settings and closed when the last of them releases it.
   */
  public static final class Lease {
    private final Map<String, String> settings;
    final S3Client client;
    final ExecutorService parts;
    final ScheduledExecutorService timers;
    final S3HttpClients.Kind httpClient;
    private int users;

    private Lease(Map<String, String> settings) {
      this.settings = settings;
      this.httpClient = S3HttpClients.choose(settings.get(S3HttpClients.KEY));
      // The SDK's own timer pool would take the context class loader of whichever request thread
      // first scheduled a timeout; ours uses the kernel's (see KernelThreads).
      this.timers =
          Executors.newScheduledThreadPool(
              SDK_TIMER_THREADS, KernelThreads.named("mlobj-s3-timer-"));
      this.client = build(settings, httpClient, timers);
      this.parts = partExecutor();
    }
  }

  /** Takes a share of the client for these settings; {@link #release} it when done. */
  public static synchronized Lease acquire(String bucket, MlobjConf conf) {
    Lease lease = LEASES.computeIfAbsent(effective(bucket, conf), Lease::new);
    lease.users++;
    return lease;
  }

  /** The timeout and retry settings a client for this bucket uses. */
  public static S3Settings settings(String bucket, MlobjConf conf) {
    return S3Settings.from(effective(bucket, conf));
  }

  private static Map<String, String> effective(String bucket, MlobjConf conf) {
    Map<String, String> effective = new java.util.TreeMap<>();
    for (String key : KEYS) {
      String value = conf.s3a(bucket, key);
      if (value != null) {
        effective.put(key, value);
      }
    }
    for (String key : MLOBJ_KEYS) {
      String value = conf.get(key);
      if (value != null) {
        effective.put(key, value);
      }
    }
    return Map.copyOf(effective);
  }

  /** Gives a share back; the last one closes the client and stops the part pool. */
  public static synchronized void release(Lease lease) {
    if (--lease.users == 0) {
      LEASES.remove(lease.settings);
      lease.parts.shutdown();
      lease.client.close();
      lease.timers.shutdownNow(); // a client we supply a timer pool to leaves it open
    }
  }

  private static S3Client build(
      Map<String, String> s, S3HttpClients.Kind kind, ScheduledExecutorService timers) {
    boolean ssl =
        !"false".equalsIgnoreCase(s.getOrDefault("fs.s3a.connection.ssl.enabled", "true"));
    String region = s.getOrDefault("fs.s3a.endpoint.region", "us-east-1");
    int maxConnections = Integer.parseInt(s.getOrDefault("fs.s3a.connection.maximum", "96"));
    S3Settings settings = S3Settings.from(s);
    var http = S3HttpClients.builder(kind, settings, Math.max(maxConnections, 16));
    ClientOverrideConfiguration.Builder override =
        ClientOverrideConfiguration.builder()
            .scheduledExecutorService(timers)
            .retryStrategy(
                new ThrottleAwareRetryStrategy(
                    settings.attempts(), settings.throttleRetries(), settings.throttleInterval()));
    if (!settings.requestTimeout().isZero()) {
      override.apiCallAttemptTimeout(settings.requestTimeout());
    }
    var builder =
        S3Client.builder()
            .region(Region.of(region))
            .httpClientBuilder(http)
            .credentialsProvider(credentials(s))
            .serviceConfiguration(
                S3Configuration.builder()
                    .pathStyleAccessEnabled(
                        Boolean.parseBoolean(s.getOrDefault("fs.s3a.path.style.access", "false")))
                    .chunkedEncodingEnabled(true)
                    .build())
            .overrideConfiguration(override.build());
    String endpoint = s.get("fs.s3a.endpoint");
    if (endpoint != null && !endpoint.isBlank()) {
      String url = endpoint.contains("://") ? endpoint : (ssl ? "https://" : "http://") + endpoint;
      builder.endpointOverride(URI.create(url));
      if (url.regionMatches(true, 0, "http://", 0, 7)
          && http instanceof ApacheHttpClient.Builder apache) {
        // Start-up: a plain-http endpoint (a local server) needs no TLS context.
        apache.socketFactory(new NoTlsSocketFactory(url));
      }
    }
    // Checksums: mlobj keeps its own CRC32C per shard; avoid SDK trailing checksums, which some
    // S3-compatible servers reject.
    builder.requestChecksumCalculation(
        software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED);
    builder.responseChecksumValidation(
        software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED);
    return builder.build();
  }

  private static AwsCredentialsProvider credentials(Map<String, String> s) {
    String access = s.get("fs.s3a.access.key");
    String secret = s.get("fs.s3a.secret.key");
    if (access == null || secret == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    String token = s.get("fs.s3a.session.token");
    return StaticCredentialsProvider.create(
        token == null
            ? AwsBasicCredentials.create(access, secret)
            : AwsSessionCredentials.create(access, secret, token));
  }

  /**
   * Daemon threads for ranged reads and multipart parts of one lease; never used for nested waits.
   * Idle threads end after a few seconds.
   */
  private static ExecutorService partExecutor() {
    int threads = Math.max(16, Runtime.getRuntime().availableProcessors() * 4);
    java.util.concurrent.ThreadPoolExecutor pool =
        new java.util.concurrent.ThreadPoolExecutor(
            threads,
            threads,
            5,
            java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>(),
            KernelThreads.named("mlobj-s3-io-"));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
