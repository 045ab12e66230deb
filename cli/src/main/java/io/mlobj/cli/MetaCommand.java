package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mlobj meta get|set}: dataset properties; version summaries are read-only. */
@Command(
    name = "meta",
    mixinStandardHelpOptions = true,
    description = "Read dataset properties and version summaries; set dataset properties.",
    subcommands = {MetaCommand.Get.class, MetaCommand.Set.class})
final class MetaCommand {

  @Command(
      name = "get",
      description = "Print dataset properties and the version's summary key/values (read-only).")
  static final class Get extends DatasetCommand {
    @Mixin DatasetRef ref;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "KEY",
        description = "Print only this key's value.")
    String key;

    @Override
    public Integer call() {
      Snapshot s = ref.resolve(openDataset(), opts.err());
      Output out = opts.output();
      if (key != null) {
        String value = s.properties().getOrDefault(key, s.summary().properties().get(key));
        if (value == null) {
          throw new CliException(
              ExitCodes.NOT_FOUND,
              "Cannot find key '"
                  + key
                  + "' in dataset "
                  + s.dataset().uri()
                  + " version "
                  + s.version()
                  + ": no property or summary value has it. Run 'mlobj meta get "
                  + uri
                  + "' to list them.");
        }
        if (out.json()) {
          out.json(Map.of("key", key, "value", value));
        } else {
          out.line(value);
        }
        return ExitCodes.OK;
      }
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("uri", s.dataset().uri());
      all.put("version", s.version());
      all.put("properties", s.properties());
      all.put("summary", s.summary().properties());
      if (out.json()) {
        out.json(all);
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      s.properties().forEach((k, v) -> rows.add(List.of("property", k, v)));
      s.summary()
          .properties()
          .forEach((k, v) -> rows.add(List.of("summary v" + s.version() + " (read-only)", k, v)));
      if (rows.isEmpty()) {
        out.line(
            "No properties or summary values on "
                + s.dataset().uri()
                + " version "
                + s.version()
                + ".");
      } else {
        out.table(List.of("SCOPE", "KEY", "VALUE"), rows);
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "set",
      description =
          "Set dataset properties (commits a new version). Version summaries cannot be changed.")
  static final class Set extends DatasetCommand {

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "Properties to set.")
    Map<String, String> values = new LinkedHashMap<>();

    @Override
    public Integer call() {
      Dataset dataset = openDataset();
      for (String k : values.keySet()) {
        if (k.startsWith("lineage.") || k.startsWith("mlobj.")) {
          throw new CliException(
              ExitCodes.USAGE,
              "Cannot set property '"
                  + k
                  + "' of dataset "
                  + dataset.uri()
                  + ": keys starting with lineage. or mlobj. are written by mlobj itself (version"
                  + " summaries are read-only). Choose another key.");
        }
      }
      Snapshot s = dataset.setProperties(values);
      Output out = opts.output();
      if (out.json()) {
        out.json(
            Map.of("uri", dataset.uri(), "version", s.version(), "properties", s.properties()));
      } else {
        out.line(
            "Set " + values.keySet() + " on " + dataset.uri() + " (version " + s.version() + ").");
      }
      return ExitCodes.OK;
    }
  }
}
