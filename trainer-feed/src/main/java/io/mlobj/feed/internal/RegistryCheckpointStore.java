package io.mlobj.feed.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.MlobjConf;
import io.mlobj.feed.CheckpointStore;
import io.mlobj.registry.Checkpoint;
import io.mlobj.registry.CheckpointRegistry;
import java.util.List;
import java.util.Map;

/**
 * Stores checkpoints in the kernel's {@link CheckpointRegistry} (versioned with put-if-absent,
 * CRC32C-verified, indexed for lineage queries), and describes them as JSON for the client.
 */
public final class RegistryCheckpointStore implements CheckpointStore, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CheckpointRegistry registry;

  public RegistryCheckpointStore(String root, MlobjConf conf) {
    this.registry = CheckpointRegistry.open(root, conf);
  }

  @Override
  public String put(
      String model, byte[] content, Map<String, String> metadata, List<String> lineage) {
    Checkpoint c = registry.put(model, content, metadata, lineage);
    ObjectNode n = JSON.createObjectNode();
    n.put("model", c.model());
    n.put("version", c.version());
    n.put("ref", c.ref());
    n.put("registry", registry.uri());
    n.put("uri", registry.contentUri(c));
    n.put("bytes", c.bytes());
    n.put("crc32c", c.crc32cHex());
    n.put("created_millis", c.createdMillis());
    n.put("user", c.user());
    n.set("metadata", JSON.valueToTree(c.metadata()));
    n.set("lineage", JSON.valueToTree(c.lineage()));
    return n.toString();
  }

  @Override
  public void close() {
    registry.close();
  }
}
