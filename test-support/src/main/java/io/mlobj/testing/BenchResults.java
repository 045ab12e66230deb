package io.mlobj.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the benchmarks of every module (the bench module, Spark's and Flink's read benchmarks)
 * record their results, so that {@code bin/bench} can collect them into one table: each result is
 * appended as one JSON object per line to the file named by the system property {@value #PROPERTY}
 * (nothing is recorded when it is unset, so a benchmark run by hand only prints).
 *
 * <pre>{@code
 * BenchResults.record(
 *     BenchResults.result("scan Parquet vs raw GET", 511, 913, "MB/s", 3, ">= 0.8"));
 * }</pre>
 */
public final class BenchResults {
  /** The system property naming the JSON-lines file results are appended to. */
  public static final String PROPERTY = "mlobj.bench.out";

  private BenchResults() {}

  /**
   * One result: {@code ratio} is {@code ours / baseline}; {@code goal} reads as a condition on the
   * ratio, {@code ">= 0.8"} or {@code "<= 1.2"}.
   */
  public static Map<String, Object> result(
      String scenario, double ours, double baseline, String unit, int runs, String goal) {
    if (!goal.matches("(>=|<=) [0-9.]+")) {
      throw new IllegalArgumentException(
          "Cannot record benchmark result "
              + scenario
              + ": goal '"
              + goal
              + "' must read '>= x'"
              + " or '<= x'.");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("scenario", scenario);
    out.put("ours", ours);
    out.put("baseline", baseline);
    out.put("unit", unit);
    out.put("ratio", baseline == 0 ? 0.0 : ours / baseline);
    out.put("runs", runs);
    out.put("goal", goal);
    return out;
  }

  /** Appends the result (with any extra fields added to the map) if {@value #PROPERTY} is set. */
  public static void record(Map<String, Object> result) {
    String file = System.getProperty(PROPERTY);
    System.out.println("# result " + toJson(result));
    if (file == null || file.isBlank()) {
      return;
    }
    try {
      Files.writeString(
          Path.of(file),
          toJson(result) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot record benchmark result in "
              + file
              + ": "
              + e.getMessage()
              + ". Check -D"
              + PROPERTY
              + ".",
          e);
    }
  }

  /** A flat JSON object of strings, numbers and booleans. */
  static String toJson(Map<String, Object> fields) {
    StringBuilder json = new StringBuilder("{");
    fields.forEach(
        (k, v) -> {
          if (json.length() > 1) {
            json.append(", ");
          }
          json.append(quote(k)).append(": ");
          if (v instanceof Double d) {
            json.append(
                d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.6g", d));
          } else if (v instanceof Number || v instanceof Boolean) {
            json.append(v);
          } else {
            json.append(v == null ? "null" : quote(v.toString()));
          }
        });
    return json.append('}').toString();
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
