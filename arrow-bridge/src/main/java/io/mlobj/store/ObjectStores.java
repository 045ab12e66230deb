package io.mlobj.store;

import io.mlobj.MlobjConf;
import io.mlobj.MlobjErrors;
import io.mlobj.internal.store.HadoopObjectStore;
import io.mlobj.internal.store.LocalObjectStore;
import io.mlobj.internal.store.S3ObjectStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Opens the {@link ObjectStore} for a dataset URI.
 *
 * <p>Stable API.
 */
public final class ObjectStores {
  private ObjectStores() {}

  /**
   * Opens a store rooted at {@code uri}:
   *
   * <ul>
   *   <li>{@code s3a://bucket/prefix}, {@code s3://...}, {@code s3n://...}: {@link S3ObjectStore}
   *   <li>{@code file:///path} or a plain local path: {@link LocalObjectStore}
   *   <li>anything else ({@code hdfs://...}): {@link HadoopObjectStore}
   * </ul>
   */
  public static ObjectStore open(String uri, MlobjConf conf) {
    String normalized = normalize(uri);
    URI parsed;
    try {
      parsed = new URI(normalized);
    } catch (URISyntaxException e) {
      throw MlobjErrors.badUri(uri, e.getMessage());
    }
    String scheme =
        parsed.getScheme() == null ? "file" : parsed.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "s3a", "s3", "s3n" -> {
        String bucket = parsed.getHost() != null ? parsed.getHost() : parsed.getAuthority();
        if (bucket == null || bucket.isBlank()) {
          throw MlobjErrors.badUri(uri, "no bucket; write s3a://bucket/path");
        }
        String path = parsed.getPath() == null ? "" : parsed.getPath();
        String prefix = path.startsWith("/") ? path.substring(1) : path;
        return new S3ObjectStore(normalized, bucket, prefix, conf);
      }
      case "file" -> {
        return new LocalObjectStore(normalized, Path.of(parsed.getPath()));
      }
      default -> {
        return new HadoopObjectStore(normalized, conf);
      }
    }
  }

  /**
   * A Hadoop {@link Configuration} of Hadoop's defaults and these settings, for engines that read a
   * dataset's objects with Hadoop-based readers of their own (Spark's vectorized Parquet reader).
   * Hadoop's default resources are parsed once per JVM: {@code new Configuration()} parses their
   * XML again for every copy, which costs more than decoding a small shard. Every call returns a
   * new copy that the caller may change.
   *
   * @param settings set on top of the defaults, all of them ({@code fs.*} keys matter to Hadoop)
   */
  public static Configuration hadoopConfiguration(Map<String, String> settings) {
    Configuration conf = new Configuration(HadoopDefaults.PARSED);
    settings.forEach(conf::set);
    return conf;
  }

  /** Hadoop's defaults, parsed on first use. */
  private static final class HadoopDefaults {
    static final Configuration PARSED = parsed();

    private static Configuration parsed() {
      Configuration conf = new Configuration();
      conf.size(); // parse the default resources now, once
      return conf;
    }
  }

  /** Strips a trailing slash; turns plain paths into {@code file://} URIs. */
  public static String normalize(String uri) {
    if (uri == null || uri.isBlank()) {
      throw MlobjErrors.badUri(String.valueOf(uri), "it is empty");
    }
    String u = uri.trim();
    if (!u.contains("://") && !u.startsWith("file:")) {
      u = Path.of(u).toAbsolutePath().normalize().toUri().toString();
    }
    while (u.endsWith("/") && !u.endsWith("://")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }
}
