package io.mlobj.internal.store;

import io.mlobj.Durations;
import java.net.SocketTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;

/**
 * Words a timed-out S3 request so the user learns which setting gave up and how often it was tried:
 * a hung endpoint must read as a timeout of {@code fs.s3a.connection.timeout}, not as a generic
 * client error.
 */
public final class S3TimeoutMessages {
  private S3TimeoutMessages() {}

  /** The reason and remedy for a timeout somewhere in {@code e}'s causes, or null if none. */
  public static String describe(Throwable e, S3Settings settings) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ApiCallAttemptTimeoutException) {
        return gaveUp(
            "the S3 endpoint did not complete the request",
            S3Settings.REQUEST_TIMEOUT,
            settings.requestTimeout().toMillis(),
            settings);
      }
      if (isConnectTimeout(t)) {
        return gaveUp(
            "no connection to the S3 endpoint could be made",
            S3Settings.ESTABLISH_TIMEOUT,
            settings.establishTimeout().toMillis(),
            settings);
      }
      if (t instanceof SocketTimeoutException || isCrtStall(t)) {
        return gaveUp(
            "the S3 endpoint accepted the connection but sent no answer",
            S3Settings.SOCKET_TIMEOUT,
            settings.socketTimeout().toMillis(),
            settings);
      }
    }
    return null;
  }

  private static boolean isConnectTimeout(Throwable t) {
    // Apache HttpClient's ConnectTimeoutException (an InterruptedIOException), the JDK's
    // "connect timed out" SocketTimeoutException, or the CRT client's ConnectException carrying
    // the CRT's AWS_IO_SOCKET_TIMEOUT text.
    String name = t.getClass().getSimpleName();
    String message = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return name.equals("ConnectTimeoutException")
        || (t instanceof SocketTimeoutException && message.contains("connect timed out"))
        || (t instanceof java.net.ConnectException && message.contains("timed out"));
  }

  /**
   * The CRT client's read timeout: its connection health check (set from {@code
   * fs.s3a.connection.timeout}) closed a connection that carried no bytes. Matched by name so this
   * class needs no CRT types.
   */
  private static boolean isCrtStall(Throwable t) {
    return t.getClass().getName().equals("software.amazon.awssdk.crt.http.HttpException")
        && String.valueOf(t.getMessage()).contains("throughput minimum");
  }

  private static String gaveUp(String what, String key, long millis, S3Settings settings) {
    return what
        + " within "
        + key
        + "="
        + Durations.format(java.time.Duration.ofMillis(millis))
        + " ("
        + settings.attempts()
        + (settings.attempts() == 1 ? " attempt" : " attempts")
        + ", "
        + S3Settings.MAX_ERROR_RETRIES
        + "="
        + settings.retries()
        + " retries). Check that the server at fs.s3a.endpoint is healthy, or raise "
        + key
        + ".";
  }
}
