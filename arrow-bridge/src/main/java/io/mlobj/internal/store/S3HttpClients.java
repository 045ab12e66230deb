package io.mlobj.internal.store;

import io.mlobj.MlobjException;
import io.mlobj.Settings;
import io.mlobj.store.ObjectStoreException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;

/**
 * Chooses the SDK HTTP client behind {@link S3Clients} ({@code mlobj.s3.http-client}) and builds it
 * with the same connection maximum and timeouts whichever it is. The CRT client is optional: when
 * its classes or its native library cannot load, the pure-Java Apache client is used and one
 * warning names the setting.
 */
public final class S3HttpClients {
  /** The setting that picks the client. */
  public static final String KEY = Settings.S3_HTTP_CLIENT.name();

  private static final Logger LOG = LoggerFactory.getLogger(S3HttpClients.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private S3HttpClients() {}

  /** The SDK HTTP clients mlobj can use. */
  public enum Kind {
    /** Apache HttpClient 4: pure Java, always available; the default. */
    APACHE,
    /** The AWS Common Runtime client: native, optional. */
    CRT;

    /** The kind a setting value names; blank means the default. */
    public static Kind parse(String value) {
      if (value == null || value.isBlank()) {
        return APACHE;
      }
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ObjectStoreException(
            MlobjException.Kind.INVALID_ARGUMENT,
            "Cannot use "
                + KEY
                + "="
                + value
                + ": the HTTP client is `apache` or `crt`. Set one of them, or remove the setting"
                + " for `apache`.",
            e);
      }
    }
  }

  /** The kind to build for this setting value: {@code crt} only where its native library loads. */
  public static Kind choose(String value) {
    Kind requested = Kind.parse(value);
    return requested == Kind.CRT ? chooseCrt(CrtProbe.FAILURE) : requested;
  }

  /** CRT unless {@code loadFailure} says it cannot load; then Apache, warning once per JVM. */
  static Kind chooseCrt(Throwable loadFailure) {
    if (loadFailure == null) {
      return Kind.CRT;
    }
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn(fallbackMessage(loadFailure));
    }
    return Kind.APACHE;
  }

  /** The warning logged when {@code crt} was asked for but cannot load. */
  static String fallbackMessage(Throwable loadFailure) {
    return KEY
        + "=crt, but the AWS CRT HTTP client cannot load ("
        + loadFailure
        + "): using the pure-Java Apache client. Add software.amazon.awssdk:aws-crt-client and"
        + " software.amazon.awssdk.crt:aws-crt (its native library for this platform) to the class"
        + " path, or set "
        + KEY
        + "=apache to silence this.";
  }

  /** Whether the CRT client's classes and native library load in this JVM. */
  public static boolean crtAvailable() {
    return CrtProbe.FAILURE == null;
  }

  /**
   * A builder for the client of this kind, with the pool size and the connect and read timeouts
   * applied; the whole-request timeout is the SDK's own and applies to every kind.
   */
  static SdkHttpClient.Builder<?> builder(Kind kind, S3Settings settings, int maxConnections) {
    return switch (kind) {
      case APACHE ->
          ApacheHttpClient.builder()
              .maxConnections(maxConnections)
              .connectionTimeout(settings.establishTimeout())
              .socketTimeout(settings.socketTimeout());
      // A separate class, so the CRT classes load only when chosen.
      case CRT -> CrtHttpClients.builder(settings, maxConnections);
    };
  }

  /** Loads the CRT classes and native library once, on first use of {@code crt}. */
  private static final class CrtProbe {
    static final Throwable FAILURE = probe();

    private static Throwable probe() {
      ClassLoader loader = S3HttpClients.class.getClassLoader();
      try {
        Class.forName("software.amazon.awssdk.http.crt.AwsCrtHttpClient", false, loader);
        // Initialising CRT extracts and loads the native library for this platform.
        Class.forName("software.amazon.awssdk.crt.CRT", true, loader);
        return null;
      } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
        return e;
      }
    }
  }
}
