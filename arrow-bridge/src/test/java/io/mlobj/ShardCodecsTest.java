package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlobj.testcodec.ArrowStreamTestCodec;
import org.junit.jupiter.api.Test;

class ShardCodecsTest {
  @Test
  void theBuiltInCodecsAndACodecFromTheTestClassPathAreFound() {
    assertThat(ShardCodecs.available())
        .extracting(c -> c.format().id())
        .contains("parquet", "arrow", ArrowStreamTestCodec.ID);
    assertThat(ShardFormat.parse("feather")).isEqualTo(ShardFormat.ARROW);
    assertThat(ShardFormat.parse("TEST-ARROW-STREAM")).isEqualTo(ArrowStreamTestCodec.FORMAT);
    assertThat(ShardCodecs.forFile("raw/part-1.arrows"))
        .map(ShardCodec::format)
        .contains(ArrowStreamTestCodec.FORMAT);
  }

  @Test
  void anUnknownFormatOptionIsAnErrorNamingTheAvailableFormats() {
    assertThatThrownBy(() -> ShardFormat.parse("orc"))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("'orc'")
        .hasMessageContaining("parquet or arrow");
  }

  @Test
  void aManifestNamingAFormatWithoutACodecStillParsesAndReadingItNamesTheFormat() throws Exception {
    ShardFormat orc = new ObjectMapper().readValue("\"orc\"", ShardFormat.class);
    assertThat(orc.id()).isEqualTo("orc");
    assertThatThrownBy(() -> ShardCodecs.of(orc))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("Cannot read or write shards of format 'orc'")
        .hasMessageContaining("META-INF/services/io.mlobj.ShardCodec");
  }
}
