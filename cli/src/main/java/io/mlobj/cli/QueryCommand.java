package io.mlobj.cli;

import io.mlobj.Lineage;
import io.mlobj.registry.CheckpointRegistry;
import io.mlobj.registry.QueryHit;
import io.mlobj.registry.QueryResult;
import io.mlobj.registry.RegistryQuery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlobj query}: datasets, versions and checkpoints by metadata, from the index. */
@Command(
    name = "query",
    description = {
      "Find checkpoints and dataset versions by tag, lineage and metadata, from the registry's index",
      "(no bucket scan). Example: checkpoints tagged tested that were trained on X at version 3:",
      "  mlobj query checkpoints tagged tested trained-on s3a://b/x@v3",
      "  mlobj query --type checkpoint --tag tested --trained-on s3a://b/x@v3"
    })
final class QueryCommand extends RegistryCommand {
  enum Type {
    checkpoint,
    dataset,
    all
  }

  @picocli.CommandLine.Parameters(
      arity = "0..*",
      paramLabel = "WORDS",
      description =
          "A query sentence, e.g. 'checkpoints tagged tested trained-on s3a://b/x@v3' (combines"
              + " with the options; see docs/metadata.md).")
  List<String> words = new ArrayList<>();

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description = "checkpoint, dataset or all (default).")
  Type type = Type.all;

  @Option(
      names = "--tag",
      paramLabel = "TAG",
      description = "Carrying this tag (repeatable: all of them).")
  List<String> tags = new ArrayList<>();

  @Option(
      names = {"--trained-on", "--derived-from"},
      paramLabel = "URI[@vN]",
      description =
          "Trained on (checkpoints) or derived from (datasets) this dataset version; any version without @vN.")
  List<String> trainedOn = new ArrayList<>();

  @Option(
      names = {"-w", "--where"},
      paramLabel = "KEY<op>VALUE",
      description =
          "Metadata condition: = != < <= > >=, e.g. framework=pytorch, loss<0.3 (repeatable).")
  List<String> where = new ArrayList<>();

  @Option(names = "--model", paramLabel = "MODEL", description = "Checkpoints of this model only.")
  String model;

  @Option(names = "--dataset", paramLabel = "URI", description = "Versions of this dataset only.")
  String dataset;

  @Mixin IndexOption index;

  @Option(names = "--limit", paramLabel = "N", description = "At most N hits (default 1000).")
  int limit = 1000;

  @Override
  public Integer call() {
    try (CheckpointRegistry registry = openRegistry()) {
      index.refresh(registry, opts);
      RegistryQuery q = registry.query().limit(limit);
      if (type == Type.checkpoint) {
        q.checkpoints();
      } else if (type == Type.dataset) {
        q.datasets();
      }
      if (!words.isEmpty()) {
        q.parse(String.join(" ", words));
      }
      tags.forEach(q::tag);
      for (String t : trainedOn) {
        Object[] parts = Lineage.parse(t);
        q.trainedOn((String) parts[0], (long) parts[1]);
      }
      where.forEach(q::where);
      if (model != null) {
        q.model(model);
      }
      if (dataset != null) {
        q.dataset(dataset);
      }
      QueryResult result = q.execute();
      Output out = opts.output();
      if (out.json()) {
        List<Map<String, Object>> hits = new ArrayList<>();
        for (QueryHit h : result.hits()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("kind", h.kind().name().toLowerCase(java.util.Locale.ROOT));
          m.put("name", h.name());
          m.put("version", h.version());
          m.put("ref", h.ref());
          if (h.checkpoint() != null) {
            m.put("tags", h.checkpoint().tags());
            m.put("lineage", h.checkpoint().lineage());
          }
          m.put("properties", h.properties());
          hits.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hits", hits);
        m.put("listCalls", result.listCalls());
        m.put("keysListed", result.keysListed());
        m.put("recordsRead", result.recordsRead());
        m.put("elapsedMillis", result.elapsedMillis());
        out.json(m);
        return ExitCodes.OK;
      }
      if (result.hits().isEmpty()) {
        out.line("No matches.");
      } else {
        out.table(
            List.of("KIND", "REF", "TAGS", "METADATA"),
            result.hits().stream()
                .map(
                    h ->
                        List.of(
                            h.kind().name().toLowerCase(java.util.Locale.ROOT),
                            h.ref(),
                            h.checkpoint() != null ? String.join(",", h.checkpoint().tags()) : "",
                            String.valueOf(h.properties())))
                .toList());
      }
      out.line(
          String.format(
              "%d hit(s); %d index listings, %d keys listed, %d records read, %d ms.",
              result.hits().size(),
              result.listCalls(),
              result.keysListed(),
              result.recordsRead(),
              result.elapsedMillis()));
    }
    return ExitCodes.OK;
  }
}
