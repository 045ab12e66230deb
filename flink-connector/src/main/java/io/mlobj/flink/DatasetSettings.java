package io.mlobj.flink;

import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.SchemaCodec;
import java.io.IOException;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What every part of a source or sink shares about its dataset, shipped with the job: the URI, the
 * storage settings and the Arrow schema of the batches (kept as IPC bytes, since Arrow schemas are
 * not {@link Serializable}). Immutable. Stability: internal to the connector.
 */
public abstract class DatasetSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String uri;
  private final TreeMap<String, String> conf;
  private final String schemaBase64;
  private final String role;

  /**
   * @param role who reads the schema back, for the error message ("source", "sink")
   */
  protected DatasetSettings(String uri, Map<String, String> conf, Schema schema, String role) {
    this.uri = uri;
    this.conf = new TreeMap<>(conf);
    this.schemaBase64 = SchemaCodec.toBase64(schema);
    this.role = role;
  }

  /** The dataset URI. */
  public String uri() {
    return uri;
  }

  /** Storage settings ({@code fs.s3a.*}, {@code mlobj.*}). */
  public Map<String, String> conf() {
    return conf;
  }

  /** A handle on the dataset (no I/O). */
  public Dataset dataset() {
    return Dataset.at(uri, conf);
  }

  /** The schema of the batches. */
  public Schema schema() {
    FixedShapeTensorType.ensureRegistered();
    try {
      return SchemaCodec.fromBase64(schemaBase64);
    } catch (IOException e) {
      throw MlobjErrors.malformed(
          uri, "the " + role + "'s schema cannot be decoded: " + e.getMessage());
    }
  }
}
