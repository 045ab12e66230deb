package io.mlobj.cli;

import io.mlobj.AsOfResolution;
import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import io.mlobj.Snapshot;
import io.mlobj.TimeTravel;
import java.io.PrintWriter;
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

  /**
   * Resolves the chosen version of the dataset. Time travel past a damaged version file resolves to
   * the latest intact version by then and says so on {@code err}.
   */
  Snapshot resolve(Dataset dataset, PrintWriter err) {
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
    TimeTravel travel = TimeTravel.fromOptions(options);
    if (travel.timestampMillis() >= 0) {
      AsOfResolution resolution = dataset.resolveAsOf(travel.timestampMillis());
      if (resolution.note() != null) {
        err.println("mlobj: " + resolution.note());
        err.flush();
      }
      return resolution.snapshot();
    }
    return dataset.snapshot(travel);
  }

  static Dataset open(String uri, MlobjConf conf) {
    return Dataset.open(uri, conf);
  }
}
