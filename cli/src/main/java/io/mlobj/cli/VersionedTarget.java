package io.mlobj.cli;

import io.mlobj.Snapshot;
import picocli.CommandLine.Parameters;

/**
 * The {@code DATASET[@VERSION|@TAG]} argument of the commands that read one version ({@code show},
 * {@code schema}), as a picocli mixin: one definition of the argument and of how it resolves.
 */
final class VersionedTarget {
  @Parameters(
      index = "0",
      paramLabel = "DATASET",
      description = "URI, URI@VERSION (3 or v3) or URI@TAG; default the latest version.")
  String target;

  /** The version the argument names: the tag's, the given one, or the latest. */
  Snapshot resolve(CommonOptions opts) {
    return VersionedUri.parse(target).resolve(opts.conf());
  }
}
