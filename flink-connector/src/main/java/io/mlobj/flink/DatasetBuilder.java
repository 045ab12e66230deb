package io.mlobj.flink;

import io.mlobj.MlobjException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings {@code MlobjSource.Builder} and {@code MlobjSink.Builder} share (dataset path,
 * storage settings, rows per Arrow batch) and how a builder reports every bad setting at once.
 * Stability: evolving; use it through the source and sink builders.
 *
 * @param <B> the concrete builder, returned by each setter
 */
public abstract class DatasetBuilder<B extends DatasetBuilder<B>> {
  /** The dataset URI. */
  protected String path;

  /** Storage settings. */
  protected final Map<String, String> conf = new TreeMap<>();

  /** Rows per Arrow batch. */
  protected int batchRows;

  /**
   * @param defaultBatchRows rows per Arrow batch unless {@link #batchRows(int)} says otherwise
   */
  protected DatasetBuilder(int defaultBatchRows) {
    this.batchRows = defaultBatchRows;
  }

  /** This builder, typed as the concrete one. */
  protected abstract B self();

  /** The dataset URI, e.g. {@code s3a://bucket/datasets/images}. Required. */
  public B path(String path) {
    this.path = path;
    return self();
  }

  /** Storage settings ({@code fs.s3a.endpoint}, credentials, {@code mlobj.*}). */
  public B conf(Map<String, String> conf) {
    this.conf.putAll(conf);
    return self();
  }

  /** One storage setting. */
  public B conf(String key, String value) {
    this.conf.put(key, value);
    return self();
  }

  /** Rows per Arrow batch (defaults: 8192 for a source, 1024 for a sink). */
  public B batchRows(int rows) {
    this.batchRows = rows;
    return self();
  }

  /** The problems of the shared settings, to which a builder adds its own. */
  protected List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (path == null || path.isBlank()) {
      problems.add("'path' is required (the dataset URI, e.g. s3a://bucket/datasets/images)");
    }
    if (batchRows <= 0) {
      problems.add("'batchRows' = " + batchRows + " must be positive");
    }
    return problems;
  }

  /**
   * Fails naming every problem, if there are any.
   *
   * @param what what is built, e.g. {@code "source"}
   * @param builder where the settings are fixed, e.g. {@code "MlobjSource.builder()"}
   */
  protected static void failOn(List<String> problems, String what, String builder) {
    if (!problems.isEmpty()) {
      throw new MlobjException(
          MlobjException.Kind.INVALID_ARGUMENT,
          "Cannot build the mlobj "
              + what
              + ": "
              + String.join("; ", problems)
              + ". Fix these settings on "
              + builder
              + ".");
    }
  }
}
