package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hung S3 endpoint (accepts connections, never answers) fails within the configured bound, exit
 * 8, with a message naming the setting that gave up (issue 13, case 2). The elapsed-time checks are
 * generous upper bounds that only prove the command did not wait for the old 60 s x 5 attempts.
 */
class TimeoutsITCase {
  @RegisterExtension static final IsolatedHome HOME = new IsolatedHome();

  /** Listens on 127.0.0.1 and never accepts: the kernel completes the handshake, nobody answers. */
  private static ServerSocket hung;

  @BeforeAll
  static void startHungEndpoint() throws IOException {
    hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  @AfterAll
  static void stopHungEndpoint() throws IOException {
    hung.close();
  }

  private static Map<String, String> conf() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("fs.s3a.endpoint", "http://127.0.0.1:" + hung.getLocalPort());
    conf.put("fs.s3a.endpoint.region", "us-east-1");
    conf.put("fs.s3a.path.style.access", "true");
    conf.put("fs.s3a.connection.ssl.enabled", "false");
    conf.put("fs.s3a.access.key", "hung-test");
    conf.put("fs.s3a.secret.key", "hung-test-secret");
    return conf;
  }

  @Test
  void hungEndpointFailsAfterTheSocketTimeoutNamingTheSetting() {
    Map<String, String> conf = conf();
    conf.put("fs.s3a.connection.timeout", "1000"); // s3a's unit: milliseconds
    conf.put("fs.s3a.attempts.maximum", "0");
    long start = System.nanoTime();

    CliRunner.Result r = new CliRunner(conf).run("info", "s3a://hung-bucket/ds");

    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.STORAGE);
    assertThat(r.err())
        .contains("accepted the connection but sent no answer")
        .contains("fs.s3a.connection.timeout=1s")
        .contains("1 attempt, fs.s3a.attempts.maximum=0 retries");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void timeoutOptionBoundsTheWholeCommand() {
    Map<String, String> conf = conf(); // default timeouts: 3 attempts x 15 s
    long start = System.nanoTime();

    CliRunner.Result r = new CliRunner(conf).run("info", "s3a://hung-bucket/ds", "--timeout", "2s");

    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.STORAGE);
    assertThat(r.err()).contains("Cannot finish 'mlobj info' within --timeout 2s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void malformedTimeoutIsAUsageError() {
    CliRunner.Result r =
        new CliRunner(conf()).run("info", "s3a://hung-bucket/ds", "--timeout", "x");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--timeout").contains("5s");
  }
}
