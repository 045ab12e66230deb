package io.mlobj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Turns the JSON lines the benchmarks recorded into {@code bench/results/latest.json} (a list of
 * {@code {"scenario", "ours", "baseline", "unit", "ratio", "runs", "goal"}} plus extra fields), a
 * markdown table between the {@value #START} and {@value #END} markers of docs/PERFORMANCE.md, and
 * a PNG bar chart of each ratio against its goal (JFreeChart).
 *
 * <pre>{@code
 * java ... io.mlobj.bench.BenchReport --in=parts.jsonl --json=bench/results/latest.json \
 *     --markdown=docs/PERFORMANCE.md --png=bench/results/ratios.png --setting="2 cores, load 3"
 * }</pre>
 */
public final class BenchReport {
  static final String START = "<!-- bench:results:start -->";
  static final String END = "<!-- bench:results:end -->";

  /** Ratios above this are drawn cut off, so that one outlier does not flatten the others. */
  private static final double AXIS_MAX = 2.0;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private BenchReport() {}

  public static void main(String[] args) throws IOException {
    Path in = null;
    Path json = null;
    Path markdown = null;
    Path png = null;
    String setting = "";
    for (String arg : args) {
      String value = arg.substring(arg.indexOf('=') + 1);
      if (arg.startsWith("--in=")) {
        in = Path.of(value);
      } else if (arg.startsWith("--json=")) {
        json = Path.of(value);
      } else if (arg.startsWith("--markdown=")) {
        markdown = Path.of(value);
      } else if (arg.startsWith("--png=")) {
        png = Path.of(value);
      } else if (arg.startsWith("--setting=")) {
        setting = value;
      } else {
        throw new IllegalArgumentException(
            "Cannot read argument "
                + arg
                + ": expected --in=, --json=, --markdown=, --png= or"
                + " --setting=.");
      }
    }
    if (in == null) {
      throw new IllegalArgumentException("Cannot write a report: give the results with --in=.");
    }
    List<ObjectNode> results = read(in);
    if (json != null) {
      writeJson(results, json);
    }
    if (markdown != null) {
      writeMarkdown(results, setting, markdown);
    }
    if (png != null) {
      writeChart(results, png);
    }
    long missed = results.stream().filter(r -> !met(r)).count();
    System.out.println(BenchSupport.f("%d results, %d miss their goal", results.size(), missed));
  }

  /** The results in the JSON-lines file, in the order recorded. */
  static List<ObjectNode> read(Path jsonLines) throws IOException {
    List<ObjectNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(jsonLines, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        JsonNode node = JSON.readTree(line);
        for (String field : List.of("scenario", "ours", "baseline", "unit", "ratio", "goal")) {
          if (!node.has(field)) {
            throw new IllegalArgumentException(
                "Cannot read benchmark result "
                    + line
                    + " in "
                    + jsonLines
                    + ": it lacks '"
                    + field
                    + "'. Record results with BenchResults.result().");
          }
        }
        out.add((ObjectNode) node);
      }
    }
    return out;
  }

  /** Whether the ratio meets the goal ({@code ">= x"} or {@code "<= x"}). */
  static boolean met(JsonNode result) {
    String goal = result.get("goal").asText();
    double target = Double.parseDouble(goal.substring(3));
    double ratio = result.get("ratio").asDouble();
    return goal.startsWith(">=") ? ratio >= target : ratio <= target;
  }

  static void writeJson(List<ObjectNode> results, Path out) throws IOException {
    ArrayNode array = JSON.createArrayNode();
    results.forEach(array::add);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, JSON.writeValueAsString(array) + "\n", StandardCharsets.UTF_8);
  }

  /** The markdown table of the results. */
  static String table(List<ObjectNode> results, String setting) {
    StringBuilder md = new StringBuilder();
    if (!setting.isBlank()) {
      md.append("Setting: ").append(setting).append("\n\n");
    }
    md.append("| scenario | ours | baseline | unit | ratio | goal | met | runs |\n");
    md.append("|---|---:|---:|---|---:|---|---|---:|\n");
    for (ObjectNode r : results) {
      md.append(
          BenchSupport.f(
              "| %s | %s | %s | %s | %.2f | %s | %s | %d |\n",
              r.get("scenario").asText().replace("|", "\\|"),
              number(r.get("ours").asDouble()),
              number(r.get("baseline").asDouble()),
              r.get("unit").asText(),
              r.get("ratio").asDouble(),
              r.get("goal").asText(),
              met(r) ? "yes" : "**no**",
              r.path("runs").asInt(1)));
    }
    return md.toString();
  }

  private static String number(double v) {
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
  }

  /** Replaces the text between the markers (appends a section with them if they are missing). */
  static void writeMarkdown(List<ObjectNode> results, String setting, Path file)
      throws IOException {
    String doc = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    String block = START + "\n" + table(results, setting) + END;
    int start = doc.indexOf(START);
    int end = doc.indexOf(END);
    if (start >= 0 && end > start) {
      doc = doc.substring(0, start) + block + doc.substring(end + END.length());
    } else {
      doc = doc + (doc.endsWith("\n") || doc.isEmpty() ? "" : "\n") + "\n" + block + "\n";
    }
    Files.writeString(file, doc, StandardCharsets.UTF_8);
  }

  /**
   * A horizontal bar per scenario: its ratio (green where it meets the goal, red where not) beside
   * its goal (grey).
   */
  static void writeChart(List<ObjectNode> results, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    List<Boolean> metByColumn = new ArrayList<>();
    for (ObjectNode r : results) {
      String label = r.get("scenario").asText() + "  [" + r.get("goal").asText() + "]";
      data.addValue(
          Math.min(AXIS_MAX, r.get("ratio").asDouble()), "ratio (ours / baseline)", label);
      data.addValue(Double.parseDouble(r.get("goal").asText().substring(3)), "goal", label);
      metByColumn.add(met(r));
    }
    CategoryAxis scenarios = new CategoryAxis(null);
    scenarios.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    scenarios.setMaximumCategoryLabelWidthRatio(0.6f);
    NumberAxis ratio = new NumberAxis("ratio (ours / baseline); bars cut at " + AXIS_MAX);
    ratio.setRange(0, AXIS_MAX);
    BarRenderer bars =
        new BarRenderer() {
          @Override
          public Paint getItemPaint(int row, int column) {
            if (row == 1) {
              return Color.GRAY;
            }
            return metByColumn.get(column)
                ? new Color(0x2e, 0x8b, 0x57)
                : new Color(0xc0, 0x39, 0x2b);
          }
        };
    bars.setBarPainter(new StandardBarPainter());
    bars.setShadowVisible(false);
    bars.setItemMargin(0.05);
    CategoryPlot plot = new CategoryPlot(data, scenarios, ratio, bars);
    plot.setOrientation(PlotOrientation.HORIZONTAL);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart =
        new JFreeChart(
            "mlobj benchmarks: ratio against goal (green: met, red: missed, grey: goal)",
            new Font(Font.SANS_SERIF, Font.BOLD, 14),
            plot,
            false);
    chart.setBackgroundPaint(Color.WHITE);
    Files.createDirectories(png.toAbsolutePath().getParent());
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1400, 140 + 34 * results.size());
  }
}
