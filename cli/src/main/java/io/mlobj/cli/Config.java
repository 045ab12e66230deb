package io.mlobj.cli;

import io.mlobj.MlobjConf;
import io.mlobj.Settings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where the CLI's storage settings come from, lowest precedence first:
 *
 * <ol>
 *   <li>{@code <home>/config.properties}
 *   <li>{@code <home>/<profile>.properties} for {@code --profile} or {@code $MLOBJ_PROFILE}
 *   <li>{@code --conf key=value} options
 * </ol>
 *
 * <p>{@code <home>} is {@code $MLOBJ_HOME}, the {@code mlobj.home} system property, or {@code
 * ~/.mlobj}. Values are never printed except through {@link MlobjConf#toString()}, which redacts
 * secrets.
 */
final class Config {
  /** Default registry location, e.g. {@code s3a://bucket/registry}. */
  static final String REGISTRY = Settings.REGISTRY.name();

  private Config() {}

  static Path home() {
    String env = System.getenv("MLOBJ_HOME");
    String prop = System.getProperty("mlobj.home");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".mlobj");
  }

  static MlobjConf load(String profile, Map<String, String> overrides) {
    Map<String, String> values = new TreeMap<>();
    Path home = home();
    read(home.resolve("config.properties"), values, false);
    String p = profile != null ? profile : System.getenv("MLOBJ_PROFILE");
    if (p != null && !p.isBlank()) {
      read(home.resolve(p + ".properties"), values, true);
    }
    if (overrides != null) {
      values.putAll(overrides);
    }
    Settings.checkKeys(values);
    return MlobjConf.of(values);
  }

  private static void read(Path file, Map<String, String> into, boolean required) {
    if (!Files.isRegularFile(file)) {
      if (required) {
        throw new CliException(
            ExitCodes.USAGE,
            "Cannot load profile "
                + file
                + ": the file does not exist. Create it with fs.s3a.* lines, or drop --profile.");
      }
      return;
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.USAGE, "Cannot read configuration " + file + ": " + e.getMessage() + ".");
    }
    properties.stringPropertyNames().forEach(k -> into.put(k, properties.getProperty(k).trim()));
  }
}
