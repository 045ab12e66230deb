package io.mlobj.feed.bench;

import io.mlobj.testing.FaultInjectingProxy;
import io.mlobj.testing.FaultInjectingProxy.Rule;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The feed benchmark's network link: a {@link FaultInjectingProxy} in front of an S3 endpoint, with
 * a bandwidth cap shared by every connection and a per-request latency set from stdin, in its own
 * process so that the feed servers, pyarrow and the raw GET all go through the same link. Prints
 * {@code {"endpoint": "http://127.0.0.1:N"}} once ready, then reads commands, one a line, answering
 * each with one JSON line, until stdin closes:
 *
 * <ul>
 *   <li>{@code latency MS}: from now on every request waits {@code MS} milliseconds (a fresh rule:
 *       a rule fires a bounded number of times, so set it again before each run);
 *   <li>{@code requests}: how many requests the proxy has seen so far.
 * </ul>
 *
 * <pre>
 * java ... io.mlobj.feed.bench.LatencyProxyMain http://127.0.0.1:PORT CAP_BYTES_PER_SECOND
 * </pre>
 */
public final class LatencyProxyMain {
  private LatencyProxyMain() {}

  /** Requests one latency rule covers; the benchmark sets a fresh one before each run. */
  private static final int RULE_TIMES = 10_000;

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println(
          "Usage: LatencyProxyMain UPSTREAM_ENDPOINT CAP_BYTES_PER_SECOND (0 = no cap)");
      System.exit(2);
    }
    try (FaultInjectingProxy proxy = FaultInjectingProxy.inFrontOf(args[0]).start()) {
      proxy.bandwidth(Long.parseLong(args[1]));
      System.out.println("{\"endpoint\": \"" + proxy.endpoint() + "\"}");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        String[] words = line.strip().split("\\s+");
        switch (words[0]) {
          case "latency" -> {
            proxy.clearRules();
            long ms = Long.parseLong(words[1]);
            if (ms > 0) {
              proxy.add(Rule.latency(Duration.ofMillis(ms)).times(RULE_TIMES));
            }
            System.out.println("{\"latency_ms\": " + ms + "}");
          }
          case "requests" -> System.out.println("{\"requests\": " + proxy.requests() + "}");
          default -> System.out.println("{\"error\": \"unknown command: " + words[0] + "\"}");
        }
        System.out.flush();
      }
    }
  }
}
