package io.mlobj.feed;

import java.util.List;
import java.util.Map;

/**
 * Where the {@code checkpoint.put} action stores model checkpoints sent by trainers.
 *
 * <p>The server's default writes into the kernel's checkpoint registry under a root URI ({@link
 * FeedServer.Builder#checkpointRoot(String)}).
 */
public interface CheckpointStore {
  /**
   * Stores one checkpoint version and returns its description as JSON text.
   *
   * @param model model name
   * @param content the model file
   * @param metadata free-form key/values (loss, training time, ...)
   * @param lineage training inputs as {@code <dataset uri>@v<version>}
   */
  String put(String model, byte[] content, Map<String, String> metadata, List<String> lineage);
}
