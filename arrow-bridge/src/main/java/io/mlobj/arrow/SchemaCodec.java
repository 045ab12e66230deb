package io.mlobj.arrow;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.Base64;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * Encodes Arrow schemas as base64 of an Arrow IPC schema message: the same encoding Arrow uses for
 * the {@code ARROW:schema} key in Parquet footers, so any Arrow implementation can decode it
 * (pyarrow: {@code pa.ipc.read_schema(pa.py_buffer(base64.b64decode(s)))}).
 *
 * <p>Stable API.
 */
public final class SchemaCodec {
  private SchemaCodec() {}

  /** The IPC bytes of a schema message. */
  public static byte[] toIpc(Schema schema) {
    FixedShapeTensorType.ensureRegistered();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), schema);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot serialize schema " + schema, e);
    }
    return out.toByteArray();
  }

  /** Base64 of {@link #toIpc(Schema)}. */
  public static String toBase64(Schema schema) {
    return Base64.getEncoder().encodeToString(toIpc(schema));
  }

  /** Decodes {@link #toIpc(Schema)} output. */
  public static Schema fromIpc(byte[] bytes) throws IOException {
    FixedShapeTensorType.ensureRegistered();
    try (ReadChannel channel = new ReadChannel(new ByteArrayReadableSeekableByteChannel(bytes))) {
      return FixedShapeTensorType.withValueTypes(MessageSerializer.deserializeSchema(channel));
    }
  }

  /** Decodes {@link #toBase64(Schema)} output. */
  public static Schema fromBase64(String base64) throws IOException {
    return fromIpc(Base64.getDecoder().decode(base64));
  }
}
