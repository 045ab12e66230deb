package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.registry.CheckpointRegistry;
import io.mlobj.registry.LineageNode;
import io.mlobj.registry.LineageWalker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mlobj lineage SUBJECT}: upstream and downstream. */
@Command(
    name = "lineage",
    description = {
      "Walk lineage both ways from a dataset version or a checkpoint:",
      "upstream (what trained this model, what this version was made from) and",
      "downstream (which models and datasets this dataset version fed).",
      "SUBJECT: s3a://b/ds@v3, s3a://b/ds (downstream: every version), model or model@v2."
    })
final class LineageCommand extends RegistryCommand {
  @Parameters(index = "0", paramLabel = "SUBJECT")
  String subject;

  @Option(names = "--up", description = "Only upstream.")
  boolean upOnly;

  @Option(names = "--down", description = "Only downstream.")
  boolean downOnly;

  @Mixin IndexOption index;

  @Option(names = "--depth", paramLabel = "N", description = "Levels to follow (default 10).")
  int depth = 10;

  @Override
  public Integer call() {
    try (CheckpointRegistry registry = openRegistry()) {
      index.refresh(registry, opts);
      LineageWalker walker = registry.lineage();
      if (LineageWalker.isDataset(subject)) {
        // Keep the index's view of the subject current so downstream sees its own derivations.
        registry.indexDataset(Dataset.open((String) Lineage.parse(subject)[0], opts.conf()));
      }
      LineageNode up = downOnly ? null : walker.upstream(subject, depth);
      LineageNode down = upOnly ? null : walker.downstream(subject, depth);
      Output out = opts.output();
      if (out.json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subject", subject);
        if (up != null) {
          m.put("upstream", json(up));
        }
        if (down != null) {
          m.put("downstream", json(down));
        }
        out.json(m);
        return ExitCodes.OK;
      }
      if (up != null) {
        out.line("Upstream (inputs) of " + up.ref() + ":");
        print(out, up, "", true, "<- ");
      }
      if (down != null) {
        out.line("Downstream (consumers) of " + down.ref() + ":");
        print(out, down, "", true, "-> ");
      }
    }
    return ExitCodes.OK;
  }

  private static Map<String, Object> json(LineageNode node) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", node.kind().name().toLowerCase(java.util.Locale.ROOT));
    m.put("ref", node.ref());
    m.put("name", node.name());
    m.put("version", node.version());
    if (node.job() != null) {
      m.put("job", node.job());
    }
    List<Map<String, Object>> children =
        node.children().stream().map(LineageCommand::json).toList();
    m.put("children", children);
    return m;
  }

  private static void print(
      Output out, LineageNode node, String indent, boolean root, String arrow) {
    if (!root) {
      out.line(
          indent
              + arrow
              + node.kind().name().toLowerCase(java.util.Locale.ROOT)
              + " "
              + node.ref()
              + (node.job() != null ? "  (job " + node.job() + ")" : ""));
    } else if (node.children().isEmpty()) {
      out.line("  (none recorded)");
    }
    for (LineageNode child : node.children()) {
      print(out, child, root ? "  " : indent + "    ", false, arrow);
    }
  }
}
