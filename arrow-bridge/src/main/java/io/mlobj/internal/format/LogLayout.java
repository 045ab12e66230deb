package io.mlobj.internal.format;

import java.util.Locale;

/** Object keys of the version log, manifests, tags and data, relative to the dataset root. */
public final class LogLayout {
  /** Directory of all metadata. */
  public static final String META = "_mlobj/";

  /** Directory of version files. */
  public static final String VERSIONS = META + "versions/";

  /** Directory of manifests. */
  public static final String MANIFESTS = META + "manifests/";

  /** Directory of tags. */
  public static final String TAGS = META + "tags/";

  /** The best-effort hint of the latest version. */
  public static final String LATEST_HINT = META + "_latest.json";

  /** Directory of data shards. */
  public static final String DATA = "data/";

  private LogLayout() {}

  /** {@code _mlobj/versions/00000000000000000012.json}: 20 digits so keys sort by version. */
  public static String versionKey(long version) {
    return VERSIONS + String.format(Locale.ROOT, "%020d", version) + ".json";
  }

  /** Parses the version from a version key, or -1 if it is not one. */
  public static long versionOf(String key) {
    if (!key.startsWith(VERSIONS) || !key.endsWith(".json")) {
      return -1;
    }
    String digits = key.substring(VERSIONS.length(), key.length() - ".json".length());
    if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Long.parseLong(digits);
  }

  /** A manifest key. */
  public static String manifestKey(String transactionId, int index) {
    return MANIFESTS + transactionId + "-m" + index + ".json";
  }

  /** A tag key; tag names are validated by the caller. */
  public static String tagKey(String name) {
    return TAGS + name + ".json";
  }
}
