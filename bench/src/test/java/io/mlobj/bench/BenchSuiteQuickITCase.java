package io.mlobj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.testing.BenchResults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every Java scenario of {@code bin/bench} at its {@code --quick} size and the report on the
 * results, as {@code bin/bench --quick} does, so the suite cannot rot: each scenario records
 * results with a ratio and a goal, and the JSON, the markdown table and the chart are written. No
 * figure is asserted (timings on a shared CI machine mean nothing).
 */
class BenchSuiteQuickITCase {
  @TempDir Path dir;

  @Test
  void everyScenarioRecordsRatiosWithGoalsAndTheReportWritesJsonMarkdownAndChart()
      throws Exception {
    Path parts = dir.resolve("parts.jsonl");
    System.setProperty(BenchResults.PROPERTY, parts.toString());
    try {
      BenchSuite.run(true, List.of(), Map.of());
    } finally {
      System.clearProperty(BenchResults.PROPERTY);
    }
    Path json = dir.resolve("latest.json");
    Path markdown = dir.resolve("PERFORMANCE.md");
    Path png = dir.resolve("ratios.png");
    Files.writeString(markdown, "# Performance\n\nintro\n");
    BenchReport.main(
        new String[] {
          "--in=" + parts,
          "--json=" + json,
          "--markdown=" + markdown,
          "--png=" + png,
          "--setting=quick, in a test"
        });

    List<ObjectNode> results = BenchReport.read(parts);
    assertThat(results)
        .extracting(r -> r.get("scenario").asText())
        .anyMatch(s -> s.startsWith("commit latency"))
        .anyMatch(s -> s.startsWith("scan parquet vs raw GET"))
        .anyMatch(s -> s.startsWith("scan arrow vs raw GET"))
        .anyMatch(s -> s.startsWith("write parquet"))
        .anyMatch(s -> s.startsWith("fetch Parquet scan: CRT vs Apache"))
        .anyMatch(s -> s.startsWith("fetch raw 8 MiB ranged GET CPU per GB"))
        .anyMatch(s -> s.contains("manifests read by a filtered plan"))
        .anyMatch(s -> s.contains("feed epoch planning"))
        .anyMatch(s -> s.contains("ms + 200 MB/s link"));
    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.get("ratio").isNumber()).as(r.toString()).isTrue();
              assertThat(r.get("goal").asText()).matches("(>=|<=) [0-9.]+");
              assertThat(r.get("runs").asInt()).isPositive();
            });
    // A filtered plan reads no more manifests than may match: counted, not timed.
    assertThat(results)
        .filteredOn(r -> r.get("scenario").asText().contains("manifests read by a filtered plan"))
        .allSatisfy(r -> assertThat(BenchReport.met(r)).as(r.toString()).isTrue());

    JsonNode written = new ObjectMapper().readTree(json.toFile());
    assertThat(written.isArray()).isTrue();
    assertThat(written).hasSize(results.size());
    assertThat(written.get(0).fieldNames())
        .toIterable()
        .contains("scenario", "ours", "baseline", "unit", "ratio", "runs", "goal");
    String doc = Files.readString(markdown);
    assertThat(doc)
        .startsWith("# Performance\n\nintro\n")
        .contains(BenchReport.START, BenchReport.END, "| scenario | ours | baseline |");
    assertThat(ImageIO.read(png.toFile()).getHeight()).isGreaterThan(34 * results.size());

    // A second report replaces the table between the markers instead of adding another.
    BenchReport.writeMarkdown(results.subList(0, 1), "again", markdown);
    assertThat(Files.readString(markdown).split(BenchReport.START, -1)).hasSize(2);
  }
}
