package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ServeITCase {
  @TempDir Path dir;

  @Test
  void serveBindsLoopbackGeneratesCredentialsAndPrintsWorkingSettings() throws Exception {
    System.setProperty("mlobj.home", dir.resolve("home").toString());
    StringWriter out = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Path config = dir.resolve("home/local.properties");
    Thread server =
        new Thread(
            () ->
                code.set(
                    Main.run(
                        new String[] {
                          "s3",
                          "serve",
                          "--port",
                          "0",
                          "--data-dir",
                          dir.resolve("data").toString(),
                          "--bucket",
                          "training",
                          "--write-config",
                          config.toString(),
                          "--run-for",
                          "120"
                        },
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter(), true))));
    server.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!out.toString().contains("Ctrl-C") && System.nanoTime() < deadline && server.isAlive()) {
      Thread.sleep(50);
    }
    try {
      String text = out.toString();
      assertThat(text).contains("http://127.0.0.1:").contains("fs.s3a.secret.key=");
      Map<String, String> conf = new LinkedHashMap<>();
      Matcher m = Pattern.compile("^  (fs\\.s3a\\.[^=]+)=(.*)$", Pattern.MULTILINE).matcher(text);
      while (m.find()) {
        conf.put(m.group(1), m.group(2));
      }
      assertThat(conf.get("fs.s3a.access.key")).startsWith("mlobj-");

      String uri = "s3a://training/ds";
      TestDatasets.create(uri, conf, 7);
      CliRunner.Result ls = new CliRunner(conf).run("ls", "s3a://training", "--json");
      assertThat(ls.code()).as(ls.toString()).isZero();
      assertThat(ls.json().get(0).get("rows").asLong()).isEqualTo(7);
      // The written profile works too.
      CliRunner.Result viaProfile = CliRunner.raw("info", uri, "--profile", "local", "--json");
      assertThat(viaProfile.code()).as(viaProfile.toString()).isZero();
    } finally {
      server.interrupt();
      server.join(30_000);
    }
    assertThat(code.get()).isZero();
  }
}
