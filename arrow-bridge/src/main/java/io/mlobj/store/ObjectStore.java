package io.mlobj.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The storage SPI: a flat key space under one root (a dataset's location). Implementations exist
 * for S3 (AWS SDK v2, used for {@code s3a://} and {@code s3://}), the local file system and any
 * Hadoop {@code FileSystem} ({@code hdfs://}).
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Keys are relative to {@link #root()} and use {@code /} as separator.
 *   <li>{@link #put} and {@link #putIfAbsent} are atomic: readers see the whole object or none.
 *   <li>{@link #putIfAbsent} succeeds for exactly one of several racing callers; the others get
 *       {@link PreconditionFailedException}. On S3 this is {@code If-None-Match: *}. This is what
 *       makes commits safe: the version log is written only with it.
 *   <li>{@link #list} returns keys in UTF-8 (binary) order.
 *   <li>Failures are {@link ObjectStoreException}s naming the operation and the object; a missing
 *       object is {@link ObjectNotFoundException}.
 *   <li>Instances are thread-safe; {@link #close()} releases connections and threads.
 * </ul>
 *
 * <p>Stable API.
 */
public interface ObjectStore extends AutoCloseable {

  /** The root URI, e.g. {@code s3a://bucket/datasets/images}. */
  String root();

  /** The full URI of a key, for messages. */
  default String uri(String key) {
    return root().endsWith("/") ? root() + key : root() + "/" + key;
  }

  /** Reads a whole object. Large objects are fetched with parallel ranged reads. */
  byte[] read(String key);

  /** Reads {@code length} bytes from {@code offset}; fewer only at the end of the object. */
  byte[] readRange(String key, long offset, int length);

  /** Metadata of an object, or empty if it does not exist. */
  Optional<ObjectInfo> head(String key);

  /** Writes an object, replacing any existing one. */
  void put(String key, byte[] data, Map<String, String> userMetadata);

  /**
   * Writes an object only if no object exists at the key.
   *
   * @throws PreconditionFailedException if the key exists (another writer won)
   */
  void putIfAbsent(String key, byte[] data, Map<String, String> userMetadata);

  /** Deletes an object; deleting a missing object is not an error. */
  void delete(String key);

  /** Lists objects whose key starts with {@code prefix}, after {@code startAfter} if not null. */
  List<ObjectInfo> list(String prefix, String startAfter);

  /** Whether {@link #putIfAbsent} is known to be atomic for this store without probing. */
  default boolean conditionalWriteIsNative() {
    return false;
  }

  @Override
  void close();
}
