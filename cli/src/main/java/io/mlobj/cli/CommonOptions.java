package io.mlobj.cli;

import io.mlobj.MlobjConf;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every command takes: storage settings, output format, verbosity. */
public final class CommonOptions {
  @Option(
      names = {"-c", "--conf"},
      paramLabel = "KEY=VALUE",
      description =
          "A storage or mlobj setting, e.g. fs.s3a.endpoint=http://127.0.0.1:9000 (repeatable;"
              + " overrides the config files).")
  Map<String, String> conf = new LinkedHashMap<>();

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = "Also read ~/.mlobj/NAME.properties (default: $MLOBJ_PROFILE).")
  String profile;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--json", description = "Print JSON for scripts instead of tables.")
  boolean json;

  @Option(
      names = {"-v", "--verbose"},
      description = "Print stack traces of errors.")
  boolean verbose;

  @Option(
      names = "--progress",
      negatable = true,
      description = "Show progress bars (default: when stderr is a terminal).")
  Boolean progress;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description =
          "Give up on the whole command after this long, e.g. 30s or 2m (a bare number is"
              + " seconds); exit "
              + ExitCodes.STORAGE
              + ". Single requests are bounded by fs.s3a.connection.timeout and friends.")
  String timeout;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  private MlobjConf loaded;

  /** The effective configuration. */
  MlobjConf conf() {
    if (loaded == null) {
      loaded = Config.load(profile, conf);
    }
    return loaded;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  Output output() {
    return new Output(out(), json);
  }

  /** A progress bar on stderr, or a silent one. */
  ProgressBar progressBar(String what, String unit) {
    boolean show = progress != null ? progress : System.console() != null;
    return new ProgressBar(show ? err() : null, what, unit);
  }

  /** The registry root: {@code --registry}, else the {@code mlobj.registry} setting. */
  String registry(String option) {
    String r = option != null ? option : conf().get(Config.REGISTRY);
    if (r == null || r.isBlank()) {
      throw new CliException(
          ExitCodes.USAGE,
          "Cannot open the checkpoint registry: no location given. Pass --registry"
              + " s3a://bucket/registry or set "
              + Config.REGISTRY
              + " in ~/.mlobj/config.properties.");
    }
    return r;
  }
}
