package io.mlobj.cli;

import io.mlobj.registry.CheckpointRegistry;
import picocli.CommandLine.Option;

/** {@code --registry URI}: where checkpoints and the metadata index live. */
final class RegistryOption {
  @Option(
      names = {"-r", "--registry"},
      paramLabel = "URI",
      description =
          "The registry root, e.g. s3a://bucket/registry (default: the mlobj.registry setting).")
  String registry;

  CheckpointRegistry open(CommonOptions opts) {
    return CheckpointRegistry.open(opts.registry(registry), opts.conf());
  }

  /**
   * For commands where a registry is optional: {@code --registry}, else the {@code mlobj.registry}
   * setting, else null.
   */
  String orConfigured(CommonOptions opts) {
    String r = registry != null ? registry : opts.conf().get(Config.REGISTRY);
    return r == null || r.isBlank() ? null : r;
  }
}
