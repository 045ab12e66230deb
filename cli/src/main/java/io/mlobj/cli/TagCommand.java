package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.Tag;
import io.mlobj.registry.CheckpointRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mlobj tag create|list|delete}. */
@Command(
    name = "tag",
    mixinStandardHelpOptions = true,
    description = "Create, list and delete dataset tags (named versions such as 'tested').",
    subcommands = {TagCommand.Create.class, TagCommand.ListTags.class, TagCommand.Delete.class})
final class TagCommand {

  @Command(name = "create", description = "Point a tag at a version.")
  static final class Create extends DatasetCommand {

    @Parameters(index = "1", paramLabel = "TAG")
    String name;

    @Option(names = "--version", paramLabel = "N", description = "The version (default: latest).")
    Long version;

    @Option(names = "--force", description = "Move the tag if it exists.")
    boolean force;

    @Option(names = "--property", paramLabel = "KEY=VALUE", description = "Key/values on the tag.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Mixin RegistryOption registry;

    @Override
    public Integer call() {
      Dataset dataset = openDataset();
      long v = version != null ? version : dataset.latestVersion();
      Tag tag = dataset.tag(name, v, properties, force);
      String reg = registry.orConfigured(opts);
      if (reg != null) {
        try (CheckpointRegistry r = CheckpointRegistry.open(reg, opts.conf())) {
          r.indexDatasetTag(dataset.uri(), tag.name(), tag.version());
        }
      }
      Output out = opts.output();
      if (out.json()) {
        out.json(Map.of("uri", dataset.uri(), "tag", tag.name(), "version", tag.version()));
      } else {
        out.line(
            "Tagged " + dataset.uri() + " version " + tag.version() + " as '" + tag.name() + "'.");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List a dataset's tags.")
  static final class ListTags extends DatasetCommand {

    @Override
    public Integer call() {
      Dataset dataset = openDataset();
      List<Tag> tags = dataset.tags();
      Output out = opts.output();
      if (out.json()) {
        out.json(
            tags.stream()
                .map(
                    t ->
                        Map.of(
                            "name",
                            t.name(),
                            "version",
                            t.version(),
                            "created",
                            Output.time(t.createdMillis()),
                            "user",
                            String.valueOf(t.user()),
                            "properties",
                            t.properties()))
                .toList());
      } else if (tags.isEmpty()) {
        out.line("No tags on " + dataset.uri() + ".");
      } else {
        out.table(
            List.of("TAG", "VERSION", "CREATED", "USER", "PROPERTIES"),
            tags.stream()
                .map(
                    t ->
                        List.of(
                            t.name(),
                            String.valueOf(t.version()),
                            Output.time(t.createdMillis()),
                            String.valueOf(t.user()),
                            String.valueOf(t.properties())))
                .toList());
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", description = "Delete a tag.")
  static final class Delete extends DatasetCommand {

    @Parameters(index = "1", paramLabel = "TAG")
    String name;

    @Override
    public Integer call() {
      Dataset dataset = openDataset();
      dataset.deleteTag(name);
      Output out = opts.output();
      if (out.json()) {
        out.json(Map.of("uri", dataset.uri(), "deleted", name));
      } else {
        out.line("Deleted tag '" + name + "' of " + dataset.uri() + ".");
      }
      return ExitCodes.OK;
    }
  }
}
