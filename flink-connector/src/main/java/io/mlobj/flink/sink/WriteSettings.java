package io.mlobj.flink.sink;

import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.SchemaCodec;
import java.io.IOException;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Schema;

/** What the writers and the committer of a {@link MlobjSink} need; validated by the builder. */
public final class WriteSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String uri;
  private final TreeMap<String, String> conf;
  private final String schemaBase64;
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
    this.uri = uri;
    this.conf = new TreeMap<>(conf);
    this.schemaBase64 = SchemaCodec.toBase64(schema);
    this.writerOptions = new TreeMap<>(writerOptions);
    this.batchRows = batchRows;
    this.sinkId = sinkId;
  }

  /** The dataset URI. */
  public String uri() {
    return uri;
  }

  /** A handle on the dataset (no I/O). */
  public Dataset dataset() {
    return Dataset.at(uri, conf);
  }

  /** The schema of the written batches. */
  public Schema schema() {
    FixedShapeTensorType.ensureRegistered();
    try {
      return SchemaCodec.fromBase64(schemaBase64);
    } catch (IOException e) {
      throw MlobjErrors.malformed(uri, "the sink's schema cannot be decoded: " + e.getMessage());
    }
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
