package io.mlobj;

import io.mlobj.internal.store.S3HttpClients;
import io.mlobj.internal.store.S3ObjectStore;
import java.util.Arrays;
import java.util.Map;

/**
 * A separate process for {@link HttpClientsITCase}: asks for the CRT client on a JVM where its
 * native library cannot load (a CPU architecture the jar has no library for), then writes and reads
 * through the store it got and prints which client that was.
 *
 * <p>Arguments: {@code <dataset uri> key=value...}.
 */
public final class CrtFallbackMain {
  private CrtFallbackMain() {}

  public static void main(String[] args) {
    // Read by the CRT when it picks its native library from the jar: none exists for this name.
    System.setProperty("aws.crt.arch", "no-such-arch");
    Map<String, String> conf = ChildJvm.confFrom(args, 1);
    try (Dataset dataset = Dataset.open(args[0], conf)) {
      byte[] data = new byte[4096];
      Arrays.fill(data, (byte) 7);
      dataset.store().put("fallback.bin", data, Map.of());
      boolean same = Arrays.equals(dataset.store().read("fallback.bin"), data);
      System.out.println(
          "CLIENT="
              + ((S3ObjectStore) dataset.store()).httpClient()
              + " CRT_AVAILABLE="
              + S3HttpClients.crtAvailable()
              + " READ_BACK="
              + same);
    }
    System.exit(0);
  }
}
