package io.mlobj.cli;

import io.mlobj.registry.AliasEntry;
import io.mlobj.registry.Checkpoint;
import io.mlobj.registry.CheckpointRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mlobj checkpoint put|get|ls|alias|tag}: model checkpoints in a registry. */
@Command(
    name = "checkpoint",
    mixinStandardHelpOptions = true,
    description =
        "Store, fetch and list model checkpoints with metadata, lineage, tags and aliases.",
    subcommands = {
      CheckpointCommand.Put.class,
      CheckpointCommand.Get.class,
      CheckpointCommand.Ls.class,
      CheckpointCommand.Alias.class,
      CheckpointCommand.TagCheckpoint.class,
      CheckpointCommand.Reindex.class
    })
final class CheckpointCommand {

  /** Resolves {@code MODEL}, {@code MODEL@vN} or {@code MODEL:ALIAS}. */
  static Checkpoint resolve(CheckpointRegistry registry, String spec) {
    int colon = spec.indexOf(':');
    if (colon > 0) {
      return registry.alias(spec.substring(0, colon), spec.substring(colon + 1));
    }
    int at = spec.lastIndexOf("@v");
    if (at > 0 && spec.substring(at + 2).matches("\\d+")) {
      return registry.require(spec.substring(0, at), Long.parseLong(spec.substring(at + 2)));
    }
    return registry.latest(spec);
  }

  static Map<String, Object> json(Checkpoint c) {
    Map<String, Object> m =
        Output.object(
            "model", c.model(),
            "version", c.version(),
            "ref", c.ref(),
            "bytes", c.bytes(),
            "crc32c", c.crc32cHex(),
            "created", Output.time(c.createdMillis()),
            "user", c.user(),
            "metadata", c.metadata(),
            "lineage", c.lineage(),
            "tags", c.tags());
    return m;
  }

  @Command(name = "put", description = "Store a model file as the model's next version.")
  static final class Put extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", paramLabel = "FILE")
    Path file;

    @Option(
        names = {"-m", "--meta"},
        paramLabel = "KEY=VALUE",
        description = "Metadata, e.g. loss=0.31 framework=pytorch step=1200 (repeatable).")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(
        names = {"-l", "--lineage"},
        paramLabel = "URI@vN",
        description = "A dataset version that trained it (repeatable).")
    List<String> lineage = new ArrayList<>();

