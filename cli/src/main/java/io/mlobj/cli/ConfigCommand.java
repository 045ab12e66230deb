package io.mlobj.cli;

import io.mlobj.MlobjConf;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mlobj config}: the effective settings, secrets redacted. */
@Command(
    name = "config",
    description = "Show the effective settings and where they come from (secrets are redacted).")
final class ConfigCommand implements Callable<Integer> {
  @Mixin CommonOptions opts;

  @Override
  public Integer call() {
    Map<String, String> shown = new LinkedHashMap<>();
    opts.conf()
        .asMap()
        .forEach(
            (k, v) -> shown.put(k, MlobjConf.isSecret(k) && !k.endsWith("provider") ? "****" : v));
    Output out = opts.output();
    if (out.json()) {
      out.json(Map.of("home", Config.home().toString(), "settings", shown));
    } else {
      out.line("Config home: " + Config.home() + " (config.properties, <profile>.properties)");
      if (shown.isEmpty()) {
        out.line("No settings: the AWS SDK's default credentials and endpoints apply.");
        return ExitCodes.OK;
      }
      out.table(
          List.of("KEY", "VALUE"),
          shown.entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList());
    }
    return ExitCodes.OK;
  }
}
