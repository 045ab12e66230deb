package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.ShardFormat;
import io.mlobj.testing.EmbeddedS3Extension;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** TLS with a bearer token end to end, and the rules for binding beyond loopback. */
class FeedSecurityITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @Test
  void bindingBeyondLoopbackNeedsATokenAndTls() {
    assertThatThrownBy(() -> FeedServer.builder().host("0.0.0.0").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("binding 0.0.0.0 (not loopback) needs a bearer token")
        .hasMessageContaining("needs TLS (certificate and key)");
    assertThatThrownBy(() -> FeedServer.builder().port(70000).token(" ").build())
        .hasMessageContaining("port 70000 is not within 0..65535")
        .hasMessageContaining("the token is blank");
  }

  @Test
  void aTlsServerWithATokenServesTlsClientsAndRefusesPlaintext(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    assumeTrue(selfSigned(cert, key), "openssl is needed to make a test certificate");
    String uri = S3.newDatasetUri();
    try (BufferAllocator allocator = new RootAllocator()) {
      FeedTestData.create(uri, S3.conf(), allocator, ShardFormat.ARROW, 1, 2, 10, 2, 2);
      try (FeedServer server =
          FeedServer.builder().conf(S3.conf()).token("tls-token").tls(cert, key).build().start()) {
        assertThat(server.endpoint()).startsWith("grpc+tls://");
        ObjectNode request = FeedRequest.json(uri).put("batch_size", 5);
        FlightCallHeaders headers = new FlightCallHeaders();
        headers.insert("authorization", "Bearer tls-token");
        long rows = 0;
        try (InputStream trusted = Files.newInputStream(cert);
            FlightClient client =
                FlightClient.builder(allocator, Location.forGrpcTls("localhost", server.port()))
                    .trustedCertificates(trusted)
                    .build();
            FlightStream stream =
                client.getStream(
                    new Ticket(request.toString().getBytes(StandardCharsets.UTF_8)),
                    new HeaderCallOption(headers))) {
          while (stream.next()) {
            rows += stream.getRoot().getRowCount();
          }
        }
        assertThat(rows).isEqualTo(20);
        try (TestClient plaintext = new TestClient(allocator, server.port(), "tls-token")) {
          assertThatThrownBy(() -> plaintext.ids(request))
              .isInstanceOf(FlightRuntimeException.class);
        }
      }
    }
  }

  private static boolean selfSigned(Path cert, Path key) {
    try {
      Process p =
          new ProcessBuilder(
                  "openssl",
                  "req",
                  "-x509",
                  "-newkey",
                  "rsa:2048",
                  "-nodes",
                  "-days",
                  "1",
                  "-subj",
                  "/CN=localhost",
                  "-addext",
                  "subjectAltName=DNS:localhost,IP:127.0.0.1",
                  "-keyout",
                  key.toString(),
                  "-out",
                  cert.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(cert) > 0;
    } catch (Exception e) {
      return false;
    }
  }
}
