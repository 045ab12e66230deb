package io.mlobj;

import java.util.List;
import java.util.Locale;

/**
 * One declared setting of the {@link Settings} catalog: its name, the other spellings accepted for
 * it, its type, its default and what it does. Stable API.
 *
 * @param name the canonical key, e.g. {@code mlobj.io.part-size} or {@code format}
 * @param aliases other accepted spellings (engine spellings)
 * @param deprecated old spellings still accepted, with a warning naming {@code name}
 * @param type how the value is parsed
 * @param defaultValue the default, as users write it; {@code null} when unset means "none"
 * @param doc one sentence for the reference table (docs/CONFIG.md) and engine option docs
 * @param scope where the setting applies
 */
public record Setting(
    String name,
    List<String> aliases,
    List<String> deprecated,
    Type type,
    String defaultValue,
    String doc,
    Scope scope) {

  /** How a value is parsed. */
  public enum Type {
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A decimal integer. */
    INT,
    /** A size: {@code 134217728}, {@code 128m}, {@code 1g}. */
    BYTES,
    /** Free text. */
    STRING
  }

  /** Where a setting applies. */
  public enum Scope {
    /** A dataset-level {@code mlobj.*} key: storage, commit, cache (passed like {@code fs.*}). */
    DATASET,
    /** A writer option ({@code DatasetWriter.Builder.options}, Spark writer, Flink sink). */
    WRITE,
    /** A per-column tensor option; {@code <column>} stands for the column name. */
    TENSOR,
    /** An entry point's own key (CLI, feed). */
    TOOL
  }

  /** Whether {@code key} is this setting's name, an alias or a deprecated spelling. */
  public boolean matches(String key) {
    return spelling(key) != null;
  }

  /**
   * The spelling {@code key} uses (case-insensitive; for {@link Scope#TENSOR} settings the column
   * name stands in for {@code <column>}), or null when it is not this setting.
   */
  String spelling(String key) {
    if (like(name, key)) {
      return name;
    }
    for (String alias : aliases) {
      if (like(alias, key)) {
        return alias;
      }
    }
    for (String old : deprecated) {
      if (like(old, key)) {
        return old;
      }
    }
    return null;
  }

  /** The column a tensor option names ({@code tensor.image.shape} -> {@code image}), or null. */
  String column(String key) {
    for (String pattern : all()) {
      int hole = pattern.indexOf('<');
      if (hole >= 0 && like(pattern, key)) {
        String suffix = pattern.substring(pattern.indexOf('>') + 1);
        return key.substring(hole, key.length() - suffix.length());
      }
    }
    return null;
  }

  private List<String> all() {
    List<String> out = new java.util.ArrayList<>();
    out.add(name);
    out.addAll(aliases);
    out.addAll(deprecated);
    return out;
  }

  private static boolean like(String pattern, String key) {
    int hole = pattern.indexOf('<');
    if (hole < 0) {
      return pattern.equalsIgnoreCase(key);
    }
    String prefix = pattern.substring(0, hole);
    String suffix = pattern.substring(pattern.indexOf('>') + 1);
    return key.length() > prefix.length() + suffix.length()
        && key.regionMatches(true, 0, prefix, 0, prefix.length())
        && key.regionMatches(true, key.length() - suffix.length(), suffix, 0, suffix.length());
  }

  /** The value of this setting in a map of options, by any spelling; null when absent. */
  public String find(java.util.Map<String, String> options) {
    String direct = options.get(name);
    if (direct != null) {
      return direct;
    }
    for (java.util.Map.Entry<String, String> e : options.entrySet()) {
      if (matches(e.getKey())) {
        Settings.warnIfDeprecated(e.getKey());
        return e.getValue();
      }
    }
    return null;
  }

  /** Parses and checks a value of this setting; malformed values name the key. */
  public Object parse(String key, String value) {
    return switch (type) {
      case BOOLEAN -> {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
          throw MlobjErrors.badOption(key, value, "true or false");
        }
        yield Boolean.parseBoolean(v);
      }
      case INT -> {
        try {
          yield Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
          throw MlobjErrors.badOption(key, value, "an integer");
        }
      }
      case BYTES -> MlobjConf.parseBytes(key, value);
      case STRING -> value;
    };
  }
}
