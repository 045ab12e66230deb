package io.mlobj.feed.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.MlobjConf;
import io.mlobj.MlobjErrors;
import io.mlobj.feed.CheckpointStore;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStores;
import io.mlobj.store.PreconditionFailedException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Stores checkpoints under an mlobj-owned prefix: {@code <root>/models/<model>/v<N>/model.bin} and
 * {@code .../checkpoint.json}. Versions are claimed with put-if-absent on the record, so two
 * trainers storing the same model at once get distinct versions. Used until the kernel's checkpoint
 * registry is available to the feed.
 */
public final class PrefixCheckpointStore implements CheckpointStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("models/[^/]+/v(\\d+)/checkpoint\\.json");

  private final String root;
  private final ObjectStore store;

  public PrefixCheckpointStore(String root, MlobjConf conf) {
    this.root = ObjectStores.normalize(root);
    this.store = ObjectStores.open(this.root, conf);
  }

  @Override
  public String put(
      String model, byte[] content, Map<String, String> metadata, List<String> lineage) {
    if (model == null || !NAME.matcher(model).matches()) {
      throw MlobjErrors.badName("model", String.valueOf(model));
    }
    CRC32C crc = new CRC32C();
    crc.update(content, 0, content.length);
    for (int attempt = 0; attempt < 10; attempt++) {
      long version = latest(model) + 1;
      String dir = "models/" + model + "/v" + version + "/";
      store.put(dir + "model.bin", content, Map.of("mlobj-model", model));
      ObjectNode record = JSON.createObjectNode();
      record.put("model", model);
      record.put("version", version);
      record.put("uri", store.uri(dir + "model.bin"));
      record.put("bytes", content.length);
      record.put("crc32c", String.format("%08x", crc.getValue()));
      record.put("created_millis", System.currentTimeMillis());
      record.set("metadata", JSON.valueToTree(metadata));
      record.set("lineage", JSON.valueToTree(lineage));
      try {
        store.putIfAbsent(
            dir + "checkpoint.json", record.toString().getBytes(StandardCharsets.UTF_8), Map.of());
        return record.toString();
      } catch (PreconditionFailedException e) {
        // Another trainer claimed this version; try the next one.
      }
    }
    throw MlobjErrors.badOption(
        "model", model, "a model not written by many trainers at once (10 attempts lost)");
  }

  private long latest(String model) {
    long max = 0;
    for (ObjectInfo info : store.list("models/" + model + "/", null)) {
      Matcher m = VERSION.matcher(info.key());
      if (m.matches()) {
        max = Math.max(max, Long.parseLong(m.group(1)));
      }
    }
    return max;
  }
}
