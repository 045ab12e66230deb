package io.mlobj.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Operation;
import io.mlobj.VersionSummary;
import io.mlobj.internal.format.FormatCodec;
import io.mlobj.internal.format.PartitionCodec;
import io.mlobj.internal.format.VersionRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionCodecTest {
  @ParameterizedTest(name = "value = {0}")
  @ValueSource(strings = {"s3://a/b", "k=v", "100%", "日本/語", "", "a+b c", "x/y=z%2F"})
  void aKeyPathEscapesSeparatorsAndDecodesToTheSameValues(String value) {
    Map<String, String> partition = new LinkedHashMap<>();
    partition.put("source", value);
    partition.put("split", "train");

    String path = PartitionCodec.keyPath(partition);

    assertThat(path.split("/")).hasSize(2);
    assertThat(PartitionCodec.parseKeyPath(path)).isEqualTo(partition);
  }

  @Test
  void aNullValueIsLeftOutOfTheKeyPathAndKeptAsNullInTheStructuredForm() {
    Map<String, String> partition = Map.of("split", "train");

    assertThat(PartitionCodec.keyPath(partition)).isEqualTo("split=train");
    Map<String, String> structured =
        PartitionCodec.structured(List.of("source", "split"), partition);
    assertThat(structured).containsEntry("source", null).containsEntry("split", "train");
  }

  @Test
  void aFormatOneStringThatAValueWithSlashesMakesAmbiguousYieldsEveryReading() {
    List<String> columns = List.of("source", "split");

    List<Map<String, String>> readings =
        PartitionCodec.parseLegacy(columns, "source=s3://a/split=train");

    assertThat(readings)
        .containsExactlyInAnyOrder(
            map("source", "s3://a", "split", "train"),
            map("source", "s3://a/split=train", "split", null));
    assertThat(PartitionCodec.parseLegacy(columns, ""))
        .containsExactly(map("source", null, "split", null));
    assertThat(PartitionCodec.parseLegacy(columns, "split="))
        .containsExactly(map("source", null, "split", ""));
    assertThat(PartitionCodec.parseLegacy(columns, "other=x")).isEmpty();
  }

  @Test
  void versionFilesWriteNullPartitionValuesAsJsonNull() {
    VersionRecord record =
        new VersionRecord(
            FormatCodec.CURRENT_FORMAT_VERSION,
            2,
            1,
            "t",
            "",
            List.of("source", "split"),
            Map.of(),
            List.of(),
            List.of(map("source", "s3://a/b", "split", null)),
            new VersionSummary(
                Operation.APPEND, 0, "e", null, "u", 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of()));

    byte[] json = FormatCodec.writeVersion(record);

    assertThat(new String(json, StandardCharsets.UTF_8))
        .containsPattern("\"format-version\"\\s*:\\s*2")
        .containsPattern("\"split\"\\s*:\\s*null");
    assertThat(FormatCodec.readVersion(json, "v2").changedPartitions())
        .containsExactly(map("source", "s3://a/b", "split", null));
  }

  private static Map<String, String> map(String... keysAndValues) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      out.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return out;
  }
}
