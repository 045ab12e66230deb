package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputTest {
  @Test
  void tableAlignsColumns() {
    StringWriter text = new StringWriter();
    new Output(new PrintWriter(text), false)
        .table(List.of("A", "LONGER"), List.of(List.of("value-1", "x"), List.of("v", "yy")));
    assertThat(text.toString().lines())
        .containsExactly("A        LONGER", "value-1  x", "v        yy");
  }

  @Test
  void bytesAreHumanReadable() {
    assertThat(Output.bytes(512)).isEqualTo("512 B");
    assertThat(Output.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(Output.bytes(3L << 30)).isEqualTo("3.0 GiB");
  }

  @Test
  void progressBarShowsCountRateAndEta() {
    StringWriter err = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(err), "verify", "shards");
    bar.update(5, 10, 5 << 20);
    bar.update(10, 10, 10 << 20);
    bar.finish();
    assertThat(err.toString())
        .contains("verify [")
        .contains("10/10 shards")
        .contains("/s")
        .contains("ETA");
  }

  @Test
  void silentProgressBarWritesNothing() {
    ProgressBar bar = new ProgressBar(null, "verify", "shards");
    bar.update(1, 2, 3);
    bar.finish(); // no writer: nothing to check but that it does not fail
    assertThat(Main.oneLine("a\n  b\r\nc")).isEqualTo("a b c");
  }
}
