package io.mlobj.spark;

import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Per-JVM dataset handles and the Arrow allocator shared by the tasks of one executor. Handles
 * cache immutable metadata only, so sharing them between tasks is safe.
 */
public final class Datasets {
  private static final Map<List<Object>, Dataset> HANDLES = new ConcurrentHashMap<>();
  private static volatile BufferAllocator root;

  private Datasets() {}

  /** The handle for {@code uri} with these settings. */
  public static Dataset handle(String uri, Map<String, String> conf) {
    return HANDLES.computeIfAbsent(
        List.of(uri, Map.copyOf(conf)), k -> Dataset.at(uri, MlobjConf.of(conf)));
  }

  /** Drops cached handles of {@code uri} (after the dataset was deleted). */
  public static void forget(String uri) {
    HANDLES.keySet().removeIf(k -> k.get(0).equals(uri));
  }

  /** A child allocator named after its use; close it when the task ends. */
  public static BufferAllocator allocator(String name) {
    if (root == null) {
      synchronized (Datasets.class) {
        if (root == null) {
          root = new RootAllocator();
        }
      }
    }
    return root.newChildAllocator(name, 0, Long.MAX_VALUE);
  }
}
