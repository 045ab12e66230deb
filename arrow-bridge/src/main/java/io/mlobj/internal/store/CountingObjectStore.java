package io.mlobj.internal.store;

import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link ObjectStore} that passes every call to another store and counts the calls and the bytes
 * read, by operation and by the first segment of the key ({@code _mlobj}, {@code data}): proof,
 * without timing, of how much I/O a plan or a commit does. Closing closes the inner store.
 *
 * <pre>{@code
 * CountingObjectStore counting = new CountingObjectStore(store);
 * Dataset.at(counting, conf).latest().newScan().filter(eq("day", "7")).build().planTasks();
 * long manifestReads = counting.reads(LogLayout.MANIFESTS);
 * }</pre>
 */
public final class CountingObjectStore implements ObjectStore {
  private final ObjectStore inner;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final LongAdder bytesRead = new LongAdder();

  public CountingObjectStore(ObjectStore inner) {
    this.inner = inner;
  }

  private void count(String operation, String key) {
    counts.computeIfAbsent(operation + " " + key, k -> new LongAdder()).increment();
  }

  /** Calls of {@code operation} ({@code read}, {@code readRange}, {@code head}, ...) so far. */
  public long calls(String operation) {
    return sum(operation + " ", "");
  }

  /** Whole-object and ranged reads of keys starting with {@code prefix} so far. */
  public long reads(String prefix) {
    return sum("read ", prefix) + sum("readRange ", prefix);
  }

  /** Writes (put and put-if-absent) of keys starting with {@code prefix} so far. */
  public long writes(String prefix) {
    return sum("put ", prefix) + sum("putIfAbsent ", prefix);
  }

  /** Bytes returned by reads so far. */
  public long bytesRead() {
    return bytesRead.sum();
  }

  /** Forgets every count. */
  public void reset() {
    counts.clear();
    bytesRead.reset();
  }

  private long sum(String operation, String prefix) {
    long total = 0;
    for (Map.Entry<String, LongAdder> e : counts.entrySet()) {
      if (e.getKey().startsWith(operation + prefix)) {
        total += e.getValue().sum();
      }
    }
    return total;
  }

  @Override
  public String root() {
    return inner.root();
  }

  @Override
  public byte[] read(String key) {
    count("read", key);
    byte[] bytes = inner.read(key);
    bytesRead.add(bytes.length);
    return bytes;
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    count("readRange", key);
    byte[] bytes = inner.readRange(key, offset, length);
    bytesRead.add(bytes.length);
    return bytes;
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    count("head", key);
    return inner.head(key);
  }

  @Override
  public void put(String key, byte[] data, Map<String, String> userMetadata) {
    count("put", key);
    inner.put(key, data, userMetadata);
  }

  @Override
  public void putIfAbsent(String key, byte[] data, Map<String, String> userMetadata) {
    count("putIfAbsent", key);
    inner.putIfAbsent(key, data, userMetadata);
  }

  @Override
  public void delete(String key) {
    count("delete", key);
    inner.delete(key);
  }

  @Override
  public List<ObjectInfo> list(String prefix, String startAfter) {
    count("list", prefix);
    return inner.list(prefix, startAfter);
  }

  @Override
  public boolean conditionalWriteIsNative() {
    return inner.conditionalWriteIsNative();
  }

  @Override
  public void close() {
    inner.close();
  }
}
