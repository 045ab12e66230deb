package io.mlobj.internal.commit;

import io.mlobj.MlobjConf;
import io.mlobj.MlobjErrors;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.PreconditionFailedException;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks, once per store location and JVM, that the store honours create-if-absent: S3-compatible
 * stores differ (old MinIO and some gateways ignore {@code If-None-Match}). The probe writes a key
 * twice; the second write must be refused.
 */
public final class ConditionalWrites {
  private static final Map<String, Boolean> VERIFIED = new ConcurrentHashMap<>();

  private ConditionalWrites() {}

  /** Throws unless the store is safe for concurrent commits or the user allowed unsafe commits. */
  public static void ensureSafe(ObjectStore store, MlobjConf conf) {
    if (store.conditionalWriteIsNative() || conf.getBoolean(MlobjConf.ALLOW_UNSAFE_COMMIT, false)) {
      return;
    }
    String location = location(store.root());
    boolean safe = VERIFIED.computeIfAbsent(location, k -> probe(store));
    if (!safe) {
      throw MlobjErrors.unsafeStore(store.root());
    }
  }

  /** Whether the store refuses a second create of the same key. */
  public static boolean probe(ObjectStore store) {
    String key = "_mlobj/probe-" + UUID.randomUUID() + ".json";
    byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try {
      store.putIfAbsent(key, body, Map.of());
      try {
        store.putIfAbsent(key, body, Map.of());
        return false;
      } catch (PreconditionFailedException expected) {
        return true;
      }
    } finally {
      store.delete(key);
    }
  }

  private static String location(String root) {
    URI uri = URI.create(root);
    return uri.getScheme() + "://" + uri.getAuthority();
  }
}
