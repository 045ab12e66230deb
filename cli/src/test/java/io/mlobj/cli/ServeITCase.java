package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlobj.testing.EmbeddedS3Extension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ServeITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @TempDir Path cacheDir;

  @Test
  void serveStartsTheTrainerFeedOnLoopbackWithTheLocalShardCacheAsked() throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "serve",
                "--port",
                "0",
                "--json",
                "--run-for",
                "120",
                "--cache-dir",
                cacheDir.toString(),
                "--cache-size",
                "64m"));
    S3.conf().forEach((k, v) -> args.add("-c=" + k + "=" + v));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread server =
        new Thread(
            () ->
                code.set(
                    Main.run(
                        args.toArray(String[]::new),
                        new PrintWriter(out, true),
                        new PrintWriter(err, true))));
    server.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!out.toString().contains("}") && server.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    try {
      assertThat(out.toString()).as(err.toString()).contains("grpc+tcp://127.0.0.1:");
      String endpoint = new ObjectMapper().readTree(out.toString()).get("endpoint").asText();
      try (BufferAllocator allocator = new RootAllocator();
          FlightClient client = FlightClient.builder(allocator, new Location(endpoint)).build()) {
        List<String> actions = new ArrayList<>();
        for (ActionType type : client.listActions()) {
          actions.add(type.getType());
        }
        assertThat(actions).isNotEmpty();
        Result metrics = client.doAction(new Action("metrics", new byte[0])).next();
        JsonNode cache = new ObjectMapper().readTree(metrics.getBody()).get("local_cache");
        assertThat(cache.get("dir").asText()).isEqualTo(cacheDir.toAbsolutePath().toString());
        assertThat(cache.get("cap_bytes").asLong()).isEqualTo(64L << 20);
      }
    } finally {
      server.interrupt();
      server.join(30_000);
    }
    assertThat(code.get()).isZero();
  }

  @Test
  void nonLoopbackWithoutTokenIsRefused() {
    CliRunner.Result r = CliRunner.raw("serve", "--host", "0.0.0.0", "--port", "0");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("needs a bearer token");
  }
}
