package io.mlobj.cli;

import io.mlobj.s3server.EmbeddedS3;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlobj s3 serve}: the embedded S3 server. */
@Command(
    name = "s3",
    mixinStandardHelpOptions = true,
    description = "A local S3-compatible server for trying mlobj without an account.",
    subcommands = {S3Command.Serve.class})
final class S3Command {

  @Command(
      name = "serve",
      description = {
        "Run an S3 server (S3Proxy, filesystem backend) until interrupted.",
        "Binds 127.0.0.1 and generates credentials unless told otherwise, and prints the fs.s3a.*"
            + " settings that point mlobj, Spark and Flink at it."
      })
  static final class Serve implements Callable<Integer> {
    @Mixin CommonOptions opts;

    @Option(
        names = {"--data-dir", "--data"},
        paramLabel = "DIR",
        description = "Where buckets live (default ./mlobj-s3-data).")
    Path dataDir = Path.of("mlobj-s3-data");

    @Mixin ListenOptions listen = new ListenOptions(9000);

    @Option(
        names = "--access-key",
        paramLabel = "KEY",
        description = "Access key (default: generated).")
    String accessKey;

    @Option(
        names = "--secret-key",
        paramLabel = "SECRET",
        description =
            "Secret key (default: generated); prefer $MLOBJ_S3_SECRET_KEY over the command line.")
    String secretKey;

    @Option(
        names = "--bucket",
        paramLabel = "NAME",
        description = "Buckets to create (default: mlobj).")
    List<String> buckets = new ArrayList<>(List.of("mlobj"));

    @Option(
        names = "--write-config",
        paramLabel = "FILE",
        description =
            "Also write the settings to this properties file (e.g. ~/.mlobj/local.properties).")
    Path writeConfig;

    @Override
    public Integer call() throws Exception {
      String secret = secretKey != null ? secretKey : System.getenv("MLOBJ_S3_SECRET_KEY");
      EmbeddedS3.Builder builder =
          EmbeddedS3.builder().dataDir(dataDir).host(listen.host).port(listen.port);
      if (accessKey != null || secret != null) {
        builder.credentials(accessKey, secret);
      }
      EmbeddedS3 s3;
      try {
        s3 = builder.build().start();
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, e.getMessage());
      } catch (IllegalStateException e) {
        throw new CliException(
            ExitCodes.STORAGE,
            "Cannot start the S3 server on "
                + listen.host
                + ":"
                + listen.port
                + ": "
                + Main.oneLine(e.getMessage())
                + ". Is the port in use? Try --port 0.");
      }
      return Foreground.serve(
          s3::close,
          "mlobj-s3-stop",
          listen.runForSeconds,
          () -> {
            buckets.forEach(s3::createBucket);
            Map<String, String> conf = new LinkedHashMap<>(s3.hadoopConf());
            if (writeConfig != null) {
              writeProperties(writeConfig, conf);
            }
            Output out = opts.output();
            if (out.json()) {
              out.json(
                  Output.object(
                      "endpoint",
                      s3.endpoint(),
                      "dataDir",
                      dataDir.toAbsolutePath().toString(),
                      "buckets",
                      buckets,
                      "conf",
                      conf));
            } else {
              out.line(
                  "S3 server on "
                      + s3.endpoint()
                      + ", data in "
                      + dataDir.toAbsolutePath()
                      + ", buckets "
                      + buckets
                      + ".");
              out.line(
                  "Use these settings (mlobj --conf, ~/.mlobj/config.properties, Spark/Flink Hadoop conf):");
              conf.forEach((k, v) -> out.line("  " + k + "=" + v));
              out.line(
                  "Save them in ~/.mlobj/config.properties (or run with --write-config FILE), then:"
                      + " mlobj ls s3a://"
                      + buckets.get(0));
              out.line("Press Ctrl-C to stop.");
            }
          });
    }

    private static void writeProperties(Path file, Map<String, String> conf)
        throws java.io.IOException {
      if (file.getParent() != null) {
        java.nio.file.Files.createDirectories(file.getParent());
      }
      StringBuilder text = new StringBuilder("# Written by mlobj s3 serve\n");
      conf.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
      java.nio.file.Files.writeString(file, text);
      try {
        java.nio.file.Files.setPosixFilePermissions(
            file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system.
      }
    }
  }
}
