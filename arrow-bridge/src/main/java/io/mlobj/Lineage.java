package io.mlobj;

import java.util.ArrayList;
import java.util.List;

/**
 * Conventions for lineage in version summaries and checkpoint metadata, shared by the Spark and
 * Flink writers, the trainer and the CLI: {@code lineage.sources} lists the inputs as {@code
 * <dataset uri>@v<version>} separated by commas; {@code lineage.job} names the producing job.
 *
 * <p>Stable API.
 */
public final class Lineage {
  /** Summary key: comma-separated {@code uri@vN} inputs. */
  public static final String SOURCES = "lineage.sources";

  /** Summary key: the producing job (engine application or job id, or a name). */
  public static final String JOB = "lineage.job";

  private Lineage() {}

  /** {@code uri@vN}. */
  public static String ref(String uri, long version) {
    return uri + "@v" + version;
  }

  /** A snapshot's reference. */
  public static String ref(Snapshot snapshot) {
    return ref(snapshot.dataset().uri(), snapshot.version());
  }

  /** Joins references for {@link #SOURCES}. */
  public static String join(List<String> refs) {
    return String.join(",", refs);
  }

  /** Splits a {@link #SOURCES} value. */
  public static List<String> split(String sources) {
    List<String> out = new ArrayList<>();
    if (sources != null) {
      for (String s : sources.split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
    }
    return out;
  }

  /**
   * Parses {@code uri@vN} into its parts.
   *
   * @return {uri, version}; version -1 if the reference has no {@code @v} suffix
   */
  public static Object[] parse(String ref) {
    int at = ref.lastIndexOf("@v");
    if (at < 0) {
      return new Object[] {ref, -1L};
    }
    try {
      return new Object[] {ref.substring(0, at), Long.parseLong(ref.substring(at + 2))};
    } catch (NumberFormatException e) {
      return new Object[] {ref, -1L};
    }
  }
}
