package io.mlobj.internal.registry;

import io.mlobj.MlobjErrors;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Object keys of a registry, relative to its root. Everything a query needs is in the keys, so a
 * query lists one narrow prefix and reads no object bodies:
 *
 * <pre>
 * models/&lt;model&gt;/versions/&lt;20 digits&gt;.json         checkpoint record (put-if-absent)
 * models/&lt;model&gt;/content/&lt;uuid&gt;.bin                 model file
 * models/&lt;model&gt;/tags/&lt;20 digits&gt;/&lt;tag&gt;            checkpoint tag marker
 * models/&lt;model&gt;/aliases/&lt;alias&gt;/&lt;20 digits&gt;.json  alias history step (put-if-absent)
 * index/models/&lt;model&gt;                                model marker
 * index/datasets/&lt;enc uri&gt;                             registered dataset, last indexed version
 * index/lineage/&lt;enc uri&gt;/&lt;20d&gt;/ckpt/&lt;model&gt;/&lt;20d&gt;   checkpoint trained on uri@v
 * index/lineage/&lt;enc uri&gt;/&lt;20d&gt;/dataset/&lt;enc uri&gt;/&lt;20d&gt;  dataset version derived from it
 * index/tag/&lt;tag&gt;/ckpt/&lt;model&gt;/&lt;20d&gt;                  checkpoint tagged
 * index/tag/&lt;tag&gt;/dataset/&lt;enc uri&gt;/&lt;20d&gt;            dataset version tagged
 * index/meta/&lt;enc key&gt;/&lt;enc value&gt;/ckpt/&lt;model&gt;/&lt;20d&gt;  checkpoint metadata key = value
 * index/meta/&lt;enc key&gt;/&lt;enc value&gt;/dataset/&lt;enc uri&gt;/&lt;20d&gt;  version summary key = value
 * </pre>
 *
 * <p>{@code enc} keeps {@code [A-Za-z0-9.-]} and writes every other byte as {@code _XX} (hex), so
 * URIs and free-form values become one safe key segment.
 */
public final class RegistryLayout {
  public static final String MODELS = "models/";
  public static final String INDEX = "index/";
  public static final String INDEX_MODELS = INDEX + "models/";
  public static final String INDEX_DATASETS = INDEX + "datasets/";
  public static final String INDEX_LINEAGE = INDEX + "lineage/";
  public static final String INDEX_TAG = INDEX + "tag/";
  public static final String INDEX_META = INDEX + "meta/";
  public static final String CKPT = "ckpt/";
  public static final String DATASET = "dataset/";

  /** Longest metadata value that is indexed for equality; longer ones are only post-filtered. */
  public static final int MAX_INDEXED_VALUE = 96;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private RegistryLayout() {}

  public static void checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw MlobjErrors.badName(what, String.valueOf(name));
    }
  }

  public static String num(long n) {
    return String.format(Locale.ROOT, "%020d", n);
  }

  public static long parseNum(String digits) {
    String d = digits.endsWith(".json") ? digits.substring(0, digits.length() - 5) : digits;
    if (d.length() != 20 || !d.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Long.parseLong(d);
  }

  public static String model(String model) {
    return MODELS + model + "/";
  }

  public static String versions(String model) {
    return model(model) + "versions/";
  }

  public static String versionKey(String model, long version) {
    return versions(model) + num(version) + ".json";
  }

  public static String contentKey(String model, String id) {
    return model(model) + "content/" + id + ".bin";
  }

  public static String tags(String model) {
    return model(model) + "tags/";
  }

  public static String tagKey(String model, long version, String tag) {
    return tags(model) + num(version) + "/" + tag;
  }

  public static String aliases(String model, String alias) {
    return model(model) + "aliases/" + alias + "/";
  }

  public static String aliasKey(String model, String alias, long sequence) {
    return aliases(model, alias) + num(sequence) + ".json";
  }

  public static String modelMarker(String model) {
    return INDEX_MODELS + model;
  }

  public static String datasetMarker(String uri) {
    return INDEX_DATASETS + enc(uri);
  }

  public static String lineagePrefix(String uri, long version) {
    return version > 0
        ? INDEX_LINEAGE + enc(uri) + "/" + num(version) + "/"
        : INDEX_LINEAGE + enc(uri) + "/";
  }

  public static String tagPrefix(String tag) {
    return INDEX_TAG + tag + "/";
  }

  public static String metaPrefix(String key, String value) {
    return INDEX_META + enc(key) + "/" + enc(value) + "/";
  }

  /** {@code ckpt/<model>/<20d>}. */
  public static String ckptEntry(String model, long version) {
    return CKPT + model + "/" + num(version);
  }

  /** {@code dataset/<enc uri>/<20d>}. */
  public static String datasetEntry(String uri, long version) {
    return DATASET + enc(uri) + "/" + num(version);
  }

  /** Escapes a free-form string into one key segment. */
  public static String enc(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '-') {
        out.append(c);
      } else {
        out.append('_').append(String.format(Locale.ROOT, "%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  /** Reverses {@link #enc}. */
  public static String dec(String s) {
    byte[] out = new byte[s.length()];
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '_' && i + 2 < s.length()) {
        out[n++] = (byte) Integer.parseInt(s.substring(i + 1, i + 3), 16);
        i += 2;
      } else {
        out[n++] = (byte) c;
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }
}
