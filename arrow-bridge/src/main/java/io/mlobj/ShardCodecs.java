package io.mlobj;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The registry of {@link ShardCodec}s: the ones listed in {@code
 * META-INF/services/io.mlobj.ShardCodec} on the class path (mlobj's own Parquet and Arrow IPC
 * codecs among them), loaded once. Stable API.
 */
public final class ShardCodecs {
  private ShardCodecs() {}

  private static final class Loaded {
    /** Codecs by lower-case id and alias; the first codec to claim a name keeps it. */
    static final Map<String, ShardCodec> BY_NAME = load();

    private static Map<String, ShardCodec> load() {
      Map<String, ShardCodec> out = new LinkedHashMap<>();
      List<ClassLoader> loaders = new ArrayList<>();
      loaders.add(ShardCodec.class.getClassLoader());
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      if (context != null && context != loaders.get(0)) {
        loaders.add(context);
      }
      for (ClassLoader loader : loaders) {
        for (ShardCodec codec : ServiceLoader.load(ShardCodec.class, loader)) {
          out.putIfAbsent(codec.format().id(), codec);
          for (String alias : codec.aliases()) {
            out.putIfAbsent(alias.toLowerCase(Locale.ROOT), codec);
          }
        }
      }
      return out;
    }
  }

  /** Every codec found, each once: mlobj's own first, then the others by id. */
  public static List<ShardCodec> available() {
    return Loaded.BY_NAME.values().stream()
        .distinct()
        .sorted(
            java.util.Comparator.comparingInt(
                    (ShardCodec c) -> {
                      int builtIn = ShardFormat.values().indexOf(c.format());
                      return builtIn < 0 ? Integer.MAX_VALUE : builtIn;
                    })
                .thenComparing(c -> c.format().id()))
        .toList();
  }

  /** The codec whose id or alias is {@code name} (case-insensitive), if any. */
  public static Optional<ShardCodec> find(String name) {
    return Optional.ofNullable(
        name == null ? null : Loaded.BY_NAME.get(name.trim().toLowerCase(Locale.ROOT)));
  }

  /**
   * The codec named by an option value.
   *
   * @throws MlobjException {@code INVALID_ARGUMENT} naming the formats available
   */
  public static ShardCodec parse(String value) {
    return find(value)
        .orElseThrow(() -> MlobjErrors.badOption("format", value, String.join(" or ", ids())));
  }

  /**
   * The codec of a format.
   *
   * @throws MlobjException {@code INVALID_ARGUMENT} when no codec on the class path reads it
   */
  public static ShardCodec of(ShardFormat format) {
    return find(format.id()).orElseThrow(() -> MlobjErrors.noCodec(format.id(), ids()));
  }

  /** The codec whose files end with the name's extension (for import), if any. */
  public static Optional<ShardCodec> forFile(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return available().stream()
        .filter(c -> c.fileExtensions().stream().anyMatch(n::endsWith))
        .findFirst();
  }

  /** File name endings every codec recognizes. */
  public static List<String> fileExtensions() {
    return available().stream().flatMap(c -> c.fileExtensions().stream()).toList();
  }

  private static List<String> ids() {
    return available().stream().map(c -> c.format().id()).toList();
  }
}
