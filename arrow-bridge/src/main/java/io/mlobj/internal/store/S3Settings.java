package io.mlobj.internal.store;

import io.mlobj.Durations;
import io.mlobj.MlobjConf;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The timeout and retry settings of an S3 client, read from Hadoop s3a's keys with s3a's units (a
 * bare number is milliseconds; suffixes such as {@code 5s} work), but with defaults chosen for
 * interactive use: a hung endpoint fails in under a minute rather than after s3a's 200 s per
 * attempt.
 *
 * @param establishTimeout {@value #ESTABLISH_TIMEOUT}: TCP (and TLS) connect
 * @param socketTimeout {@value #SOCKET_TIMEOUT}: longest wait for the next bytes of a response
 * @param requestTimeout {@value #REQUEST_TIMEOUT}: one attempt of one request, whole (zero: none)
 * @param retries {@value #MAX_ERROR_RETRIES}: SDK retries of a failed request (attempts = 1 +
 *     retries)
 * @param bodyRereads {@value #RETRY_LIMIT}: re-reads of a response body cut off after it began
 * @param throttleRetries {@value #THROTTLE_LIMIT}: retries of a request the server throttled (503
 *     SlowDown, 429), counted apart from other failures as in s3a
 * @param throttleInterval {@value #THROTTLE_INTERVAL}: first back-off after throttling, doubling
 *     per retry up to 5 s
 */
public record S3Settings(
    Duration establishTimeout,
    Duration socketTimeout,
    Duration requestTimeout,
    int retries,
    int bodyRereads,
    int throttleRetries,
    Duration throttleInterval) {
  public static final String ESTABLISH_TIMEOUT = "fs.s3a.connection.establish.timeout";
  public static final String SOCKET_TIMEOUT = "fs.s3a.connection.timeout";
  public static final String REQUEST_TIMEOUT = "fs.s3a.connection.request.timeout";
  public static final String MAX_ERROR_RETRIES = "fs.s3a.attempts.maximum";
  public static final String RETRY_LIMIT = "fs.s3a.retry.limit";
  public static final String THROTTLE_LIMIT = "fs.s3a.retry.throttle.limit";
  public static final String THROTTLE_INTERVAL = "fs.s3a.retry.throttle.interval";

  public static final Duration DEFAULT_ESTABLISH_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(15);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_RETRIES = 2;
  public static final int DEFAULT_BODY_REREADS = 2;
  public static final int DEFAULT_THROTTLE_RETRIES = 20;
  public static final Duration DEFAULT_THROTTLE_INTERVAL = Duration.ofMillis(100);

  /** Reads the settings from the effective (per-bucket resolved) s3a values. */
  public static S3Settings from(Map<String, String> s) {
    MlobjConf conf = MlobjConf.of(s);
    return new S3Settings(
        duration(conf, ESTABLISH_TIMEOUT, DEFAULT_ESTABLISH_TIMEOUT),
        duration(conf, SOCKET_TIMEOUT, DEFAULT_SOCKET_TIMEOUT),
        duration(conf, REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT),
        Math.max(0, conf.getInt(MAX_ERROR_RETRIES, DEFAULT_RETRIES)),
        Math.max(0, conf.getInt(RETRY_LIMIT, DEFAULT_BODY_REREADS)),
        Math.max(0, conf.getInt(THROTTLE_LIMIT, DEFAULT_THROTTLE_RETRIES)),
        duration(conf, THROTTLE_INTERVAL, DEFAULT_THROTTLE_INTERVAL));
  }

  private static Duration duration(MlobjConf conf, String key, Duration defaultValue) {
    return Durations.get(conf, key, defaultValue, TimeUnit.MILLISECONDS);
  }

  /** Attempts per request: the first plus the retries. */
  public int attempts() {
    return 1 + retries;
  }
}
