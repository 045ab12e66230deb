package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import io.mlobj.Snapshot;
import io.mlobj.TimeTravel;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --version N}, {@code --tag T}, {@code --as-of TIME}: which version a command reads. */
final class DatasetRef {
  @Option(
      names = "--version",
      paramLabel = "N",
      description = "Read this version (default: latest).")
  Long version;

  @Option(names = "--tag", paramLabel = "TAG", description = "Read the version this tag points to.")
  String tag;

  @Option(
      names = "--as-of",
      paramLabel = "TIME",
      description = "Read the version current at this time (ISO-8601 or epoch millis).")
  String asOf;

  /** Resolves the chosen version of the dataset. */
  Snapshot resolve(Dataset dataset) {
    Map<String, String> options = new LinkedHashMap<>();
    if (version != null) {
      options.put("versionAsOf", String.valueOf(version));
    }
    if (tag != null) {
      options.put("tag", tag);
    }
    if (asOf != null) {
      options.put("timestampAsOf", asOf);
    }
    return dataset.snapshot(TimeTravel.fromOptions(options));
  }

  static Dataset open(String uri, MlobjConf conf) {
    return Dataset.open(uri, conf);
  }
}
