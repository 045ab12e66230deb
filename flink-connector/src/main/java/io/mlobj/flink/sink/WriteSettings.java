package io.mlobj.flink.sink;

import io.mlobj.flink.DatasetSettings;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Schema;

/** What the writers and the committer of a {@link MlobjSink} need; validated by the builder. */
public final class WriteSettings extends DatasetSettings {
  private static final long serialVersionUID = 1L;

  private final TreeMap<String, String> writerOptions;
  private final int batchRows;
  private final String sinkId;

  WriteSettings(
      String uri,
      Map<String, String> conf,
      Schema schema,
      Map<String, String> writerOptions,
      int batchRows,
      String sinkId) {
    super(uri, conf, schema, "sink");
    this.writerOptions = new TreeMap<>(writerOptions);
    this.batchRows = batchRows;
    this.sinkId = sinkId;
  }

  /** Options for {@link io.mlobj.DatasetWriter.Builder#options}: format, compression, sizes. */
  public Map<String, String> writerOptions() {
    return writerOptions;
  }

  /** Rows buffered per Arrow batch before it is handed to the shard writer. */
  public int batchRows() {
    return batchRows;
  }

  /** The stable id of this sink, part of the idempotency key of its commits. */
  public String sinkId() {
    return sinkId;
  }
}
