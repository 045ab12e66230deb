package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import io.mlobj.Snapshot;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dataset with an optional version or tag, as {@code show} and {@code schema} take it: {@code
 * s3a://b/images}, {@code s3a://b/images@3}, {@code s3a://b/images@v3} or {@code
 * s3a://b/images@tested}.
 */
record VersionedUri(String uri, Long version, String tag) {
  private static final Pattern VERSION = Pattern.compile("v?(\\d+)");

  /** Splits {@code URI[@VERSION|@TAG]} at the last {@code @} after the scheme. */
  static VersionedUri parse(String text) {
    int scheme = text.indexOf("://");
    int at = text.lastIndexOf('@');
    if (at < 0 || at < scheme + 3) {
      return new VersionedUri(text, null, null);
    }
    String uri = text.substring(0, at);
    String suffix = text.substring(at + 1);
    if (suffix.isEmpty()) {
      throw new CliException(
          ExitCodes.USAGE,
          "Cannot read dataset "
              + text
              + ": nothing follows '@'. Write URI@VERSION (e.g. @3 or @v3) or URI@TAG.");
    }
    Matcher m = VERSION.matcher(suffix);
    if (m.matches()) {
      return new VersionedUri(uri, Long.parseLong(m.group(1)), null);
    }
    return new VersionedUri(uri, null, suffix);
  }

  /** Opens the dataset and resolves the version: the tag's, the given one, or the latest. */
  Snapshot resolve(MlobjConf conf) {
    Dataset dataset = DatasetRef.open(uri, conf);
    if (version != null) {
      return dataset.version(version);
    }
    if (tag != null) {
      return dataset.tagged(tag);
    }
    return dataset.latest();
  }
}
