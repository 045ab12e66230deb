package io.mlobj.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * An {@link ObjectStore} in memory, for unit tests of the commit protocol without a server: keys
 * sort in UTF-8 order like S3's ({@code String} order equals UTF-8 order for the ASCII keys mlobj
 * writes), and {@link #putIfAbsent} is atomic.
 */
public final class InMemoryObjectStore implements ObjectStore {
  private record Entry(byte[] data, Map<String, String> metadata, long modified) {}

  private final String root;
  private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>();
  private final boolean nativeConditions;
  private final boolean honoursConditions;

  public InMemoryObjectStore(String root) {
    this(root, true, true);
  }

  private InMemoryObjectStore(String root, boolean nativeConditions, boolean honoursConditions) {
    this.root = root;
    this.nativeConditions = nativeConditions;
    this.honoursConditions = honoursConditions;
  }

  /**
   * A store that does not declare conditional writes native, so commits probe it first, like an S3
   * gateway of unknown age; with {@code honoursConditions=false} its {@link #putIfAbsent}
   * overwrites, as old gateways do.
   */
  public static InMemoryObjectStore probed(String root, boolean honoursConditions) {
    return new InMemoryObjectStore(root, false, honoursConditions);
  }

  @Override
  public String root() {
    return root;
  }

  @Override
  public byte[] read(String key) {
    return entry(key).data().clone();
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    byte[] data = entry(key).data();
    int from = (int) Math.min(offset, data.length);
    return Arrays.copyOfRange(data, from, (int) Math.min(data.length, (long) from + length));
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    Entry e = objects.get(key);
    return Optional.ofNullable(e == null ? null : info(key, e));
  }

  @Override
  public void put(String key, byte[] data, Map<String, String> userMetadata) {
    objects.put(key, new Entry(data.clone(), Map.copyOf(userMetadata), System.currentTimeMillis()));
  }

  @Override
  public void putIfAbsent(String key, byte[] data, Map<String, String> userMetadata) {
    Entry e = new Entry(data.clone(), Map.copyOf(userMetadata), System.currentTimeMillis());
    if (!honoursConditions) {
      objects.put(key, e);
    } else if (objects.putIfAbsent(key, e) != null) {
      throw new PreconditionFailedException(uri(key), null);
    }
  }

  @Override
  public void delete(String key) {
    objects.remove(key);
  }

  @Override
  public List<ObjectInfo> list(String prefix, String startAfter) {
    List<ObjectInfo> out = new ArrayList<>();
    String from = startAfter != null && startAfter.compareTo(prefix) > 0 ? startAfter : prefix;
    for (Map.Entry<String, Entry> e : objects.tailMap(from, true).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      if (!e.getKey().equals(startAfter)) {
        out.add(info(e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  @Override
  public boolean conditionalWriteIsNative() {
    return nativeConditions;
  }

  @Override
  public void close() {}

  private Entry entry(String key) {
    Entry e = objects.get(key);
    if (e == null) {
      throw new ObjectNotFoundException(uri(key));
    }
    return e;
  }

  private static ObjectInfo info(String key, Entry e) {
    return new ObjectInfo(key, e.data().length, e.modified(), null, e.metadata());
  }
}
