package io.mlobj.cli;

import io.mlobj.Dataset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Base of the commands whose first argument is a dataset URI: the common options, the {@code URI}
 * argument (index 0; a subclass numbers its own arguments from 1) and opening the dataset, defined
 * once instead of in each command.
 */
abstract class DatasetCommand implements Callable<Integer> {
  @Mixin CommonOptions opts;

  @Parameters(index = "0", paramLabel = "URI", description = "The dataset.")
  String uri;

  /** The dataset the URI names, opened with the effective configuration. */
  Dataset openDataset() {
    return DatasetRef.open(uri, opts.conf());
  }
}
