package io.mlobj.store;

import java.util.Map;

/**
 * What a store knows about one object.
 *
 * @param key the key relative to the store's root
 * @param size size in bytes
 * @param lastModifiedMillis last modification time, epoch milliseconds
 * @param etag the entity tag (S3) or an equivalent change token; may be null
 * @param userMetadata user metadata (S3 {@code x-amz-meta-*} without the prefix); empty if none
 *     <p>Stable API.
 */
public record ObjectInfo(
    String key, long size, long lastModifiedMillis, String etag, Map<String, String> userMetadata) {
  public ObjectInfo {
    userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
  }
}