    @Option(names = "--tag", paramLabel = "TAG", description = "Tags to add (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(
        names = "--alias",
        paramLabel = "ALIAS",
        description = "Point these aliases at it (repeatable).")
    List<String> aliases = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      if (!Files.isRegularFile(file)) {
        throw new CliException(
            ExitCodes.NOT_FOUND,
            "Cannot store checkpoint of model '" + model + "': file " + file + " does not exist.");
      }
      byte[] content = Files.readAllBytes(file);
      try (CheckpointRegistry registry = openRegistry()) {
        ProgressBar bar = opts.progressBar("upload", "files");
        bar.update(0, 1, 0);
        Checkpoint c = registry.put(model, content, metadata, lineage);
        bar.update(1, 1, content.length);
        bar.finish();
        for (String tag : tags) {
          c = registry.tag(model, c.version(), tag);
        }
        for (String alias : aliases) {
          registry.setAlias(model, alias, c.version());
        }
        Output out = opts.output();
        if (out.json()) {
          out.json(json(c));
        } else {
          out.line(
              "Stored "
                  + c.ref()
                  + " ("
                  + Output.bytes(c.bytes())
                  + ", crc32c "
                  + c.crc32cHex()
                  + ") in "
                  + registry.uri()
                  + ".");
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "get", description = "Fetch a checkpoint (CRC32C-verified), or show its record.")
  static final class Get extends RegistryCommand {
    @Parameters(
        index = "0",
        paramLabel = "MODEL[@vN|:ALIAS]",
        description = "e.g. resnet, resnet@v3, resnet:serving")
    String spec;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Write the model file here (otherwise only the record is shown).")
    Path output;

    @Override
    public Integer call() throws IOException {
      try (CheckpointRegistry registry = openRegistry()) {
        Checkpoint c = resolve(registry, spec);
        if (output != null) {
          byte[] bytes = registry.content(c);
          if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
          }
          Files.write(output, bytes);
        }
        Output out = opts.output();
        if (out.json()) {
          Map<String, Object> m = json(c);
          if (output != null) {
            m.put("file", output.toString());
          }
          out.json(m);
        } else {
          out.line("Checkpoint  " + c.ref() + (output != null ? " -> " + output : ""));
          out.line("Size        " + Output.bytes(c.bytes()) + ", crc32c " + c.crc32cHex());
          out.line("Created     " + Output.time(c.createdMillis()) + " by " + c.user());
          out.line("Metadata    " + c.metadata());
          out.line("Lineage     " + c.lineage());
          out.line("Tags        " + c.tags());
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "ls", description = "List models, or the checkpoints of one model.")
  static final class Ls extends RegistryCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL")
    String model;

    @Override
    public Integer call() {
      try (CheckpointRegistry registry = openRegistry()) {
        Output out = opts.output();
        if (model == null) {
          List<Map<String, Object>> rows = new ArrayList<>();
          for (String m : registry.models()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", m);
            row.put("latestVersion", registry.latestVersion(m));
            row.put("aliases", registry.aliases(m));
            rows.add(row);
          }
          if (out.json()) {
            out.json(rows);
          } else if (rows.isEmpty()) {
            out.line("No models in " + registry.uri() + ".");
          } else {
            out.table(
                List.of("MODEL", "LATEST", "ALIASES"),
                rows.stream()
                    .map(
                        r ->
                            List.of(
                                String.valueOf(r.get("model")),
                                String.valueOf(r.get("latestVersion")),
                                String.valueOf(r.get("aliases"))))
                    .toList());
          }
          return ExitCodes.OK;
        }
        List<Checkpoint> all = registry.list(model);
        if (all.isEmpty()) {
          throw new CliException(
              ExitCodes.NOT_FOUND,
              "Cannot list model '"
                  + model
                  + "' in registry "
                  + registry.uri()
                  + ": it has no checkpoints. Run 'mlobj checkpoint ls' to list the models.");
        }
        Map<String, Long> aliases = registry.aliases(model);
        if (out.json()) {
          out.json(all.stream().map(CheckpointCommand::json).toList());
        } else {
          out.table(
              List.of("VERSION", "CREATED", "SIZE", "TAGS", "ALIASES", "METADATA", "LINEAGE"),
              all.stream()
                  .map(
                      c ->
                          List.of(
                              String.valueOf(c.version()),
                              Output.time(c.createdMillis()),
                              Output.bytes(c.bytes()),
                              String.join(",", c.tags()),
                              String.join(
                                  ",",
                                  aliases.entrySet().stream()
                                      .filter(e -> e.getValue() == c.version())
                                      .map(Map.Entry::getKey)
                                      .toList()),
                              String.valueOf(c.metadata()),
                              String.join(",", c.lineage())))
                  .toList());
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "alias",
      description = {
        "Point an alias (e.g. serving) at a version, roll it back, or show it.",
        "mlobj checkpoint alias resnet serving 3 | --rollback | (no version: show with history)"
      })
  static final class Alias extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", paramLabel = "ALIAS")
    String alias;

    @Parameters(index = "2", arity = "0..1", paramLabel = "VERSION")
    Long version;

    @Option(names = "--rollback", description = "Point the alias back at its previous target.")
    boolean rollback;

    @Override
    public Integer call() {
      if (rollback && version != null) {
        throw new CliException(
            ExitCodes.USAGE,
            "Cannot move alias '" + alias + "': give a VERSION or --rollback, not both.");
      }
      try (CheckpointRegistry registry = openRegistry()) {
        Checkpoint target;
        if (rollback) {
          target = registry.rollbackAlias(model, alias);
        } else if (version != null) {
          registry.setAlias(model, alias, version);
          target = registry.require(model, version);
        } else {
          target = registry.alias(model, alias);
        }
        List<AliasEntry> history = registry.aliasHistory(model, alias);
        Output out = opts.output();
        if (out.json()) {
          Map<String, Object> m =
              Output.object(
                  "model", model,
                  "alias", alias,
                  "version", target.version(),
                  "history", history);
          out.json(m);
        } else {
          out.line(
              model + ":" + alias + " -> " + target.ref() + (rollback ? " (rolled back)" : ""));
          out.table(
              List.of("STEP", "VERSION", "ACTION", "WHEN", "USER"),
              history.stream()
                  .map(
                      h ->
                          List.of(
                              String.valueOf(h.sequence()),
                              String.valueOf(h.version()),
                              h.action(),
                              Output.time(h.setMillis()),
                              String.valueOf(h.user())))
                  .toList());
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "tag",
      description = "Add (or with --delete remove) a tag on a checkpoint, e.g. tested.")
  static final class TagCheckpoint extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "MODEL@vN")
    String spec;

    @Parameters(index = "1", paramLabel = "TAG")
    String tag;

    @Option(names = "--delete", description = "Remove the tag.")
    boolean delete;

    @Override
    public Integer call() {
      try (CheckpointRegistry registry = openRegistry()) {
        Checkpoint c = resolve(registry, spec);
        c =
            delete
                ? registry.untag(c.model(), c.version(), tag)
                : registry.tag(c.model(), c.version(), tag);
        Output out = opts.output();
        if (out.json()) {
          out.json(json(c));
        } else {
          out.line(
              (delete ? "Removed tag '" : "Tagged ")
                  + (delete ? tag + "' from " + c.ref() : c.ref() + " as '" + tag + "'")
                  + ".");
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "reindex",
      description = {
        "Rebuild the registry's metadata index from the checkpoint records and registered datasets",
        "(after a writer died between a record and its index entries). Reads every record."
      })
  static final class Reindex extends RegistryCommand {
    @Override
    public Integer call() {
      try (CheckpointRegistry registry = openRegistry()) {
        registry.reindex();
        Output out = opts.output();
        if (out.json()) {
          out.json(
              Map.of(
                  "registry",
                  registry.uri(),
                  "models",
                  registry.models(),
                  "datasets",
                  registry.datasets()));
        } else {
          out.line(
              "Reindexed "
                  + registry.models().size()
                  + " models and "
                  + registry.datasets().size()
                  + " datasets in "
                  + registry.uri()
                  + ".");
        }
      }
      return ExitCodes.OK;
    }
  }
}
