package io.mlobj.internal.store;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RecordSuccessResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;

/**
 * The SDK's standard retries with a separate, larger budget for throttling, as s3a has ({@code
 * fs.s3a.retry.throttle.limit}): a server that answers 503 SlowDown or 429 is healthy and asks for
 * patience, so giving up after the few retries meant for failures would fail jobs on a busy bucket.
 * The SDK's strategies have one attempt budget for every kind of failure, hence this wrapper; it
 * keeps the SDK's retry conditions and backoff, adds the count per kind, and turns off the SDK's
 * per-client circuit breaker (see the constructor).
 */
final class ThrottleAwareRetryStrategy implements RetryStrategy {
  private static final Duration MAX_THROTTLE_DELAY = Duration.ofSeconds(5);

  private final RetryStrategy standard;
  private final int attempts;
  private final int throttleRetries;
  private final Duration throttleInterval;

  ThrottleAwareRetryStrategy(int attempts, int throttleRetries, Duration throttleInterval) {
    this.attempts = attempts;
    this.throttleRetries = throttleRetries;
    this.throttleInterval = throttleInterval;
    // The inner strategy may retry as often as either budget allows; this class enforces each.
    this.standard =
        AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(Math.max(attempts, 1 + throttleRetries))
            // The SDK's circuit breaker is one token bucket per client (shared by every store of
            // the same settings here), and throttling retries drain it 5 tokens at a time: after
            // about 100 retries in a busy period, every later request of the process would fail on
            // its first reset or 503. Each request's retries are bounded by the budgets above.
            .circuitBreakerEnabled(false)
            .build();
  }

  /** The per-kind count rides along with the SDK's own token. */
  private record Token(RetryToken inner, int failures, int throttles) implements RetryToken {}

  @Override
  public AcquireInitialTokenResponse acquireInitialToken(AcquireInitialTokenRequest request) {
    AcquireInitialTokenResponse response = standard.acquireInitialToken(request);
    return AcquireInitialTokenResponse.create(new Token(response.token(), 0, 0), response.delay());
  }

  @Override
  public RefreshRetryTokenResponse refreshRetryToken(RefreshRetryTokenRequest request) {
    Token token = (Token) request.token();
    boolean throttled = isThrottling(request.failure());
    int failures = token.failures() + (throttled ? 0 : 1);
    int throttles = token.throttles() + (throttled ? 1 : 0);
    if (failures >= attempts || throttles > throttleRetries) {
      throw new TokenAcquisitionFailedException(
          "Gave up after " + (failures + throttles + 1) + " attempts (" + throttles + " throttled)",
          request.failure());
    }
    RefreshRetryTokenResponse response =
        standard.refreshRetryToken(
            RefreshRetryTokenRequest.builder()
                .token(token.inner())
                .failure(request.failure())
                .suggestedDelay(request.suggestedDelay().orElse(null))
                .build());
    Duration delay = throttled ? throttleDelay(throttles) : response.delay();
    return RefreshRetryTokenResponse.create(
        new Token(response.token(), failures, throttles), delay);
  }

  /** Exponential from the interval, capped, with full jitter so throttled clients spread out. */
  private Duration throttleDelay(int throttles) {
    long ceiling =
        Math.min(
            MAX_THROTTLE_DELAY.toMillis(),
            throttleInterval.toMillis() << Math.min(throttles - 1, 16));
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
  }

  static boolean isThrottling(Throwable failure) {
    if (failure instanceof SdkServiceException service) {
      return service.isThrottlingException() || service.statusCode() == 503;
    }
    return false;
  }

  @Override
  public RecordSuccessResponse recordSuccess(RecordSuccessRequest request) {
    Token token = (Token) request.token();
    RecordSuccessResponse response =
        standard.recordSuccess(RecordSuccessRequest.create(token.inner()));
    return RecordSuccessResponse.create(
        new Token(response.token(), token.failures(), token.throttles()));
  }

  @Override
  public int maxAttempts() {
    return Math.max(attempts, 1 + throttleRetries);
  }

  /**
   * The SDK asks for a builder only to derive a changed strategy; the derived one is the standard
   * strategy with this one's total attempt budget.
   */
  @Override
  public Builder<?, ?> toBuilder() {
    return standard.toBuilder();
  }
}
