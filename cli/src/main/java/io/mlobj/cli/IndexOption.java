package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.registry.CheckpointRegistry;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --index URI}: datasets the registry commands ({@code query}, {@code lineage}) index first.
 */
final class IndexOption {
  @Option(
      names = "--index",
      paramLabel = "URI",
      description =
          "Register or refresh these datasets in the index first, e.g. derived datasets (repeatable).")
  List<String> index = new ArrayList<>();

  /** Registers or refreshes each {@code --index} dataset in the registry's index. */
  void refresh(CheckpointRegistry registry, CommonOptions opts) {
    for (String uri : index) {
      registry.indexDataset(Dataset.open(uri, opts.conf()));
    }
  }
}
