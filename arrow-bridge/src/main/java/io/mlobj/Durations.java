package io.mlobj;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations the way Hadoop's {@code Configuration.getTimeDuration} does: a number with an
 * optional unit suffix {@code ns, us, ms, s, m, h, d} ({@code 30s}, {@code 500ms}, {@code 2m}); a
 * bare number is in the caller's default unit (milliseconds for the {@code fs.s3a.*} timeouts).
 */
public final class Durations {
  private static final Pattern DURATION =
      Pattern.compile("\\s*(\\d+)\\s*(ns|us|ms|s|m|h|d)?\\s*", Pattern.CASE_INSENSITIVE);

  private Durations() {}

  /**
   * The duration in {@code value}; malformed is an error naming {@code key}.
   *
   * @param key the setting or option, for the error message
   * @param bareUnit the unit of a number without suffix
   */
  public static Duration parse(String key, String value, TimeUnit bareUnit) {
    Matcher m = DURATION.matcher(value == null ? "" : value);
    if (!m.matches()) {
      throw MlobjErrors.badOption(
          key, String.valueOf(value), "a duration such as 5000 (" + unit(bareUnit) + ") or 5s");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw MlobjErrors.badOption(key, value, "a duration such as 5s");
    }
    String suffix = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    TimeUnit unit =
        switch (suffix) {
          case "ns" -> TimeUnit.NANOSECONDS;
          case "us" -> TimeUnit.MICROSECONDS;
          case "ms" -> TimeUnit.MILLISECONDS;
          case "s" -> TimeUnit.SECONDS;
          case "m" -> TimeUnit.MINUTES;
          case "h" -> TimeUnit.HOURS;
          case "d" -> TimeUnit.DAYS;
          default -> bareUnit;
        };
    return Duration.ofNanos(unit.toNanos(n));
  }

  /** The setting's duration, or {@code defaultValue} when unset or blank. */
  public static Duration get(MlobjConf conf, String key, Duration defaultValue, TimeUnit bareUnit) {
    String value = conf.get(key);
    return value == null || value.isBlank() ? defaultValue : parse(key, value, bareUnit);
  }

  /** {@code 5s}, {@code 250ms}, {@code 2m}, {@code 26h}: short, for messages. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  private static String unit(TimeUnit unit) {
    return unit == TimeUnit.SECONDS ? "seconds" : "milliseconds";
  }
}
