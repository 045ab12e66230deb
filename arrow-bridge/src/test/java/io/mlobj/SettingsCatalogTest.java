package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.Setting.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SettingsCatalogTest {
  private static final Pattern GENERATED =
      Pattern.compile(
          "<!-- generated: Settings\\.markdownTable\\(([A-Z, ]+)\\) -->\\n(.*?)<!-- end generated -->",
          Pattern.DOTALL);

  /**
   * Checks the generated tables of docs/CONFIG.md; with {@code -Dmlobj.regenerateDocs=true} it
   * rewrites them from the catalog first.
   */
  @Test
  void configDocTablesAreTheCatalogsTables() throws Exception {
    Path file = Path.of("..", "docs", "CONFIG.md");
    String doc = Files.readString(file);
    if (Boolean.getBoolean("mlobj.regenerateDocs")) {
      doc =
          GENERATED
              .matcher(doc)
              .replaceAll(
                  r ->
                      Matcher.quoteReplacement(
                          r.group()
                              .replace(r.group(2), Settings.markdownTable(scopes(r.group(1))))));
      Files.writeString(file, doc);
    }
    Matcher m = GENERATED.matcher(doc);
    List<String> checked = new ArrayList<>();
    while (m.find()) {
      assertThat(m.group(2))
          .as("docs/CONFIG.md table for %s (regenerate: -Dmlobj.regenerateDocs=true)", m.group(1))
          .isEqualTo(Settings.markdownTable(scopes(m.group(1))));
      checked.add(m.group(1));
    }
    assertThat(checked).containsExactly("DATASET, TOOL", "WRITE, TENSOR");
  }

  private static Scope[] scopes(String list) {
    return List.of(list.split("\\s*,\\s*")).stream().map(Scope::valueOf).toArray(Scope[]::new);
  }

  @Test
  void everyMlobjKeyTheKernelReadsIsDeclared() {
    for (String key :
        List.of(
            MlobjConf.ALLOW_UNSAFE_COMMIT,
            MlobjConf.COMMIT_MAX_ATTEMPTS,
            MlobjConf.IO_PARALLELISM,
            MlobjConf.IO_PART_SIZE,
            MlobjConf.CACHE_DIR,
            MlobjConf.CACHE_SIZE,
            "mlobj.user",
            "mlobj.registry")) {
      assertThat(Settings.lookup(key)).as(key).isPresent();
    }
  }

  @Test
  void anUnknownMlobjKeyIsAnErrorNamingTheNearestKeys() {
    assertThatThrownBy(() -> Settings.storageConf(Map.of("mlobj.io.part-sise", "8m")))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("Cannot use setting 'mlobj.io.part-sise'")
        .hasMessageContaining("Did you mean 'mlobj.io.part-size'");
  }

  @Test
  void aMalformedValueOfADeclaredKeyNamesTheKey() {
    assertThatThrownBy(() -> Settings.checkKeys(Map.of("mlobj.commit.max-attempts", "many")))
        .hasMessageContaining("mlobj.commit.max-attempts");
  }

  @Test
  void storageKeysAreEveryFsKeyAndMlobjKeysButSummaryValues() {
    Map<String, String> conf =
        Settings.storageConf(
            Map.of(
                "fs.defaultFS", "hdfs://nn:8020",
                "fs.s3a.endpoint", "http://127.0.0.1:9000",
                "mlobj.cache.dir", "/tmp/c",
                "mlobj.meta.owner", "vision",
                "format", "arrow"));
    assertThat(conf).containsOnlyKeys("fs.defaultFS", "fs.s3a.endpoint", "mlobj.cache.dir");
  }

  @Test
  void tensorShapesHaveOneNameAndTheOldSpellingStillWorks() {
    Map<String, String> options =
        Map.of(
            "tensor.image.shape", "3,32,32",
            "tensorShape.mask", "[32, 32]",
            "tensor.image.type", "uint8",
            "tensorElement.mask", "bool");
    assertThat(Settings.tensorShapes(options)).containsOnlyKeys("image", "mask");
    assertThat(Settings.tensorShapes(options).get("mask")).containsExactly(32, 32);
    assertThat(Settings.tensorTypes(options)).containsEntry("image", "uint8");
    assertThat(Settings.tensorTypes(options)).containsEntry("mask", "bool");
    assertThatThrownBy(() -> Settings.tensorShapes(Map.of("tensor.image.shape", "3,-1")))
        .hasMessageContaining("tensor.image.shape");
  }

  @Test
  void writerOptionsAreFoundByAnySpelling() {
    assertThat(Settings.FORMAT.find(Map.of("shardformat", "arrow"))).isEqualTo("arrow");
    assertThat(Settings.TARGET_SHARD_SIZE.find(Map.of("write.target-shard-size", "1m")))
        .isEqualTo("1m");
  }
}
