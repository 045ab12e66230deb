package io.mlobj.internal.store;

import java.time.Duration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;

/**
 * Builds the AWS CRT HTTP client from mlobj's S3 settings. Only {@link S3HttpClients} calls it,
 * after checking that the CRT loads: this class is the one place that names CRT types, so the
 * kernel runs without the optional {@code aws-crt-client} and {@code aws-crt} jars.
 *
 * <p>Mapping: {@code fs.s3a.connection.maximum} is {@code maxConcurrency}; {@code
 * fs.s3a.connection.establish.timeout} is {@code connectionTimeout}. The CRT has no socket read
 * timeout: {@code fs.s3a.connection.timeout} becomes its connection health check, which closes a
 * connection whose throughput stays below 1 byte/s for that long. CRT counts whole seconds and
 * needs at least two, so the timeout is rounded up to whole seconds and to no less than 2 s.
 */
final class CrtHttpClients {
  private CrtHttpClients() {}

  static SdkHttpClient.Builder<?> builder(S3Settings settings, int maxConnections) {
    Duration stall = settings.socketTimeout();
    Duration healthWindow =
        Duration.ofSeconds(Math.max(2, (stall.toMillis() + 999) / 1000)); // CRT's minimum
    return AwsCrtHttpClient.builder()
        .maxConcurrency(maxConnections)
        .connectionTimeout(settings.establishTimeout())
        .connectionHealthConfiguration(
            h -> h.minimumThroughputInBps(1L).minimumThroughputTimeout(healthWindow));
  }
}
